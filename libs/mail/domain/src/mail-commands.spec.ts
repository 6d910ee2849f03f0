import { hasMailCommands, MailCommands, parseMailCommands } from './mail-commands';

const agent = { authorIsAgent: true };

describe('parseMailCommands', () => {
  it.each<[string, string, MailCommands, string]>([
    ['#status solved', '#status solved\n\nAll fixed.', { status: 'solved' }, 'All fixed.'],
    ['#status pending', '#status pending\nWaiting for your answer.', { status: 'pending' }, 'Waiting for your answer.'],
    ['#status open, in any case', '#Status OPEN\nReopening.', { status: 'open' }, 'Reopening.'],
    ['the #solved short form', '#solved\nDone.', { status: 'solved' }, 'Done.'],
    ['#priority', '#priority urgent\nOn it.', { priority: 'urgent' }, 'On it.'],
    ['#type', '#type incident\nSee the outage.', { type: 'incident' }, 'See the outage.'],
    ['#tags, lower-cased, each once', '#tags Printer vip printer\nTagged.', { tags: ['printer', 'vip'] }, 'Tagged.'],
    ['#tags twice, adding up', '#tags a\n#tags b, c\nTagged.', { tags: ['a', 'b', 'c'] }, 'Tagged.'],
    ['#assignee by email', '#assignee Jane@Example.com\nYours.', { assignee: { email: 'jane@example.com' } }, 'Yours.'],
    ['#assignee by id', '#assignee 12\nYours.', { assignee: { id: 12 } }, 'Yours.'],
    ['#requester by email in brackets', '#requester <bob@example.com>\nFor Bob.', { requester: { email: 'bob@example.com' } }, 'For Bob.'],
    ['#group by name', '#group Second  Line\nEscalating.', { group: { name: 'Second Line' } }, 'Escalating.'],
    ['#group by id', '#group 7\nEscalating.', { group: { id: 7 } }, 'Escalating.'],
    ['#note', '#note\nInternal: customer is on the old plan.', { public: false }, 'Internal: customer is on the old plan.'],
    ['#public false', '#public false\nInternal.', { public: false }, 'Internal.'],
    ['#public true', '#public TRUE\nFor everyone.', { public: true }, 'For everyone.'],
    [
      'several commands with blank lines between them',
      '#status solved\n\n#assignee jane@example.com\n\n#priority high\n\nThanks!',
      { status: 'solved', assignee: { email: 'jane@example.com' }, priority: 'high' },
      'Thanks!',
    ],
    ['leading blank lines and CRLF', '\r\n#status pending\r\nLine one\r\nLine two', { status: 'pending' }, 'Line one\nLine two'],
    ['the last of a repeated command', '#status pending\n#status solved\nDone.', { status: 'solved' }, 'Done.'],
    ['commands only, no text', '#solved', { status: 'solved' }, ''],
  ])('reads %s', (_case, text, expected, body) => {
    const parsed = parseMailCommands(text, agent);
    const { errors, body: rest, honoured, ...commands } = parsed;
    expect(commands).toEqual(expected);
    expect(errors).toEqual([]);
    expect(rest).toBe(body);
    expect(honoured).toBe(true);
    expect(hasMailCommands(parsed)).toBe(true);
  });

  it.each<[string, string]>([
    ['no commands', 'Hello,\n\nthe printer works again.'],
    ['a ticket number at the start', '#123 is the ticket I mean.\n#status solved'],
    ['a hashtag followed by punctuation', '#thanks! That worked.'],
    ['commands below the first line of text', 'Hi,\n#status solved'],
    ['an empty text', ''],
  ])('finds nothing in %s', (_case, text) => {
    const parsed = parseMailCommands(text, agent);
    expect(hasMailCommands(parsed)).toBe(false);
    expect(parsed.errors).toEqual([]);
    expect(parsed.body).toBe(text.replace(/^\n+/, ''));
  });

  it.each<[string, string, MailCommands, string, string, string]>([
    ['an unknown status', '#status finished\nDone.', {}, 'status', 'invalid_value', 'Done.'],
    ['an unknown priority', '#priority asap\nDone.', {}, 'priority', 'invalid_value', 'Done.'],
    ['an unknown type', '#type bug\nDone.', {}, 'type', 'invalid_value', 'Done.'],
    ['a status without value', '#status\nDone.', {}, 'status', 'missing_value', 'Done.'],
    ['an assignee that is no address', '#assignee jane\nDone.', {}, 'assignee', 'invalid_value', 'Done.'],
    ['a requester without value', '#requester\nDone.', {}, 'requester', 'missing_value', 'Done.'],
    ['a group without value', '#group\nDone.', {}, 'group', 'missing_value', 'Done.'],
    ['tags without value', '#tags\nDone.', {}, 'tags', 'missing_value', 'Done.'],
    ['a bad tag: no tag of the command is added', '#tags good b"ad\nDone.', {}, 'tags', 'invalid_value', 'Done.'],
    ['#solved with a value', '#solved now\nDone.', {}, 'solved', 'invalid_value', 'Done.'],
    ['#public with a bad value: private, failing closed', '#public yes\nHm.', { public: false }, 'public', 'invalid_value', 'Hm.'],
    ['#public without value: private, failing closed', '#public\nHm.', { public: false }, 'public', 'missing_value', 'Hm.'],
    ['#note with a value: private all the same', '#note this is internal\nHm.', { public: false }, 'note', 'invalid_value', 'Hm.'],
    ['an unknown command, kept in the body', '#urgent\nPlease hurry.', {}, 'urgent', 'unknown_command', '#urgent\n\nPlease hurry.'],
    ['a command Mailroom does not have, kept in the body', '#cc bob@example.com\nHi.', {}, 'cc', 'unknown_command', '#cc bob@example.com\n\nHi.'],
  ])('records an error for %s and changes nothing else', (_case, text, expected, command, reason, body) => {
    const { errors, body: rest, honoured, ...commands } = parseMailCommands(text, agent);
    expect(commands).toEqual(expected);
    expect(errors).toEqual([expect.objectContaining({ line: 1, command, reason, text: text.split('\n')[0] })]);
    expect(errors[0].message).toMatch(new RegExp(`#${command}`));
    expect(rest).toBe(body);
    expect(honoured).toBe(true);
  });

  it('applies the valid commands of a block and reports the invalid ones with their line', () => {
    const { errors, body, ...commands } = parseMailCommands('#status solved\n#priority asap\n\n#stauts open\n#tags x\nText', agent);
    expect(commands).toMatchObject({ status: 'solved', tags: ['x'] });
    expect(commands.priority).toBeUndefined();
    expect(errors.map((e) => [e.line, e.command, e.reason])).toEqual([
      [2, 'priority', 'invalid_value'],
      [4, 'stauts', 'unknown_command'],
    ]);
    expect(body).toBe('#stauts open\n\nText');
  });

  it.each([
    ['an end user', { authorIsAgent: false }],
  ])('leaves the text of %s exactly as written', (_who, options) => {
    const text = '#status solved\r\n#assignee me@example.com\r\n\r\nPlease close this.';
    expect(parseMailCommands(text, options)).toEqual({ errors: [], body: text, honoured: false });
  });

  it('does not treat Object.prototype names as commands', () => {
    const parsed = parseMailCommands('#constructor x\n#tostring\nHi', agent);
    expect(parsed.errors.map((e) => e.reason)).toEqual(['unknown_command', 'unknown_command']);
    expect(hasMailCommands(parsed)).toBe(false);
  });
});

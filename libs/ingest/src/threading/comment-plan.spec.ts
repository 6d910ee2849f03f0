import { extractReply, parseSupportAddresses, type Address } from '@mailroom/mail-domain';
import { commandRefusals, commentText, planComment, planNewTicket, type CommentPlan } from './comment-plan';
import type { ThreadDecision, ThreadMatch } from './resolve-thread';
import type { PersonFacts, Relation, TicketFacts } from './ticket-directory';

const supportAddresses = parseSupportAddresses('Acme Support <support@mailroom.test>');
/** Ticket 5: Jane's, CC Carl, assigned to agent Ann. */
const ticket = (over: Partial<TicketFacts> = {}): TicketFacts => ({
  id: 5,
  status: 'open',
  requesterId: 10,
  requesterEmails: ['jane@customer.test'],
  ccIds: [11],
  ccEmails: ['carl@customer.test'],
  assigneeId: 2,
  recipient: 'support@mailroom.test',
  isPublic: true,
  ...over,
});
const a = (address: string): Address => ({ address, name: '' });
const support = a('support@mailroom.test');
const jane = a('jane@customer.test');
const customer: PersonFacts = { id: 10, role: 'end_user' };
const carl: PersonFacts = { id: 11, role: 'end_user' };
const ann: PersonFacts = { id: 2, role: 'agent' };

const thread = (relation: Relation, author: PersonFacts | null, t: TicketFacts | null = ticket(), matchedBy: ThreadMatch = 'message_id'): Extract<ThreadDecision, { kind: 'comment' }> => ({
  kind: 'comment',
  ticketId: 5,
  matchedBy,
  ticket: t,
  author,
  relation,
});
const plan = (t: Extract<ThreadDecision, { kind: 'comment' }>, author: string, to: Address[], cc: Address[] = [], body = 'Thanks') =>
  planComment({ mail: { to, cc }, body, author: a(author), thread: t, supportAddresses });
const comment = (p: CommentPlan): Extract<CommentPlan, { kind: 'comment' }> => {
  if (p.kind !== 'comment') throw new Error(`expected a comment, got ${JSON.stringify(p)}`);
  return p;
};

describe('planComment: public or private (reference §5.5)', () => {
  it.each<[string, boolean, CommentPlan]>([
    ['the requester comments publicly', true, plan(thread('requester', customer), 'jane@customer.test', [support])],
    ['a CC replying to all (the requester among the recipients) comments publicly', true, plan(thread('cc', carl), 'carl@customer.test', [support], [jane])],
    ['a CC answering only the support address comments publicly', true, plan(thread('cc', carl), 'carl@customer.test', [support])],
    ['a CC who dropped the requester but wrote to others comments privately', false, plan(thread('cc', carl), 'carl@customer.test', [support], [a('friend@customer.test')])],
    ['a third party with our real reference comments privately', false, plan(thread('stranger', null), 'bob@other.test', [support], [jane])],
    ['a known end user who is not on the ticket comments privately', false, plan(thread('stranger', { id: 12, role: 'end_user' }), 'bob@other.test', [support])],
    ['the assignee comments publicly', true, plan(thread('assignee', ann), 'ann@mailroom.test', [support])],
    ['an agent not on the ticket comments publicly (agents may update every ticket)', true, plan(thread('agent', { id: 3, role: 'agent' }), 'al@mailroom.test', [support])],
    ['an agent writing #note comments privately', false, plan(thread('assignee', ann), 'ann@mailroom.test', [support], [], '#note\nChecked the logs')],
    ['an agent writing #public false comments privately', false, plan(thread('agent', ann), 'ann@mailroom.test', [support], [], '#public false\nInternal')],
    ['an agent on a private ticket comments privately', false, plan(thread('agent', ann, ticket({ isPublic: false })), 'ann@mailroom.test', [support])],
    ['an end user’s #note line is plain text and public', true, plan(thread('requester', customer), 'jane@customer.test', [support], [], '#note\nhello')],
  ])('%s', (_case, expected, result) => {
    expect(comment(result).public).toBe(expected);
    expect(comment(result).privateBecause === null).toBe(expected);
  });

  it.each<[string, PersonFacts | null, string]>([
    ['an unknown sender', null, 'unknown_user_update'],
    ['a known end user', { id: 12, role: 'end_user' }, 'other_user_update'],
  ])('suspends %s who is not on the ticket and reached it only by weak threading', (_case, author, cause) => {
    expect(plan(thread('stranger', author, ticket(), 'subject_number'), 'bob@other.test', [support])).toMatchObject({ kind: 'suspend', cause });
  });
});

describe('planComment: CCs from the mail (reference §5.6)', () => {
  it('adds the other To/Cc addresses, never a support address, the requester, the author or a CC already there', () => {
    const r = plan(thread('requester', customer), 'jane@customer.test', [support, a('support+t5-abc@mailroom.test'), a('dora@customer.test')], [jane, a('Carl@customer.test'), a('ed@customer.test')]);
    expect(comment(r).ccs.map((c) => c.address)).toEqual(['dora@customer.test', 'ed@customer.test']);
  });

  it('lets a CC and an agent add CCs', () => {
    expect(comment(plan(thread('cc', carl), 'carl@customer.test', [support], [jane, a('dora@customer.test')])).ccs.map((c) => c.address)).toEqual(['dora@customer.test']);
    expect(comment(plan(thread('agent', { id: 3, role: 'agent' }), 'al@mailroom.test', [support], [a('dora@customer.test')])).ccs.map((c) => c.address)).toEqual(['dora@customer.test']);
  });

  it('adds none from a third party', () => {
    expect(comment(plan(thread('stranger', null), 'bob@other.test', [support], [a('mallory@other.test')])).ccs).toEqual([]);
  });

  it('never takes a ticket past 48 CCs', () => {
    const full = ticket({ ccIds: Array.from({ length: 46 }, (_, i) => 100 + i), ccEmails: Array.from({ length: 46 }, (_, i) => `c${i}@customer.test`) });
    const many = Array.from({ length: 10 }, (_, i) => a(`p${i}@customer.test`));
    expect(comment(plan(thread('requester', customer, full), 'jane@customer.test', [support], many)).ccs).toHaveLength(2);
  });
});

describe('planComment: mail commands', () => {
  it('turns an agent’s commands into ticket changes and leaves them out of the comment', () => {
    const r = comment(plan(thread('assignee', ann), 'ann@mailroom.test', [support], [], '#status solved\n#assignee al@mailroom.test\n#tags printer\n#priority high\n\nFixed the driver.'));
    expect(r).toMatchObject({ body: 'Fixed the driver.', public: true, changes: { status: 'solved', assignee: { email: 'al@mailroom.test' }, addTags: ['printer'], priority: 'high' } });
  });

  it('keeps the text of a reply that is only commands', () => {
    expect(comment(plan(thread('assignee', ann), 'ann@mailroom.test', [support], [], '#status pending'))).toMatchObject({ body: '#status pending', changes: { status: 'pending' } });
    // A group by name or id goes to the ticket service, which knows the groups.
    expect(comment(plan(thread('assignee', ann), 'ann@mailroom.test', [support], [], '#group  Billing   Team\nMoving this.')).changes).toEqual({ group: { name: 'Billing Team' } });
    expect(comment(plan(thread('assignee', ann), 'ann@mailroom.test', [support], [], '#group 7\nMoving this.')).changes).toEqual({ group: { id: 7 } });
  });

  it('records refused commands and changes nothing for them', () => {
    const r = comment(plan(thread('assignee', ann), 'ann@mailroom.test', [support], [], '#status nonsense\nHi'));
    expect(r.changes).toBeNull();
    expect(r.commandErrors).toEqual([expect.objectContaining({ command: 'status' })]);
  });

  it('ignores commands from end users', () => {
    expect(comment(plan(thread('requester', customer), 'jane@customer.test', [support], [], '#status solved\nThanks'))).toMatchObject({ body: '#status solved\nThanks', changes: null });
  });
});

describe('planComment: recovered from the suspended tickets', () => {
  it.each<[string, PersonFacts | null]>([
    ['unknown_user_update', null],
    ['other_user_update', { id: 12, role: 'end_user' }],
  ])('turns a reply suspended as %s into a private note once an agent recovers it, adding no CCs', (cause, author) => {
    const r = planComment({
      mail: { to: [support], cc: [a('mallory@other.test')] },
      body: 'About that ticket',
      author: a('bob@other.test'),
      thread: thread('stranger', author, ticket(), 'subject_number'),
      supportAddresses,
      recoveredFrom: [cause as 'unknown_user_update'],
    });
    expect(comment(r)).toMatchObject({ public: false, ccs: [], body: 'About that ticket' });
    expect(comment(r).privateBecause).toContain(cause);
  });

  it('still suspends for a cause the agent did not recover', () => {
    const r = planComment({ mail: { to: [support], cc: [] }, body: 'Hi', author: a('bob@other.test'), thread: thread('stranger', null, ticket(), 'subject_number'), supportAddresses, recoveredFrom: ['auto_mailer'] });
    expect(r).toMatchObject({ kind: 'suspend', cause: 'unknown_user_update' });
  });
});

describe('commentText: what of the mail the comment shows', () => {
  const mail = (text: string) => ({ text, subject: 'Printer' });

  it('keeps the signature below the reply and leaves out the Gmail quote', () => {
    const text = 'Still broken after the update.\n\n--\nJane Doe\nAcme Corp\n\nOn Wed, Nov 25, 2026 at 9:00 AM Support <support@mailroom.test> wrote:\n> Please try the update.\n';
    const body = commentText(extractReply(text), mail(text));
    expect(body).toContain('Still broken after the update.');
    expect(body).toContain('Jane Doe');
    expect(body).not.toContain('Please try the update');
    expect(body).not.toContain('wrote:');
  });

  it('keeps the whole text when nothing stands above the history, and the subject when there is no text', () => {
    expect(commentText({ reply: '', signature: '' }, mail('> only a quote'))).toBe('> only a quote');
    expect(commentText({ reply: '', signature: '' }, mail('  '))).toBe('Printer');
    expect(commentText({ reply: 'Thanks', signature: '' }, mail('Thanks'))).toBe('Thanks');
  });
});

describe('commandRefusals', () => {
  it('names the command with its # and the value as written', () => {
    const r = comment(plan(thread('assignee', ann), 'ann@mailroom.test', [support], [], '#status nonsense\n#frobnicate\nHi'));
    expect(commandRefusals(r.commandErrors)).toEqual([
      { command: '#status', value: 'nonsense', error: expect.stringContaining('nonsense') },
      { command: '#frobnicate', value: null, error: '#frobnicate is not a mail command' },
    ]);
  });
});

describe('planNewTicket', () => {
  it('takes an agent’s opening mail commands out of the first comment', () => {
    const r = planNewTicket('#requester jane@customer.test\n#assignee ann@mailroom.test\n#group Billing\n#tags phone\n\nJane called about her invoice.', { role: 'agent' });
    expect(r).toEqual({
      body: 'Jane called about her invoice.',
      public: true,
      changes: { requester: { email: 'jane@customer.test' }, assignee: { email: 'ann@mailroom.test' }, group: { name: 'Billing' }, addTags: ['phone'] },
      commandErrors: [],
    });
    expect(planNewTicket('#note\nFor us only.', { role: 'admin' })).toMatchObject({ body: 'For us only.', public: false, changes: null });
    expect(planNewTicket('#status nonsense\nHi', { role: 'agent' }).commandErrors.map((e) => e.command)).toEqual(['status']);
  });

  it('leaves an end user’s or a stranger’s # lines as they wrote them', () => {
    const text = '#status solved\n#assignee me@evil.test\nPlease close.';
    expect(planNewTicket(text, { role: 'end_user' })).toEqual({ body: text, public: true, changes: null, commandErrors: [] });
    expect(planNewTicket(text, null)).toEqual({ body: text, public: true, changes: null, commandErrors: [] });
  });
});

import { parseSupportAddresses, type Address } from '@mailroom/mail-domain';
import { planComment, readMailCommands } from './comment-plan';
import type { ThreadDecision } from './resolve-thread';
import type { PersonFacts, Relation, TicketFacts } from './ticket-directory';

const supportAddresses = parseSupportAddresses('Acme Support <support@mailroom.test>');
const ticket = (over: Partial<TicketFacts> = {}): TicketFacts => ({ id: 5, status: 'open', requesterId: 10, requesterEmails: ['jane@customer.test'], ccIds: [11], assigneeId: 2, recipient: 'support@mailroom.test', isPublic: true, ...over });
const a = (address: string): Address => ({ address, name: '' });
const support = a('support@mailroom.test');
const jane = a('jane@customer.test');

const thread = (relation: Relation, author: PersonFacts | null, t: TicketFacts | null = ticket()): Extract<ThreadDecision, { kind: 'comment' }> => ({ kind: 'comment', ticketId: 5, matchedBy: 'message_id', ticket: t, author, relation });
const customer: PersonFacts = { id: 10, role: 'end_user' };
const carl: PersonFacts = { id: 11, role: 'end_user' };
const agent: PersonFacts = { id: 2, role: 'agent' };

const plan = (t: Extract<ThreadDecision, { kind: 'comment' }>, author: string, to: Address[], cc: Address[] = [], body = 'Thanks') =>
  planComment({ mail: { to, cc }, body, author: a(author), thread: t, supportAddresses });

describe('planComment: public or private (reference §5.5)', () => {
  it.each<[string, ReturnType<typeof plan>['public'], ReturnType<typeof plan>]>([
    ['the requester comments publicly', true, plan(thread('requester', customer), 'jane@customer.test', [support])],
    ['a CC replying to all (the requester among the recipients) comments publicly', true, plan(thread('cc', carl), 'carl@customer.test', [support], [jane])],
    ['a CC who dropped the requester comments privately', false, plan(thread('cc', carl), 'carl@customer.test', [support])],
    ['a third party with a real reference comments privately', false, plan(thread('stranger', null), 'bob@other.test', [support], [jane])],
    ['a known end user who is not on the ticket comments privately', false, plan(thread('stranger', { id: 12, role: 'end_user' }), 'bob@other.test', [support])],
    ['the assignee comments publicly', true, plan(thread('assignee', agent), 'ann@mailroom.test', [support])],
    ['any agent comments publicly', true, plan(thread('agent', { id: 3, role: 'agent' }), 'al@mailroom.test', [support])],
    ['an agent writing #note comments privately', false, plan(thread('assignee', agent), 'ann@mailroom.test', [support], [], '#note\nChecked the logs')],
    ['an agent writing #public false comments privately', false, plan(thread('agent', agent), 'ann@mailroom.test', [support], [], '#public false\nInternal')],
    ['an agent on a private ticket comments privately', false, plan(thread('agent', agent, ticket({ isPublic: false })), 'ann@mailroom.test', [support])],
    ['an end user’s #note line is plain text and public', true, plan(thread('requester', customer), 'jane@customer.test', [support], [], '#note\nhello')],
  ])('%s', (_case, expected, result) => {
    expect(result.public).toBe(expected);
    expect(result.privateBecause === null).toBe(expected);
  });
});

describe('planComment: CCs from the mail (reference §5.6)', () => {
  it('adds the other To/Cc addresses, never a support address or the author', () => {
    const r = plan(thread('requester', customer), 'jane@customer.test', [support, a('support+t5-abc@mailroom.test'), a('dora@customer.test')], [jane, a('ed@customer.test')]);
    expect(r.ccs.map((c) => c.address)).toEqual(['dora@customer.test', 'ed@customer.test']);
  });

  it('adds none from a third party', () => {
    expect(plan(thread('stranger', null), 'bob@other.test', [support], [a('mallory@other.test')]).ccs).toEqual([]);
  });

  it('proposes at most 48', () => {
    const many = Array.from({ length: 60 }, (_, i) => a(`p${i}@customer.test`));
    expect(plan(thread('requester', customer), 'jane@customer.test', [support], many).ccs).toHaveLength(48);
  });
});

describe('planComment: mail commands', () => {
  it('applies an agent’s commands and leaves them out of the comment', () => {
    const r = plan(thread('assignee', agent), 'ann@mailroom.test', [support], [], '#status solved\n#assignee Al@Mailroom.test\n\nFixed the driver.\n#status open');
    expect(r).toMatchObject({ body: 'Fixed the driver.\n#status open', public: true, changes: { status: 'solved', assignee: { email: 'al@mailroom.test' } } });
  });

  it('ignores commands from end users', () => {
    expect(plan(thread('requester', customer), 'jane@customer.test', [support], [], '#status solved\nThanks')).toMatchObject({ body: '#status solved\nThanks', changes: null });
  });
});

describe('readMailCommands', () => {
  it.each<[string, ReturnType<typeof readMailCommands>]>([
    ['No commands here', { body: 'No commands here', changes: null, public: null }],
    ['#status pending\n#priority urgent\n#type incident\nWaiting', { body: 'Waiting', changes: { status: 'pending', priority: 'urgent', type: 'incident' }, public: null }],
    ['#tags vip, printer\n#notags old\nok', { body: 'ok', changes: { addTags: ['vip', 'printer'], removeTags: ['old'] }, public: null }],
    ['#assignee none\nunassigning', { body: 'unassigning', changes: { assignee: null }, public: null }],
    ['#status nonsense\n#public true\nhi', { body: 'hi', changes: null, public: true }],
    ['#status solved', { body: '#status solved', changes: { status: 'solved' }, public: null }],
    ['Text first\n#status solved', { body: 'Text first\n#status solved', changes: null, public: null }],
  ])('reads %j', (body, expected) => {
    expect(readMailCommands(body)).toEqual(expected);
  });
});

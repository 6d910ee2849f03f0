import type { Db } from '@mailroom/database';
import { decodeTicketId, encodeTicketId, notificationMessageId, ticketToken, type Address, type InboundMail } from '@mailroom/mail-domain';
import { resolveThread, type BodyReferenceChecker, type ThreadDecision } from './resolve-thread';
import type { PersonFacts, TicketDirectory, TicketFacts } from './ticket-directory';

const secret = 'thread-secret';
const noDb = {} as Db; // the in-memory directory below never touches it

/**
 * Tickets 5 (Jane's, CC Carl, assigned to agent Ann), 6 (Bob's) and 9 (closed, Jane's). Ticket
 * 7 is in the log but not yet in the read model.
 */
const people: Record<string, PersonFacts> = {
  'jane@customer.test': { id: 10, role: 'end_user' },
  'carl@customer.test': { id: 11, role: 'end_user' },
  'bob@other.test': { id: 12, role: 'end_user' },
  'ann@mailroom.test': { id: 2, role: 'agent' },
};
const ticket = (id: number, over: Partial<TicketFacts>): TicketFacts => ({ id, status: 'open', requesterId: 10, requesterEmails: ['jane@customer.test'], ccIds: [], ccEmails: [], assigneeId: null, recipient: 'support@mailroom.test', isPublic: true, ...over });
const tickets: Record<number, TicketFacts> = {
  5: ticket(5, { ccIds: [11], ccEmails: ['carl@customer.test'], assigneeId: 2 }),
  6: ticket(6, { requesterId: 12, requesterEmails: ['bob@other.test'] }),
  9: ticket(9, { status: 'closed' }),
};
const directory: TicketDirectory = {
  ticketExists: async (_db, id) => id in tickets || id === 7,
  ticket: async (_db, id) => tickets[id] ?? null,
  person: async (_db, email) => people[email] ?? null,
};

/** Verifies body references without counting failures (the counting is body-reference-guard's, tested on Postgres). */
const verifyOnly: BodyReferenceChecker = async (_db, { candidates, secret: s }) => {
  const hit = candidates.find((c) => decodeTicketId(c.encoded, s) === c.namedTicketId);
  return hit ? { kind: 'verified', ticketId: hit.namedTicketId } : candidates.length ? { kind: 'refused', note: 'did not verify' } : { kind: 'none' };
};
const at = new Date('2026-11-25T09:00:00Z');

const mail = (over: Partial<InboundMail> = {}): InboundMail => ({
  messageId: '<m@customer.test>',
  inReplyTo: [],
  references: [],
  from: null,
  replyTo: [],
  to: [{ address: 'support@mailroom.test', name: '' }],
  cc: [],
  subject: 'Hello',
  text: 'Hi',
  html: null,
  date: null,
  headers: {},
  returnPath: null,
  ...over,
});
const from = (address: string): Address => ({ address, name: address.split('@')[0] });
const note = (id: number) => notificationMessageId(id, '3f1c9a2e-0000-4000-8000-00000000000a', 'mailroom.test', secret);

type Expected = Partial<Extract<ThreadDecision, { kind: 'comment' }>> | Partial<Extract<ThreadDecision, { kind: 'new_ticket' }>>;

describe('resolveThread', () => {
  it.each<[string, InboundMail, string, string | null, Expected]>([
    // 1. our Message-IDs
    ['our Message-ID in In-Reply-To threads the requester', mail({ inReplyTo: [note(5)] }), 'jane@customer.test', null, { kind: 'comment', ticketId: 5, matchedBy: 'message_id', relation: 'requester' }],
    ['our Message-ID wins over a plus-address and a subject number', mail({ references: [note(5)], subject: 'Re: [#6]' }), 'bob@other.test', ticketToken(6, secret), { kind: 'comment', ticketId: 5, matchedBy: 'message_id' }],
    ['a ticket in the log but not yet in the read model still threads', mail({ inReplyTo: [note(7)] }), 'jane@customer.test', null, { kind: 'comment', ticketId: 7, ticket: null, relation: 'stranger' }],
    // 2. encoded ids
    ['the plus-address token', mail(), 'carl@customer.test', ticketToken(5, secret), { kind: 'comment', ticketId: 5, matchedBy: 'reply_to_token', relation: 'cc' }],
    ['the encoded id in the body', mail({ text: `thanks\n[${encodeTicketId(5, secret)}]` }), 'ann@mailroom.test', null, { kind: 'comment', ticketId: 5, matchedBy: 'body_token', relation: 'assignee' }],
    ['an encoded id reaches the ticket for a stranger too (visibility makes it private)', mail({ text: `[${encodeTicketId(5, secret)}]` }), 'bob@other.test', null, { kind: 'comment', ticketId: 5, relation: 'stranger' }],
    ['a closed ticket is still the thread (the ticket service opens the follow-up)', mail({ inReplyTo: [note(9)] }), 'jane@customer.test', null, { kind: 'comment', ticketId: 9, ticket: expect.objectContaining({ status: 'closed' }) }],
    // 3. subject numbers, for the requester and CCs only
    ['a subject number from the requester', mail({ subject: 'Re: Printer [#5]' }), 'jane@customer.test', null, { kind: 'comment', ticketId: 5, matchedBy: 'subject_number', relation: 'requester' }],
    ['a subject number from a CC', mail({ subject: 'Ticket #5 again' }), 'carl@customer.test', null, { kind: 'comment', ticketId: 5, matchedBy: 'subject_number', relation: 'cc' }],
    ['a subject number of a closed ticket from its requester', mail({ subject: 'Re: #9' }), 'jane@customer.test', null, { kind: 'comment', ticketId: 9, matchedBy: 'subject_number' }],
    ['the first subject number the sender may use', mail({ subject: 'About #6 and #5' }), 'jane@customer.test', null, { kind: 'comment', ticketId: 5, matchedBy: 'subject_number' }],
    // 4. otherwise a new ticket
    ['no reference at all', mail({ subject: 'New problem' }), 'jane@customer.test', null, { kind: 'new_ticket', note: null }],
    ['a reference to a ticket that does not exist', mail({ inReplyTo: [note(404)] }), 'jane@customer.test', null, { kind: 'new_ticket', note: 'referenced ticket 404 does not exist' }],
    ['a subject number of a ticket that does not exist', mail({ subject: 'Re: [#404]' }), 'jane@customer.test', null, { kind: 'new_ticket', note: null }],
  ])('%s', async (_case, m, author, tag, expected) => {
    const decision = await resolveThread(noDb, { mail: m, requester: from(author), rcptTag: tag, secret, at }, directory, verifyOnly);
    expect(decision).toMatchObject(expected);
  });

  describe('refuses to let a stranger into someone else’s ticket by subject number', () => {
    it.each<[string, string, string]>([
      ['another customer', 'bob@other.test', 'Re: [#5] Printer'],
      ['an unknown sender', 'nobody@nowhere.test', 'Ticket #5'],
      ['an agent who is not on the ticket (agents use the real reply)', 'ann@mailroom.test', 'Re: #6'],
      ['the requester of another ticket naming a ticket they are not on', 'jane@customer.test', 'Re: [#6]'],
    ])('%s', async (_case, author, subject) => {
      const decision = await resolveThread(noDb, { mail: mail({ subject }), requester: from(author), rcptTag: null, secret, at }, directory, verifyOnly);
      expect(decision).toMatchObject({ kind: 'new_ticket', note: expect.stringMatching(/neither its requester nor a CC/) });
    });

    it.each<[string, InboundMail, string | null]>([
      ['a forged Message-ID', mail({ inReplyTo: [note(5).replace('t5-', 't6-')] }), null],
      ['a forged plus-address', mail(), ticketToken(5, secret).replace('t5-', 't6-')],
      ['an encoded id under another secret', mail({ text: `[${encodeTicketId(6, 'other')}]` }), null],
    ])('and ignores %s', async (_case, m, tag) => {
      const decision = await resolveThread(noDb, { mail: m, requester: from('bob@other.test'), rcptTag: tag, secret, at }, directory, verifyOnly);
      expect(decision.kind).toBe('new_ticket');
    });
  });
});

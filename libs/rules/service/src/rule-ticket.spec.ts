import type { Message, TicketEvent } from '@mailroom/contracts';
import { evolveRuleTicket, toRuleUpdate } from './rule-ticket';

const via = { channel: 'email' as const, source: { from: {}, to: {}, rel: null } };
const created: TicketEvent = {
  type: 'ticket.created',
  data: { ticketId: 7, subject: 'Help', requesterId: 1, submitterId: 1, recipient: 'support@x.test', status: 'new', priority: null, type: null, groupId: null, assigneeId: null, tags: [], ccIds: [], externalId: null, organizationId: 30, via, mail: null, createdAt: '2026-01-01T00:00:00Z' },
};
const comment = (authorId: number, isPublic: boolean): TicketEvent => ({
  type: 'ticket.comment_added',
  data: { ticketId: 7, commentId: 1, authorId, body: 'hi', htmlBody: '<p>hi</p>', public: isPublic, attachments: [], via, mail: null, createdAt: '2026-01-01T00:00:00Z' },
});
const status = (from: string, to: string) => ({ type: 'ticket.status_changed', data: { ticketId: 7, from, to } }) as TicketEvent;

describe('the rules projection of a ticket', () => {
  it('keeps the organization the ticket was created with', () => {
    expect(evolveRuleTicket(null, created)).toMatchObject({ organizationId: 30, reopens: 0, replies: 0, via: 'email' });
  });

  it('counts a reopen each time a solved ticket goes back to open, pending or on-hold, and nothing else', () => {
    let t = evolveRuleTicket(null, created);
    for (const [from, to] of [['new', 'open'], ['open', 'solved'], ['solved', 'open'], ['open', 'solved'], ['solved', 'hold'], ['hold', 'solved'], ['solved', 'closed']]) t = evolveRuleTicket(t, status(from, to));
    expect(t).toMatchObject({ reopens: 2, status: 'closed' });
  });

  it('counts public comments by agents as replies, not private notes nor the customer', () => {
    let t = evolveRuleTicket(null, created);
    t = evolveRuleTicket(t, comment(10, true), { actor: { userId: 10, role: 'agent' } });
    t = evolveRuleTicket(t, comment(10, false), { actor: { userId: 10, role: 'agent' } });
    t = evolveRuleTicket(t, comment(1, true), { actor: { userId: 1, role: 'end_user' } });
    t = evolveRuleTicket(t, comment(12, true), { actor: { userId: 12, role: 'admin' } });
    expect(t).toMatchObject({ replies: 2, hasPublicComments: true });
  });

  it('gives the update the time it happened, for business-hours conditions', () => {
    const m = { id: 'e1', kind: 'event', type: 'ticket.status_changed', schemaVersion: 1, streamId: 'ticket-7', streamVersion: 3, globalPosition: '9', data: status('open', 'pending').data, metadata: { updateId: 'u1', occurredAt: '2026-03-02T09:30:00.000Z' } } as Message;
    const before = evolveRuleTicket(null, created)!;
    expect(toRuleUpdate([m], before, { ...before, status: 'pending' })).toMatchObject({ updateId: 'u1', isCreate: false, occurredAt: '2026-03-02T09:30:00.000Z' });
  });
});

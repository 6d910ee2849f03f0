import type { Actor, TicketEvent } from '@mailroom/contracts';
import { decide, evolve, initialTicketState, type TicketState } from './ticket';

/** Shared by the ticket domain's specs: one instant, the usual people, a ticket a customer mailed in. */
export const NOW = '2026-12-01T08:00:00.000Z';
export const CUSTOMER: Actor = { userId: 10, role: 'end_user' };
export const SYSTEM: Actor = { userId: null, role: 'system' };

/** Folds events into a state, as the service does when it loads a ticket. */
export const replay = (events: TicketEvent[], start: TicketState = initialTicketState(), meta: { causationId?: string } = {}): TicketState =>
  events.reduce((s, e) => evolve(s, e, { occurredAt: NOW, ...meta }), start);

/** Ticket `ticketId`, created by the customer's email "Hi" with the subject given, status new. */
export const mailedInTicket = (ticketId: number, subject = 'Hello'): TicketState => {
  const d = decide(
    {
      type: 'CreateTicket',
      now: NOW,
      actor: CUSTOMER,
      via: { channel: 'email', source: { from: {}, to: {}, rel: null } },
      ticketId,
      subject,
      requesterId: 10,
      submitterId: 10,
      recipient: null,
      comment: { commentId: 1, authorId: 10, body: 'Hi', htmlBody: '<p>Hi</p>', public: true, attachments: [] },
      ccIds: [],
      fields: {},
      mail: null,
    },
    initialTicketState(),
  );
  if (!d.ok) throw new Error(d.error.message);
  return replay(d.events);
};

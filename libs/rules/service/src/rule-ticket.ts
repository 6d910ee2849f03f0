import type { Actor, Message, TicketEvent } from '@mailroom/contracts';
import type { RuleTicket, RuleUpdate } from '@mailroom/rules-domain';
import { blankSnapshot, foldTicketSnapshot, ratingOfScore, satisfactionScoreOf, viaOfChannel, type SnapshotMessage, type TicketSnapshot } from '@mailroom/ticket-domain';

/** Who wrote the event (its metadata's actor): tells an agent's reply from a customer's comment. */
export interface RuleEventContext {
  actor?: Actor;
}

/**
 * The rules service's projection of a ticket, what conditions look at: the ticket snapshot
 * (`@mailroom/ticket-domain`) in the shape `rules.tickets.state` stores. Custom fields and
 * schedules are not carried by ticket events yet, so the engine reads their defaults.
 */
export const ruleTicketOf = (s: TicketSnapshot): RuleTicket => {
  const t: RuleTicket = {
    id: s.id,
    status: s.status,
    priority: s.priority,
    type: s.type,
    groupId: s.groupId,
    assigneeId: s.assigneeId,
    requesterId: s.requesterId,
    organizationId: s.organizationId,
    tags: s.tags,
    ccIds: s.ccIds,
    recipient: s.recipient,
    subject: s.subject,
    hasPublicComments: s.hasPublicComments,
  };
  if (s.via) t.via = s.via.channel;
  t.reopens = s.reopens;
  t.replies = s.replies;
  // Conditions tell a rating with a comment from one without (`good_with_comment`); unoffered: absent.
  if (s.satisfaction) t.satisfactionScore = satisfactionScoreOf(s);
  return t;
};

/** A stored rule ticket read back as a snapshot (what it does not keep, blank: see `blankSnapshot`). */
export const snapshotOfRuleTicket = (t: RuleTicket): TicketSnapshot =>
  blankSnapshot({
    id: t.id,
    status: t.status,
    priority: t.priority,
    type: t.type,
    groupId: t.groupId,
    assigneeId: t.assigneeId,
    requesterId: t.requesterId,
    organizationId: t.organizationId,
    tags: t.tags,
    ccIds: t.ccIds,
    recipient: t.recipient,
    subject: t.subject,
    hasPublicComments: t.hasPublicComments,
    via: t.via ? viaOfChannel(t.via) : null,
    reopens: t.reopens ?? 0,
    replies: t.replies ?? 0,
    satisfaction: ratingOfScore(t.satisfactionScore, t.id, t.requesterId),
  });

/** A rule ticket after some of its log messages (one update's, usually): read back once, folded, mapped once. */
export const foldRuleTicket = (state: RuleTicket | null, messages: readonly SnapshotMessage[]): RuleTicket | null => {
  const s = foldTicketSnapshot(state && snapshotOfRuleTicket(state), messages);
  return s && ruleTicketOf(s);
};

/** One event (its writer in `ctx`, for replies) applied to a rule ticket. */
export const evolveRuleTicket = (state: RuleTicket | null, e: TicketEvent, ctx: RuleEventContext = {}): RuleTicket | null =>
  foldRuleTicket(state, [{ type: e.type, data: e.data, metadata: { occurredAt: '', actor: ctx.actor } }]);

/** Builds the update rules evaluate from the events one command wrote. */
export const toRuleUpdate = (events: Message[], before: RuleTicket | null, after: RuleTicket): RuleUpdate => {
  const first = events[0];
  const comment = events.find((m) => m.type === 'ticket.comment_added');
  const created = events.find((m) => m.type === 'ticket.created');
  const c = comment?.data as { authorId: number; public: boolean; body: string; mail: RuleUpdate['mail'] } | undefined;
  return {
    updateId: first.metadata.updateId ?? first.id,
    isCreate: !!created,
    actor: first.metadata.actor ?? { userId: null, role: 'system' },
    via: first.metadata.via ?? { channel: 'system', source: { from: {}, to: {}, rel: null } },
    comment: c ? { authorId: c.authorId, public: c.public, body: c.body } : null,
    mail: c?.mail ?? (created?.data as { mail?: RuleUpdate['mail'] } | undefined)?.mail ?? null,
    before,
    after,
    occurredAt: first.metadata.occurredAt,
  };
};

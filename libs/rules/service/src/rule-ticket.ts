import type { Actor, Message, TicketEvent } from '@mailroom/contracts';
import type { RuleTicket, RuleUpdate } from '@mailroom/rules-domain';

/** Who wrote the event (its metadata's actor): tells an agent's reply from a customer's comment. */
export interface RuleEventContext {
  actor?: Actor;
}

const isAgent = (role: Actor['role'] | undefined) => role === 'agent' || role === 'admin';

/** Zendesk counts a reopen each time a solved ticket goes back to open, pending or on-hold. */
const REOPENED_TO = ['open', 'pending', 'hold'];

/**
 * The rules service's projection of a ticket: what conditions look at. Custom fields and schedules
 * are not carried by ticket events yet, so the engine reads their defaults.
 */
export const evolveRuleTicket = (state: RuleTicket | null, e: TicketEvent, ctx: RuleEventContext = {}): RuleTicket | null => {
  if (e.type === 'ticket.created') {
    const d = e.data;
    return {
      id: d.ticketId,
      status: d.status,
      priority: d.priority,
      type: d.type,
      groupId: d.groupId,
      assigneeId: d.assigneeId,
      requesterId: d.requesterId,
      organizationId: d.organizationId ?? null,
      tags: d.tags,
      ccIds: d.ccIds,
      recipient: d.recipient,
      subject: d.subject,
      hasPublicComments: false,
      via: d.via.channel,
      reopens: 0,
      replies: 0,
    };
  }
  if (!state) return null;
  switch (e.type) {
    case 'ticket.comment_added': {
      const byAgent = e.data.public && ctx.actor?.userId === e.data.authorId && isAgent(ctx.actor?.role);
      return { ...state, hasPublicComments: state.hasPublicComments || e.data.public, replies: (state.replies ?? 0) + (byAgent ? 1 : 0) };
    }
    case 'ticket.status_changed': {
      const reopened = e.data.from === 'solved' && REOPENED_TO.includes(e.data.to);
      return { ...state, status: e.data.to, reopens: (state.reopens ?? 0) + (reopened ? 1 : 0) };
    }
    case 'ticket.priority_changed':
      return { ...state, priority: e.data.to };
    case 'ticket.type_changed':
      return { ...state, type: e.data.to };
    case 'ticket.subject_changed':
      return { ...state, subject: e.data.to };
    case 'ticket.group_changed':
      return { ...state, groupId: e.data.to };
    case 'ticket.assignee_changed':
      return { ...state, assigneeId: e.data.to };
    case 'ticket.requester_changed':
      return { ...state, requesterId: e.data.to };
    case 'ticket.tags_changed':
      return { ...state, tags: e.data.tags };
    case 'ticket.ccs_changed':
      return { ...state, ccIds: e.data.ccIds };
    case 'ticket.satisfaction_offered':
      return { ...state, satisfactionScore: 'offered' };
    case 'ticket.satisfaction_rated':
      // Conditions tell a rating with a comment from one without (`good_with_comment`).
      return { ...state, satisfactionScore: e.data.comment ? `${e.data.score}_with_comment` : e.data.score };
    default:
      return state;
  }
};

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

// The four projections of ticket state derive from one snapshot and its evolve (issue 8; DESIGN.md
// §4). This spec holds each projection's hand-written fold as it was before (the oracle, copied
// below unchanged but for names) and checks, over randomized ticket histories, that the new path
// (snapshot evolve + mapping to and from the stored shape) stores the same rows and views: per
// update as the consumers fold them (the stored JSON read back between updates), per event, and
// as the rebuilds fold them. It lives here, outside the libraries, because it imports all four
// services (a domain spec may not, and no service may import another's infrastructure).
import { RECORD_ONLY_TICKET_EVENTS, type Actor, type Message, type TicketEvent } from '@mailroom/contracts';
import type { RuleTicket } from '@mailroom/rules-domain';
import { randomTicketHistory, type HistoryUpdate } from '../../libs/ticket/domain/testing/ticket-histories';
import { evolveRuleTicket, foldRuleTicket } from '../../libs/rules/service/src/rule-ticket';
import { evolveSchedulerState, evolveSchedulerTicket, foldSchedulerTicket, schedulerRowOf, type SchedulerTicket, type SchedulerTicketRow } from '../../libs/scheduler/service/src/scheduler-consumer';
import { evolveView, type StoredView } from '../../libs/notifier/service/src/notifier-projection';
import { snapshotOfTicketRow, ticketEventEffect, ticketRowOf, type TicketRow } from '../../libs/ticket/service/src/read-model/ticket-projection';
import type { SatisfactionRatingRow } from '../../libs/ticket/service/src/satisfaction/satisfaction-read-model';
import type { TicketSnapshot } from '@mailroom/ticket-domain';

const SEEDS = 200;
const stored = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const eventOf = (m: Message): TicketEvent => ({ type: m.type, data: m.data }) as TicketEvent;
const histories = (): [number, HistoryUpdate[]][] => Array.from({ length: SEEDS }, (_, i) => [i + 1, randomTicketHistory(i + 1, 20)]);

// ---------------------------------------------------------------------------------------------
// The oracles: the folds as they were before the snapshot (commit ebeb420).

const OLD_REOPENED_TO = ['open', 'pending', 'hold'];
const oldIsAgent = (role: string | undefined) => role === 'agent' || role === 'admin';

/** libs/rules/service/src/rule-ticket.ts `evolveRuleTicket`. */
const oldRuleTicket = (state: RuleTicket | null, e: TicketEvent, ctx: { actor?: Actor } = {}): RuleTicket | null => {
  if (e.type === 'ticket.created') {
    const d = e.data;
    return { id: d.ticketId, status: d.status, priority: d.priority, type: d.type, groupId: d.groupId, assigneeId: d.assigneeId, requesterId: d.requesterId, organizationId: d.organizationId ?? null, tags: d.tags, ccIds: d.ccIds, recipient: d.recipient, subject: d.subject, hasPublicComments: false, via: d.via.channel, reopens: 0, replies: 0 };
  }
  if (!state) return null;
  switch (e.type) {
    case 'ticket.comment_added': {
      const byAgent = e.data.public && ctx.actor?.userId === e.data.authorId && oldIsAgent(ctx.actor?.role);
      return { ...state, hasPublicComments: state.hasPublicComments || e.data.public, replies: (state.replies ?? 0) + (byAgent ? 1 : 0) };
    }
    case 'ticket.status_changed': {
      const reopened = e.data.from === 'solved' && OLD_REOPENED_TO.includes(e.data.to);
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
      return { ...state, satisfactionScore: e.data.comment ? `${e.data.score}_with_comment` : e.data.score };
    default:
      return state;
  }
};

const OLD_STATUS_TIME = { new: null, open: 'open_at', pending: 'pending_at', hold: 'hold_at', solved: 'solved_at', closed: 'closed_at' } as const;

/** libs/scheduler/service/src/scheduler-consumer.ts `evolveSchedulerTicket`. */
const oldSchedulerTicket = (row: SchedulerTicketRow | null, m: Message): SchedulerTicketRow | null => {
  const e = { type: m.type, data: m.data } as TicketEvent;
  const at = m.metadata.occurredAt;
  if (e.type === 'ticket.created') {
    const d = e.data;
    const created: SchedulerTicketRow = {
      id: d.ticketId, version: m.streamVersion, status: d.status, type: d.type, priority: d.priority, group_id: d.groupId, assignee_id: d.assigneeId, requester_id: d.requesterId, organization_id: d.organizationId ?? null, tags: d.tags, satisfaction_score: 'unoffered',
      via: d.via.channel, recipient: d.recipient, subject: d.subject, has_public_comments: false, cc_ids: d.ccIds, reopens: 0, replies: 0, created_at: d.createdAt, updated_at: d.createdAt, status_changed_at: d.createdAt,
      open_at: null, pending_at: null, hold_at: null, solved_at: null, closed_at: null, assigned_at: d.assigneeId !== null ? d.createdAt : null, requester_updated_at: d.createdAt, assignee_updated_at: null, due_at: null, automation_updates: 0,
    };
    const column = OLD_STATUS_TIME[d.status];
    return column ? { ...created, [column]: d.createdAt } : created;
  }
  if (!row) return null;
  const recordOnly = RECORD_ONLY_TICKET_EVENTS.has(e.type);
  const next: SchedulerTicketRow = { ...row, version: m.streamVersion, updated_at: recordOnly ? row.updated_at : at };
  if ((m.metadata.updateIndex ?? 0) === 0 && m.metadata.via?.channel === 'rule' && m.metadata.via.source.rel === 'automation') next.automation_updates += 1;
  switch (e.type) {
    case 'ticket.status_changed': {
      const column = OLD_STATUS_TIME[e.data.to];
      const reopened = e.data.from === 'solved' && OLD_REOPENED_TO.includes(e.data.to);
      return { ...next, status: e.data.to, status_changed_at: at, reopens: next.reopens + (reopened ? 1 : 0), ...(column ? { [column]: at } : {}) };
    }
    case 'ticket.comment_added': {
      const role = m.metadata.actor?.role;
      const byAgent = e.data.public && m.metadata.actor?.userId === e.data.authorId && oldIsAgent(role);
      const base = { ...next, has_public_comments: next.has_public_comments || e.data.public, replies: next.replies + (byAgent ? 1 : 0) };
      if (role === 'end_user') return { ...base, requester_updated_at: at };
      if (oldIsAgent(role)) return { ...base, assignee_updated_at: at };
      return base;
    }
    case 'ticket.priority_changed':
      return { ...next, priority: e.data.to };
    case 'ticket.type_changed':
      return { ...next, type: e.data.to };
    case 'ticket.subject_changed':
      return { ...next, subject: e.data.to };
    case 'ticket.group_changed':
      return { ...next, group_id: e.data.to };
    case 'ticket.assignee_changed':
      return { ...next, assignee_id: e.data.to, assigned_at: e.data.to !== null ? at : next.assigned_at };
    case 'ticket.requester_changed':
      return { ...next, requester_id: e.data.to };
    case 'ticket.tags_changed':
      return { ...next, tags: e.data.tags };
    case 'ticket.ccs_changed':
      return { ...next, cc_ids: e.data.ccIds };
    default:
      break;
  }
  if (m.type === 'ticket.satisfaction_offered' && next.satisfaction_score === 'unoffered') return { ...next, satisfaction_score: 'offered' };
  if (m.type === 'ticket.satisfaction_rated') {
    const d = m.data as { score?: string; comment?: string | null };
    if (d.score === 'good' || d.score === 'bad') return { ...next, satisfaction_score: d.comment ? `${d.score}_with_comment` : d.score };
  }
  return next;
};

const OLD_VIA_WORDS: Record<string, string> = { email: 'Mail', api: 'Web service', web: 'Web form', rule: 'Rule', closed_ticket: 'Closed ticket', system: 'System' };

/** libs/notifier/service/src/notifier-projection.ts `evolveView`. */
const oldView = (v: StoredView | null, e: TicketEvent, m: Message): StoredView | null => {
  const at = m.metadata.occurredAt;
  if (e.type === 'ticket.created') {
    const d = e.data;
    return {
      id: d.ticketId, subject: d.subject, status: d.status, priority: d.priority, type: d.type, tags: d.tags, recipient: d.recipient, createdAt: d.createdAt, updatedAt: d.createdAt, via: OLD_VIA_WORDS[d.via.channel] ?? d.via.channel,
      groupId: d.groupId, requesterId: d.requesterId, assigneeId: d.assigneeId, ccIds: d.ccIds, comments: [], submitterId: d.submitterId, externalId: d.externalId, createdUpdateId: m.metadata.updateId ?? null,
      createdByRole: m.metadata.actor?.role ?? null, createdVia: d.via.channel, inboundMessageIds: d.mail ? [d.mail.messageId] : [],
    };
  }
  if (!v) return null;
  switch (e.type) {
    case 'ticket.comment_added': {
      const d = e.data;
      const ids = d.mail && !v.inboundMessageIds.includes(d.mail.messageId) ? [...v.inboundMessageIds, d.mail.messageId].slice(-20) : v.inboundMessageIds;
      return { ...v, updatedAt: d.createdAt, inboundMessageIds: ids, comments: [...v.comments, { id: d.commentId, authorId: d.authorId, body: d.body, htmlBody: d.htmlBody, public: d.public, createdAt: d.createdAt, attachments: (d.attachments ?? []).map((a) => ({ fileName: a.fileName })) }] };
    }
    case 'ticket.status_changed':
      return { ...v, status: e.data.to, updatedAt: at };
    case 'ticket.priority_changed':
      return { ...v, priority: e.data.to, updatedAt: at };
    case 'ticket.type_changed':
      return { ...v, type: e.data.to, updatedAt: at };
    case 'ticket.subject_changed':
      return { ...v, subject: e.data.to, updatedAt: at };
    case 'ticket.group_changed':
      return { ...v, groupId: e.data.to, updatedAt: at };
    case 'ticket.assignee_changed':
      return { ...v, assigneeId: e.data.to, updatedAt: at };
    case 'ticket.requester_changed':
      return { ...v, requesterId: e.data.to, updatedAt: at };
    case 'ticket.tags_changed':
      return { ...v, tags: e.data.tags, updatedAt: at };
    case 'ticket.ccs_changed':
      return { ...v, ccIds: e.data.ccIds, updatedAt: at };
    case 'ticket.satisfaction_offered':
      return { ...v, satisfaction: { score: 'offered', comment: v.satisfaction?.comment ?? null }, updatedAt: at };
    case 'ticket.satisfaction_rated':
      return { ...v, satisfaction: { score: e.data.score, comment: e.data.comment }, updatedAt: at };
    default:
      return v;
  }
};

/** libs/ticket/service/src/satisfaction/satisfaction-read-model.ts `evolveRating`. */
const oldRating = (before: SatisfactionRatingRow | undefined, ticket: { id: number; assignee_id: number | null; group_id: number | null }, e: TicketEvent, at: string): SatisfactionRatingRow | null => {
  if (e.type === 'ticket.satisfaction_offered') {
    if (before) return null;
    return { id: ticket.id, ticket_id: ticket.id, requester_id: e.data.requesterId, assignee_id: ticket.assignee_id, group_id: ticket.group_id, score: 'offered', comment: null, created_at: at, updated_at: at };
  }
  if (e.type === 'ticket.satisfaction_rated') {
    const d = e.data;
    return { id: d.ratingId, ticket_id: d.ticketId, requester_id: d.requesterId, assignee_id: ticket.assignee_id, group_id: ticket.group_id, score: d.score, comment: d.comment, created_at: before?.created_at ?? d.ratedAt, updated_at: d.ratedAt };
  }
  return null;
};

/** libs/ticket/service/src/read-model/ticket-projection.ts: the row part of `ticketEventEffect` (its creation and `evolveRow`). */
const oldTicketRow = (row: TicketRow | null, m: Message, e: TicketEvent): TicketRow | null => {
  if (e.type === 'ticket.created') {
    if (row) return null;
    const d = e.data;
    return {
      id: d.ticketId, subject: d.subject, raw_subject: d.subject, description: '', status: d.status, priority: d.priority, type: d.type, recipient: d.recipient, requester_id: d.requesterId, submitter_id: d.submitterId,
      assignee_id: d.assigneeId, group_id: d.groupId, organization_id: d.organizationId ?? null, collaborator_ids: d.ccIds, email_cc_ids: d.ccIds, follower_ids: [], tags: d.tags, external_id: d.externalId, via: d.via, is_public: false, created_at: d.createdAt, updated_at: d.createdAt,
    };
  }
  if (!row) return null;
  const at = m.metadata.occurredAt;
  switch (e.type) {
    case 'ticket.comment_added':
      return { ...row, description: row.description || e.data.body, is_public: row.is_public || e.data.public, updated_at: e.data.createdAt };
    case 'ticket.status_changed':
      return { ...row, status: e.data.to, updated_at: at };
    case 'ticket.priority_changed':
      return { ...row, priority: e.data.to, updated_at: at };
    case 'ticket.type_changed':
      return { ...row, type: e.data.to, updated_at: at };
    case 'ticket.subject_changed':
      return { ...row, subject: e.data.to, raw_subject: e.data.to, updated_at: at };
    case 'ticket.group_changed':
      return { ...row, group_id: e.data.to, updated_at: at };
    case 'ticket.assignee_changed':
      return { ...row, assignee_id: e.data.to, updated_at: at };
    case 'ticket.requester_changed':
      return { ...row, requester_id: e.data.to, updated_at: at };
    case 'ticket.tags_changed':
      return { ...row, tags: e.data.tags, updated_at: at };
    case 'ticket.ccs_changed':
      return { ...row, collaborator_ids: e.data.ccIds, email_cc_ids: e.data.ccIds, updated_at: at };
    case 'ticket.satisfaction_offered':
    case 'ticket.satisfaction_rated': {
      const rating = oldRating(row.satisfaction_rating, row, e, at);
      return rating ? { ...row, satisfaction_rating: rating, updated_at: at } : row;
    }
    default:
      return row;
  }
};

// ---------------------------------------------------------------------------------------------

describe('every projection of ticket state stores what its own fold stored (randomized histories)', () => {
  it('covers every ticket event type', () => {
    const seen = new Set(histories().flatMap(([, h]) => h.flatMap((u) => u.messages.map((m) => m.type))));
    expect([...seen].sort()).toEqual(
      [
        'ticket.created', 'ticket.comment_added', 'ticket.mail_command_refused', 'ticket.status_changed', 'ticket.priority_changed', 'ticket.type_changed', 'ticket.subject_changed', 'ticket.group_changed',
        'ticket.assignee_changed', 'ticket.requester_changed', 'ticket.tags_changed', 'ticket.ccs_changed', 'ticket.trigger_fired', 'ticket.notification_requested', 'ticket.notification_delivered',
        'ticket.notification_failed', 'ticket.webhook_requested', 'ticket.webhook_delivered', 'ticket.webhook_failed', 'ticket.delivery_bounced', 'ticket.satisfaction_offered', 'ticket.satisfaction_rated',
      ].sort(),
    );
  });

  it("the rules' rules.tickets state: per update (as the consumer and the what-if fold it) and per event", () => {
    for (const [seed, history] of histories()) {
      let old: RuleTicket | null = null;
      let next: RuleTicket | null = null;
      let perEvent: RuleTicket | null = null;
      for (const { messages } of history) {
        for (const m of messages) {
          old = oldRuleTicket(old, eventOf(m), { actor: m.metadata.actor });
          perEvent = stored(evolveRuleTicket(perEvent, eventOf(m), { actor: m.metadata.actor }));
          expect({ seed, v: m.streamVersion, t: perEvent }).toEqual({ seed, v: m.streamVersion, t: stored(old) });
        }
        next = stored(foldRuleTicket(next, messages));
        expect({ seed, t: next }).toEqual({ seed, t: stored(old) });
      }
    }
  });

  it("the scheduler's scheduler.tickets row: per update (the consumer, the what-if), per event, and as the rebuild folds it", () => {
    for (const [seed, history] of histories()) {
      let old: SchedulerTicketRow | null = null;
      let next: SchedulerTicketRow | null = null;
      let perEvent: SchedulerTicketRow | null = null;
      let rebuilt: SchedulerTicket | null = null;
      for (const { messages } of history) {
        for (const m of messages) {
          old = oldSchedulerTicket(old, m);
          perEvent = stored(evolveSchedulerTicket(perEvent, m));
          rebuilt = evolveSchedulerState(rebuilt, m);
          expect({ seed, v: m.streamVersion, row: perEvent }).toEqual({ seed, v: m.streamVersion, row: stored(old) });
        }
        next = stored(foldSchedulerTicket(next, messages));
        expect({ seed, row: next }).toEqual({ seed, row: stored(old) });
      }
      expect({ seed, row: stored(schedulerRowOf(rebuilt!)) }).toEqual({ seed, row: stored(old) });
    }
  });

  it("the notifier's stored view, event by event as the consumer folds it", () => {
    for (const [seed, history] of histories()) {
      let old: StoredView | null = null;
      let next: StoredView | null = null;
      for (const { messages } of history) {
        for (const m of messages) {
          old = oldView(old, eventOf(m), m);
          // The consumer keeps the view in memory within an update and stores it at the end.
          next = evolveView(next, eventOf(m), m);
          expect({ seed, v: m.streamVersion, view: stored(next) }).toEqual({ seed, v: m.streamVersion, view: stored(old) });
        }
        next = stored(next);
      }
    }
  });

  it("the API's ticket.tickets row and its rating: live (the row read back per event) and as the rebuild folds it", () => {
    for (const [seed, history] of histories()) {
      let old: TicketRow | null = null;
      let live: TicketRow | null = null;
      let rebuilt: TicketSnapshot | null = null;
      for (const { messages } of history) {
        for (const m of messages) {
          const e = eventOf(m);
          old = oldTicketRow(old, m, e) ?? old;
          const effect = ticketEventEffect(live && snapshotOfTicketRow(live), m, e);
          live = effect ? stored(ticketRowOf(effect.snapshot)) : live;
          rebuilt = ticketEventEffect(rebuilt, m, e)?.snapshot ?? rebuilt;
          expect({ seed, v: m.streamVersion, row: live }).toEqual({ seed, v: m.streamVersion, row: stored(old) });
        }
      }
      expect({ seed, row: stored(ticketRowOf(rebuilt!)) }).toEqual({ seed, row: stored(old) });
    }
  });
});

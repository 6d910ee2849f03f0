import type {
  Actor,
  AttachmentRef,
  CommentExtraction,
  DeliveryBouncedV1,
  FiredRule,
  MailCommandRefusal,
  MailOrigin,
  RecordSatisfactionRatingV1,
  RecordWebhookDeliveryV1,
  TicketEvent,
  TicketPriority,
  TicketStatus,
  TicketType,
  Via,
} from '@mailroom/contracts';
import { applySystemRules, ccsAfter, firstRefusal, isClosedForUpdates } from '@mailroom/system-rules';
import { withoutSupersededChanges } from './superseded-rule-changes';
import { decideRating, offeringRule, UNOFFERED, type TicketSatisfaction } from './satisfaction';

/** The Ticket aggregate: state folded from its events. */
export interface TicketState {
  exists: boolean;
  id: number;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority | null;
  type: TicketType | null;
  groupId: number | null;
  assigneeId: number | null;
  requesterId: number;
  submitterId: number;
  /** The requester's organization when the ticket was created (Zendesk's ticket.organization_id). */
  organizationId: number | null;
  recipient: string | null;
  tags: string[];
  ccIds: number[];
  via: Via | null;
  createdAt: string;
  updatedAt: string;
  commentCount: number;
  hasPublicComments: boolean;
  /** Updates whose rule actions were applied (idempotency of ApplyRuleActions). */
  ruleUpdates: string[];
  /** `${notificationId}:${address}` already recorded as delivered or failed for good. */
  deliveries: string[];
  /** Legacy CSAT: offered by a rule's survey, rated by the requester (satisfaction.ts); absent: unoffered. */
  satisfaction?: TicketSatisfaction;
}

export const initialTicketState = (): TicketState => ({
  exists: false,
  id: 0,
  subject: '',
  status: 'new',
  priority: null,
  type: null,
  groupId: null,
  assigneeId: null,
  requesterId: 0,
  submitterId: 0,
  organizationId: null,
  recipient: null,
  tags: [],
  ccIds: [],
  via: null,
  createdAt: '',
  updatedAt: '',
  commentCount: 0,
  hasPublicComments: false,
  ruleUpdates: [],
  deliveries: [],
});

export interface NewComment {
  commentId: number;
  authorId: number;
  body: string;
  htmlBody: string;
  public: boolean;
  attachments: AttachmentRef[];
  /** How the text was taken from its mail (mail comments only). */
  extraction?: CommentExtraction;
}

export interface FieldChanges {
  subject?: string;
  status?: TicketStatus;
  priority?: TicketPriority | null;
  type?: TicketType | null;
  groupId?: number | null;
  assigneeId?: number | null;
  requesterId?: number;
  /** Replaces all tags. */
  tags?: string[];
  addTags?: string[];
  removeTags?: string[];
  addCcIds?: number[];
}

interface CommandBase {
  now: string;
  actor: Actor;
  via: Via;
}

export type TicketCommand =
  | (CommandBase & {
      type: 'CreateTicket';
      ticketId: number;
      subject: string;
      requesterId: number;
      submitterId: number;
      recipient: string | null;
      comment: NewComment;
      ccIds: number[];
      fields: Omit<FieldChanges, 'subject' | 'requesterId' | 'addTags' | 'removeTags' | 'addCcIds'>;
      externalId?: string | null;
      /** The requester's organization; the command handler fills it in from the requester when absent. */
      organizationId?: number | null;
      mail: MailOrigin | null;
      /** Mail commands of the comment that were refused: recorded with it. */
      commandErrors?: MailCommandRefusal[];
    })
  | (CommandBase & { type: 'UpdateTicket'; changes: FieldChanges; comment: NewComment | null; mail: MailOrigin | null; commandErrors?: MailCommandRefusal[] })
  | (CommandBase & {
      type: 'ApplyRuleActions';
      updateId: string;
      changes: Omit<FieldChanges, 'subject' | 'requesterId' | 'tags'>;
      fired: FiredRule[];
      /** The `satisfaction_score` action (offered_to_requester) was among the rules' changes. */
      satisfactionOffered?: boolean;
      /** Events of the updates made after the version the rules saw: their field changes win. */
      later?: TicketEvent[];
    })
  | (CommandBase & { type: 'RecordDelivery'; notificationId: string; outcome: DeliveryOutcome })
  /** Several outgoing mails' outcomes in one update (the notifier's sender records a pass at once). */
  | (CommandBase & { type: 'RecordDeliveries'; deliveries: { notificationId: string; outcome: DeliveryOutcome }[] })
  | (CommandBase & { type: 'RecordWebhookDelivery' } & Omit<RecordWebhookDeliveryV1, 'ticketId'>)
  | (CommandBase & { type: 'RecordWebhookDeliveries'; calls: Omit<RecordWebhookDeliveryV1, 'ticketId'>[] })
  /** A bounce of a mail about this ticket, with what it did to the address (decided on the user, bounces.ts). */
  | (CommandBase & { type: 'RecordBounce' } & Omit<DeliveryBouncedV1, 'ticketId'>)
  /** The requester's answer through their rating link (the link checked by the caller). */
  | (CommandBase & { type: 'RecordSatisfactionRating' } & Omit<RecordSatisfactionRatingV1, 'ticketId'>);

/** What the relay answered for one outgoing mail (or why it was never sent). */
export type DeliveryOutcome =
  | { status: 'delivered'; to: string[]; messageId: string; relayResponse: string; at: string }
  | { status: 'failed'; to: string[]; error: string; permanent: boolean; at: string };

/** One notification's outcome per recipient list: the key a recorded outcome is known by (see evolve). */
const deliveryKey = (notificationId: string, to: readonly string[]): string => `${notificationId}:${to.join(',')}`;

const deliveryEvent = (ticketId: number, notificationId: string, o: DeliveryOutcome): TicketEvent =>
  o.status === 'delivered'
    ? { type: 'ticket.notification_delivered', data: { ticketId, notificationId, to: o.to, messageId: o.messageId, relayResponse: o.relayResponse, deliveredAt: o.at } }
    : { type: 'ticket.notification_failed', data: { ticketId, notificationId, to: o.to, error: o.error, permanent: o.permanent, failedAt: o.at } };

export type TicketError =
  | { kind: 'not_found'; message: string }
  | { kind: 'closed'; message: string }
  | { kind: 'invalid'; message: string; field?: string };

export type Decision = { ok: true; events: TicketEvent[] } | { ok: false; error: TicketError };

const ok = (events: TicketEvent[]): Decision => ({ ok: true, events });
const fail = (error: TicketError): Decision => ({ ok: false, error });

export const STATUS_ORDER: Record<TicketStatus, number> = { new: 0, open: 1, pending: 2, hold: 3, solved: 4, closed: 5 };

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];
const normaliseTags = (tags: string[]): string[] =>
  uniq(tags.flatMap((t) => t.split(/[\s,]+/)).map((t) => t.trim().toLowerCase()).filter(Boolean));

/**
 * Zendesk's system ticket rules (`@mailroom/system-rules`, shared with the rules engine) over the
 * fields an update asks for: the fields as the rules leave them, and the error a person's update
 * that breaks a guard (back to New, solved without an assignee) is refused with. A rule's change
 * that breaks one is only dropped from the fields, its other changes still counting.
 */
const withSystemRules = (
  by: 'update' | 'rules',
  before: TicketState,
  wanted: FieldChanges,
  actor: Actor,
  comment: NewComment | null,
): { fields: FieldChanges; refused: TicketError | null } => {
  const outcome = applySystemRules({
    by,
    before: before.exists ? { status: before.status, assigneeId: before.assigneeId, groupId: before.groupId } : null,
    wanted: {
      status: wanted.status ?? before.status,
      assigneeId: wanted.assigneeId !== undefined ? wanted.assigneeId : before.assigneeId,
      groupId: wanted.groupId !== undefined ? wanted.groupId : before.groupId,
    },
    statusAsked: wanted.status !== undefined,
    actor,
    comment: comment !== null,
  });
  const refused = firstRefusal(outcome);
  const f: FieldChanges = { ...wanted };
  const ruled = outcome.fields;
  if (ruled.status !== before.status || f.status !== undefined) f.status = ruled.status;
  if (ruled.assigneeId !== before.assigneeId || f.assigneeId !== undefined) f.assigneeId = ruled.assigneeId;
  if (ruled.groupId !== before.groupId || f.groupId !== undefined) f.groupId = ruled.groupId;
  return { fields: f, refused: refused && { kind: 'invalid', message: refused.message, field: refused.field } };
};

const fieldEvents = (before: TicketState, f: FieldChanges): TicketEvent[] => {
  const id = before.id;
  const events: TicketEvent[] = [];
  if (f.subject !== undefined && f.subject !== before.subject) events.push({ type: 'ticket.subject_changed', data: { ticketId: id, from: before.subject, to: f.subject } });
  if (f.requesterId !== undefined && f.requesterId !== before.requesterId) events.push({ type: 'ticket.requester_changed', data: { ticketId: id, from: before.requesterId, to: f.requesterId } });
  if (f.status !== undefined && f.status !== before.status) events.push({ type: 'ticket.status_changed', data: { ticketId: id, from: before.status, to: f.status } });
  if (f.priority !== undefined && f.priority !== before.priority) events.push({ type: 'ticket.priority_changed', data: { ticketId: id, from: before.priority, to: f.priority } });
  if (f.type !== undefined && f.type !== before.type) events.push({ type: 'ticket.type_changed', data: { ticketId: id, from: before.type, to: f.type } });
  if (f.groupId !== undefined && f.groupId !== before.groupId) events.push({ type: 'ticket.group_changed', data: { ticketId: id, from: before.groupId, to: f.groupId } });
  if (f.assigneeId !== undefined && f.assigneeId !== before.assigneeId) events.push({ type: 'ticket.assignee_changed', data: { ticketId: id, from: before.assigneeId, to: f.assigneeId } });
  let tags = f.tags !== undefined ? normaliseTags(f.tags) : before.tags;
  if (f.addTags) tags = uniq([...tags, ...normaliseTags(f.addTags)]);
  if (f.removeTags) {
    const remove = normaliseTags(f.removeTags);
    tags = tags.filter((t) => !remove.includes(t));
  }
  const added = tags.filter((t) => !before.tags.includes(t));
  const removed = before.tags.filter((t) => !tags.includes(t));
  if (added.length || removed.length) events.push({ type: 'ticket.tags_changed', data: { ticketId: id, added, removed, tags } });
  // The requester an update sets is the one the CCs are checked against (system rule).
  const ccs = ccsAfter(before.ccIds, f.requesterId ?? before.requesterId, f.addCcIds ?? []);
  if (ccs.added.length || ccs.removed.length) {
    events.push({ type: 'ticket.ccs_changed', data: { ticketId: id, added: ccs.added, removed: ccs.removed, ccIds: ccs.ccIds } });
  }
  return events;
};

const validateFields = (f: FieldChanges): TicketError | null => {
  if (f.subject !== undefined && f.subject.length > 1000) return { kind: 'invalid', message: 'Subject: is too long (at most 1000 characters)', field: 'subject' };
  return null;
};

const bounceKey = (mailId: string, address: string): string => `bounce:${mailId}:${address}`;

/** Refused mail commands travel with their comment: without one there is no update to show them in. */
const refusals = (ticketId: number, comment: NewComment, errors: readonly MailCommandRefusal[] | undefined): TicketEvent[] =>
  (errors ?? []).map((r) => ({ type: 'ticket.mail_command_refused', data: { ticketId, commentId: comment.commentId, command: r.command, value: r.value, error: r.error } }));

export const decide = (command: TicketCommand, state: TicketState): Decision => {
  switch (command.type) {
    case 'CreateTicket': {
      if (state.exists) return ok([]); // the same creation again: nothing new
      if (!command.comment.body.trim() && !command.comment.htmlBody.trim() && command.comment.attachments.length === 0) {
        return fail({ kind: 'invalid', message: 'Comment: cannot be blank', field: 'comment' });
      }
      const invalid = validateFields({ subject: command.subject });
      if (invalid) return fail(invalid);
      const base: TicketState = { ...initialTicketState(), id: command.ticketId, requesterId: command.requesterId };
      const rules = withSystemRules('update', base, { status: command.fields.status ?? 'new', assigneeId: command.fields.assigneeId ?? null }, command.actor, null);
      if (rules.refused) return fail(rules.refused);
      return ok([
        {
          type: 'ticket.created',
          data: {
            ticketId: command.ticketId,
            subject: command.subject,
            requesterId: command.requesterId,
            submitterId: command.submitterId,
            recipient: command.recipient,
            status: rules.fields.status ?? 'new',
            priority: command.fields.priority ?? null,
            type: command.fields.type ?? null,
            groupId: command.fields.groupId ?? null,
            assigneeId: command.fields.assigneeId ?? null,
            tags: normaliseTags(command.fields.tags ?? []),
            ccIds: ccsAfter([], command.requesterId, command.ccIds).ccIds,
            externalId: command.externalId ?? null,
            organizationId: command.organizationId ?? null,
            via: command.via,
            mail: command.mail,
            createdAt: command.now,
          },
        },
        {
          type: 'ticket.comment_added',
          data: { ticketId: command.ticketId, ...command.comment, via: command.via, mail: command.mail, createdAt: command.now },
        },
        ...refusals(command.ticketId, command.comment, command.commandErrors),
      ]);
    }
    case 'UpdateTicket': {
      if (!state.exists) return fail({ kind: 'not_found', message: 'Ticket not found' });
      if (isClosedForUpdates(state.status)) return fail({ kind: 'closed', message: 'Ticket is closed and cannot be updated; reply creates a follow-up' });
      const invalid = validateFields(command.changes);
      if (invalid) return fail(invalid);
      if (command.comment && !command.comment.body.trim() && !command.comment.htmlBody.trim() && command.comment.attachments.length === 0) {
        return fail({ kind: 'invalid', message: 'Comment: cannot be blank', field: 'comment' });
      }
      const rules = withSystemRules('update', state, command.changes, command.actor, command.comment);
      if (rules.refused) return fail(rules.refused);
      const events: TicketEvent[] = [];
      if (command.comment) {
        events.push({ type: 'ticket.comment_added', data: { ticketId: state.id, ...command.comment, via: command.via, mail: command.mail, createdAt: command.now } });
        events.push(...refusals(state.id, command.comment, command.commandErrors));
      }
      events.push(...fieldEvents(state, rules.fields));
      return ok(events);
    }
    case 'ApplyRuleActions': {
      if (!state.exists) return fail({ kind: 'not_found', message: 'Ticket not found' });
      // An automation's update and the triggers' reply to it share an update id: the key says which.
      const automation = command.fired.some((f) => f.kind === 'automation');
      if (state.ruleUpdates.includes(ruleUpdateKey(command.updateId, automation))) return ok([]);
      // Automations never touch a closed ticket (it may have closed since the scheduler looked).
      if (automation && state.status === 'closed') return ok([]);
      const { changes: current, superseded } = withoutSupersededChanges(command.changes, command.later ?? []);
      // A rule cannot break the system rules; its other actions still count.
      const changes = withSystemRules('rules', state, current, command.actor, null).fields;
      const events: TicketEvent[] = [];
      for (const f of command.fired) {
        const dropped = [...new Set(f.actions.map((a) => a.field).filter((field) => superseded.includes(field)))];
        events.push({ type: 'ticket.trigger_fired', data: { ticketId: state.id, triggerId: f.id, title: f.title, ...(f.kind === 'automation' ? { kind: 'automation' as const } : {}), actions: f.actions, ...(dropped.length ? { superseded: dropped } : {}) } });
      }
      events.push(...fieldEvents(state, changes).map((e) => attributeToRule(e, command.fired)));
      for (const f of command.fired) {
        for (const n of f.notifications) {
          events.push({
            type: 'ticket.notification_requested',
            data: {
              ticketId: state.id,
              notificationId: n.notificationId,
              rule: { kind: f.kind, id: f.id, title: f.title },
              recipientIds: n.recipientIds,
              suppressed: n.suppressed,
              subject: n.subject,
              body: n.body,
            },
          });
        }
      }
      // The survey went out (or the action said so): the ticket is offered, once.
      const offeredBy = (state.satisfaction ?? UNOFFERED).score === 'unoffered' ? offeringRule(command.fired, state.requesterId, !!command.satisfactionOffered) : null;
      if (offeredBy) events.push({ type: 'ticket.satisfaction_offered', data: { ticketId: state.id, requesterId: state.requesterId, rule: { kind: offeredBy.kind, id: offeredBy.id, title: offeredBy.title } } });
      for (const f of command.fired) {
        for (const w of f.webhooks ?? []) {
          events.push({ type: 'ticket.webhook_requested', data: { ticketId: state.id, requestId: w.requestId, webhookId: w.webhookId, rule: { kind: f.kind, id: f.id, title: f.title }, body: w.body } });
        }
      }
      return ok(events);
    }
    case 'RecordWebhookDelivery':
    case 'RecordWebhookDeliveries': {
      if (!state.exists) return fail({ kind: 'not_found', message: 'Ticket not found' });
      // One outcome per webhook call: a repeated record (a redelivered command, an overlapping batch) adds nothing.
      const seen = new Set(state.deliveries);
      const events: TicketEvent[] = [];
      for (const call of command.type === 'RecordWebhookDeliveries' ? command.calls : [command]) {
        if (seen.has(`webhook:${call.requestId}`)) continue;
        seen.add(`webhook:${call.requestId}`);
        const o = call.outcome;
        const base = { ticketId: state.id, requestId: call.requestId, webhookId: call.webhookId, endpoint: call.endpoint, attempts: o.attempts };
        events.push(
          o.status === 'delivered'
            ? { type: 'ticket.webhook_delivered', data: { ...base, statusCode: o.statusCode, deliveredAt: o.at } }
            : { type: 'ticket.webhook_failed', data: { ...base, statusCode: o.statusCode, error: o.error, failedAt: o.at } },
        );
      }
      return ok(events);
    }
    case 'RecordBounce': {
      if (!state.exists) return fail({ kind: 'not_found', message: 'Ticket not found' });
      // One record per report and address: a redelivered report adds nothing.
      if (state.deliveries.includes(bounceKey(command.mailId, command.address))) return ok([]);
      const { type: _type, now: _now, actor: _actor, via: _via, ...bounce } = command;
      return ok([{ type: 'ticket.delivery_bounced', data: { ticketId: state.id, ...bounce } }]);
    }
    case 'RecordSatisfactionRating':
      return decideRating({ ...state, satisfaction: state.satisfaction ?? UNOFFERED }, { requesterId: command.requesterId, score: command.score, comment: command.comment, now: command.now });
    case 'RecordDelivery': {
      if (!state.exists) return fail({ kind: 'not_found', message: 'Ticket not found' });
      if (state.deliveries.includes(deliveryKey(command.notificationId, command.outcome.to))) return ok([]);
      return ok([deliveryEvent(state.id, command.notificationId, command.outcome)]);
    }
    case 'RecordDeliveries': {
      if (!state.exists) return fail({ kind: 'not_found', message: 'Ticket not found' });
      // Each outcome once: one the ticket already has (a replayed or overlapping batch, a single
      // record still in flight from before batches) is skipped, as is a repeat within the batch.
      const seen = new Set(state.deliveries);
      const events: TicketEvent[] = [];
      for (const d of command.deliveries) {
        const key = deliveryKey(d.notificationId, d.outcome.to);
        if (seen.has(key)) continue;
        // A retryable failure is not final (evolve does not remember it): a later outcome still counts.
        if (d.outcome.status === 'delivered' || d.outcome.permanent) seen.add(key);
        events.push(deliveryEvent(state.id, d.notificationId, d.outcome));
      }
      return ok(events);
    }
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown command ${(_exhaustive as { type: string }).type}`);
    }
  }
};

/** What `ruleUpdates` remembers: the update a trigger cycle answered, or an automation's own update. */
const ruleUpdateKey = (updateId: string, automation: boolean): string => (automation ? `automation:${updateId}` : updateId);

/** The rule actions that can set each field; the last rule (in firing order) to set it made the change. */
const ACTION_FIELDS: Partial<Record<TicketEvent['type'], readonly string[]>> = {
  'ticket.status_changed': ['status'],
  'ticket.priority_changed': ['priority'],
  'ticket.type_changed': ['type', 'ticket_type_id'],
  'ticket.group_changed': ['group_id'],
  'ticket.assignee_changed': ['assignee_id'],
  'ticket.tags_changed': ['current_tags', 'set_tags', 'remove_tags'],
  'ticket.ccs_changed': ['cc'],
};

/**
 * Names the trigger or automation behind a field change of a rules update, so the audit says
 * which rule set the priority rather than only which rule fired first. A change the system rules
 * made (no rule action sets that field) keeps no attribution.
 */
const attributeToRule = (e: TicketEvent, fired: readonly FiredRule[]): TicketEvent => {
  const fields = ACTION_FIELDS[e.type];
  if (!fields) return e;
  const by = [...fired].reverse().find((f) => f.actions.some((a) => fields.includes(a.field)));
  return by ? ({ ...e, data: { ...e.data, rule: { kind: by.kind, id: by.id, title: by.title } } } as TicketEvent) : e;
};

export const evolve = (state: TicketState, event: TicketEvent, meta?: { updateId?: string; causationId?: string; occurredAt?: string }): TicketState => {
  const at = meta?.occurredAt ?? state.updatedAt;
  switch (event.type) {
    case 'ticket.created': {
      const d = event.data;
      return {
        ...initialTicketState(),
        exists: true,
        id: d.ticketId,
        subject: d.subject,
        status: d.status,
        priority: d.priority,
        type: d.type,
        groupId: d.groupId,
        assigneeId: d.assigneeId,
        requesterId: d.requesterId,
        submitterId: d.submitterId,
        organizationId: d.organizationId ?? null,
        recipient: d.recipient,
        tags: d.tags,
        ccIds: d.ccIds,
        via: d.via,
        createdAt: d.createdAt,
        updatedAt: d.createdAt,
      };
    }
    case 'ticket.comment_added':
      return { ...state, commentCount: state.commentCount + 1, hasPublicComments: state.hasPublicComments || event.data.public, updatedAt: event.data.createdAt };
    case 'ticket.status_changed':
      return { ...state, status: event.data.to, updatedAt: at };
    case 'ticket.priority_changed':
      return { ...state, priority: event.data.to, updatedAt: at };
    case 'ticket.type_changed':
      return { ...state, type: event.data.to, updatedAt: at };
    case 'ticket.subject_changed':
      return { ...state, subject: event.data.to, updatedAt: at };
    case 'ticket.group_changed':
      return { ...state, groupId: event.data.to, updatedAt: at };
    case 'ticket.assignee_changed':
      return { ...state, assigneeId: event.data.to, updatedAt: at };
    case 'ticket.requester_changed':
      return { ...state, requesterId: event.data.to, updatedAt: at };
    case 'ticket.tags_changed':
      return { ...state, tags: event.data.tags, updatedAt: at };
    case 'ticket.ccs_changed':
      return { ...state, ccIds: event.data.ccIds, updatedAt: at };
    case 'ticket.mail_command_refused':
      return state;
    case 'ticket.trigger_fired': {
      const key = meta?.causationId ? ruleUpdateKey(meta.causationId, event.data.kind === 'automation') : undefined;
      return key && !state.ruleUpdates.includes(key) ? { ...state, ruleUpdates: [...state.ruleUpdates, key] } : state;
    }
    case 'ticket.notification_requested':
    case 'ticket.webhook_requested': {
      const key = meta?.causationId ? ruleUpdateKey(meta.causationId, event.data.rule.kind === 'automation') : undefined;
      return key && !state.ruleUpdates.includes(key) ? { ...state, ruleUpdates: [...state.ruleUpdates, key] } : state;
    }
    case 'ticket.webhook_delivered':
    case 'ticket.webhook_failed':
      return { ...state, deliveries: [...state.deliveries, `webhook:${event.data.requestId}`] };
    case 'ticket.satisfaction_offered':
      return { ...state, satisfaction: { ...(state.satisfaction ?? UNOFFERED), score: 'offered' }, updatedAt: at };
    case 'ticket.satisfaction_rated':
      return { ...state, satisfaction: { score: event.data.score, comment: event.data.comment, ratedAt: event.data.ratedAt }, updatedAt: at };
    case 'ticket.delivery_bounced':
      return { ...state, deliveries: [...state.deliveries, bounceKey(event.data.mailId, event.data.address)] };
    case 'ticket.notification_delivered':
    case 'ticket.notification_failed': {
      const key = deliveryKey(event.data.notificationId, event.data.to);
      if (event.type === 'ticket.notification_failed' && !event.data.permanent) return state;
      return { ...state, deliveries: [...state.deliveries, key] };
    }
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};

import type { Message } from './envelope';
import type { GroupEvent, OrganizationEvent } from './people-events';
import type { MailMessage } from './mail-messages';
import type { TicketEventType } from './ticket-events';
import type { UserEvent } from './user-events';

/**
 * What one command appended to one stream in one transaction (DESIGN.md §6 "an update is the
 * unit"), as Mailroom's own consumers receive it: one broker message, handled in one transaction
 * with one inbox row. `id` is the first event's id (unique in the log, the same every time the
 * update is published again), so a redelivered or republished update finds its inbox row.
 */
export interface Update {
  kind: 'update';
  id: string;
  streamId: string;
  /** The stream versions the update holds, both included (its events are consecutive). */
  fromVersion: number;
  toVersion: number;
  updateId: string;
  /** Routing key on the updates exchange, see {@link updateRoutingKey}. */
  routingKey: UpdateRoutingKey;
  events: Message[];
}

/**
 * What a ticket update is, for consumers to bind only what they act on:
 *  - `created`: the update that created the ticket;
 *  - `rule_actions`: the triggers' (and later the automations') own update (`via` rule): it carries
 *    their field changes, `trigger_fired` and the notification and webhook requests;
 *  - `delivery_recorded`: only outcomes of deliveries (notification/webhook delivered or failed, a
 *    bounce): the ticket's audit needs them, nobody's projection does;
 *  - `updated`: every other update, by a person (mail, API) or the system.
 */
export type TicketUpdateKind = 'created' | 'updated' | 'rule_actions' | 'delivery_recorded';
export const TICKET_UPDATE_KINDS: readonly TicketUpdateKind[] = ['created', 'updated', 'rule_actions', 'delivery_recorded'];

/** Events that only record how a delivery went; an update made of nothing else is `delivery_recorded`. */
export const DELIVERY_RECORD_EVENTS: ReadonlySet<TicketEventType> = new Set<TicketEventType>([
  'ticket.notification_delivered',
  'ticket.notification_failed',
  'ticket.webhook_delivered',
  'ticket.webhook_failed',
  'ticket.delivery_bounced',
]);

/**
 * The routing keys of the updates exchange. Ticket updates by kind; the other streams' updates (one
 * event each today: a user, a group or organization, a mail) by their first event's type.
 */
export type ConsumedUpdateKey = `ticket.${TicketUpdateKind}` | UserEvent['type'] | GroupEvent['type'] | OrganizationEvent['type'] | MailMessage['type'];
/** Streams no consumer reads through the broker (account, triggers, webhooks, …) are routed by type too. */
export type UpdateRoutingKey = ConsumedUpdateKey | `${string}.${string}`;

export const ticketUpdateKind = (events: readonly Message[]): TicketUpdateKind => {
  if (events.some((e) => e.type === 'ticket.created')) return 'created';
  // Before `rule_actions`: a delivery record is written as the rules' (via rule), to sit in their audit.
  if (events.every((e) => DELIVERY_RECORD_EVENTS.has(e.type as TicketEventType))) return 'delivery_recorded';
  if (events[0]?.metadata.via?.channel === 'rule') return 'rule_actions';
  return 'updated';
};

export const updateRoutingKey = (events: readonly Message[]): UpdateRoutingKey => {
  const first = events[0];
  if (first.type.startsWith('ticket.')) return `ticket.${ticketUpdateKind(events)}`;
  return first.type as UpdateRoutingKey;
};

/**
 * Groups log messages (in log order) into updates: consecutive events of one stream with one
 * update id, a new update starting where `updateIndex` is 0. One transaction appends an update with
 * one statement, so its rows are consecutive in the log. Commands are not grouped: they travel
 * alone on the commands exchange.
 */
export const groupIntoUpdates = (messages: readonly Message[]): Update[] => {
  const out: Update[] = [];
  let current: Message[] = [];
  const flush = () => {
    if (current.length) out.push(updateOf(current));
    current = [];
  };
  for (const m of messages) {
    if (m.kind !== 'event') continue;
    const last = current[current.length - 1];
    const continues =
      last !== undefined &&
      last.streamId === m.streamId &&
      last.metadata.updateId === m.metadata.updateId &&
      m.streamVersion === last.streamVersion + 1 &&
      (m.metadata.updateIndex ?? 0) > 0;
    if (!continues) flush();
    current.push(m);
  }
  flush();
  return out;
};

/** One update of consecutive events of one stream (also for tests that hand a consumer an update). */
export const updateOf = (events: readonly Message[]): Update => {
  if (events.length === 0) throw new Error('an update has at least one event');
  const first = events[0];
  const last = events[events.length - 1];
  return {
    kind: 'update',
    id: first.id,
    streamId: first.streamId,
    fromVersion: first.streamVersion,
    toVersion: last.streamVersion,
    updateId: first.metadata.updateId ?? first.id,
    routingKey: updateRoutingKey(events),
    events: [...events],
  };
};

/** Whether a body from the broker is an update (else a single message: a command). */
export const isUpdate = (body: unknown): body is Update => (body as Update | null)?.kind === 'update' && Array.isArray((body as Update).events);

/** Topic-exchange matching (`*` one word, `#` zero or more), to check a consumer's handlers against its bindings. */
export const topicMatches = (pattern: string, key: string): boolean => {
  const p = pattern.split('.');
  const k = key.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    return j < k.length && (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
};

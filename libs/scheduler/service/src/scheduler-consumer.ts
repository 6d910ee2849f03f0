import { IDENTITY_FIELDS, personPatchOf, type ConsumedUpdateKey, type Message, type Update, updateOf } from '@mailroom/contracts';
import { mergeVersionedRow, type Db } from '@mailroom/database';
import { eventsToApply, handleOnce, type HandlerMap, type QueueSpec, type UpdateHandler } from '@mailroom/messaging';
import type { AutomationTicket } from '@mailroom/scheduler-domain';
import { blankSnapshot, evolveTicketSnapshot, isRepeatedOffer, ratingOfScore, satisfactionScoreOf, viaOfChannel, type TicketSnapshot } from '@mailroom/ticket-domain';

export const SCHEDULER_CONSUMER = 'scheduler.ticket-events';
/**
 * The ticket updates that move a field automations test (the rules' and automations' own
 * `rule_actions` too: they change fields, and an automation's counts towards the 100), and the
 * users automations notify. Not the delivery records: they change nothing an automation tests, so
 * they never reach the scheduler (eventsToApply skips their versions).
 */
const SCHEDULER_KEYS: readonly ConsumedUpdateKey[] = ['ticket.created', 'ticket.updated', 'ticket.rule_actions', 'user.created', 'user.updated'];
export const SCHEDULER_QUEUE: QueueSpec = {
  name: SCHEDULER_CONSUMER,
  bindings: SCHEDULER_KEYS.map((pattern) => ({ exchange: 'updates', pattern })),
  retiredBindings: [{ exchange: 'events', pattern: 'ticket.#' }],
};

/** A row of scheduler.tickets: the domain's `AutomationTicket`, keys as its columns, and the stream version it stands at. */
export type SchedulerTicketRow = Omit<AutomationTicket, 'custom_fields' | 'schedule_id'> & {
  version: number;
  status_changed_at: string | null;
  organization_id: number | null;
  satisfaction_score: NonNullable<AutomationTicket['satisfaction_score']>;
  via: AutomationTicket['via'] | null;
  recipient: string | null;
  subject: string;
  has_public_comments: boolean;
  cc_ids: number[];
  reopens: number;
  replies: number;
};

/** The columns in a fixed order (the consumer's upsert, the cycle's reads). */
export const SCHEDULER_TICKET_COLUMNS = [
  'id', 'version', 'status', 'type', 'priority', 'group_id', 'assignee_id', 'requester_id', 'organization_id', 'tags', 'satisfaction_score',
  'via', 'recipient', 'subject', 'has_public_comments', 'cc_ids', 'reopens', 'replies', 'created_at', 'updated_at', 'status_changed_at',
  'open_at', 'pending_at', 'hold_at', 'solved_at', 'closed_at', 'assigned_at', 'requester_updated_at', 'assignee_updated_at', 'due_at', 'automation_updates',
] as const satisfies readonly (keyof SchedulerTicketRow)[];

const TIME_COLUMNS = new Set<string>(['created_at', 'updated_at', 'status_changed_at', 'open_at', 'pending_at', 'hold_at', 'solved_at', 'closed_at', 'assigned_at', 'requester_updated_at', 'assignee_updated_at', 'due_at']);
const NUMBER_COLUMNS = new Set<string>(['id', 'version', 'group_id', 'assignee_id', 'requester_id', 'organization_id', 'reopens', 'replies', 'automation_updates']);

/** A row as node-postgres returns it (bigint as text, timestamptz as Date) in the domain's shape. */
export const fromDbRow = (raw: Record<string, unknown>): SchedulerTicketRow => {
  const row: Record<string, unknown> = {};
  for (const c of SCHEDULER_TICKET_COLUMNS) {
    const v = raw[c];
    if (v === null || v === undefined) row[c] = v ?? null;
    else if (TIME_COLUMNS.has(c)) row[c] = v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
    else if (NUMBER_COLUMNS.has(c)) row[c] = Number(v);
    else if (c === 'cc_ids') row[c] = (v as unknown[]).map(Number);
    else row[c] = v;
  }
  return row as SchedulerTicketRow;
};

/**
 * The scheduler's state of a ticket: the ticket snapshot (`@mailroom/ticket-domain`) and what the
 * scheduler keeps beside it per event: the stream version it stands at and the automations' own
 * updates (Zendesk's limit of 100), counted from the updates' metadata. `due_at` is not set by any
 * event yet.
 */
export interface SchedulerTicket {
  snapshot: TicketSnapshot;
  version: number;
  automationUpdates: number;
  dueAt: string | null;
}

/** The row of scheduler.tickets a scheduler ticket is stored as. */
export const schedulerRowOf = (t: SchedulerTicket): SchedulerTicketRow => {
  const s = t.snapshot;
  return {
    id: s.id,
    version: t.version,
    status: s.status,
    type: s.type,
    priority: s.priority,
    group_id: s.groupId,
    assignee_id: s.assigneeId,
    requester_id: s.requesterId,
    organization_id: s.organizationId,
    tags: s.tags,
    satisfaction_score: satisfactionScoreOf(s),
    // A row stored without a channel keeps none (null, as node-postgres reads it back).
    via: (s.via?.channel ?? null) as SchedulerTicketRow['via'],
    recipient: s.recipient,
    subject: s.subject,
    has_public_comments: s.hasPublicComments,
    cc_ids: s.ccIds,
    reopens: s.reopens,
    replies: s.replies,
    created_at: s.createdAt,
    // "Hours since update": any update, an automation's included (not the records of rules and deliveries).
    updated_at: s.touchedAt,
    status_changed_at: s.statusChangedAt,
    open_at: s.openAt,
    pending_at: s.pendingAt,
    hold_at: s.holdAt,
    solved_at: s.solvedAt,
    closed_at: s.closedAt,
    assigned_at: s.assignedAt,
    requester_updated_at: s.requesterUpdatedAt,
    assignee_updated_at: s.assigneeUpdatedAt,
    due_at: t.dueAt,
    automation_updates: t.automationUpdates,
  };
};

/** A stored row read back as a scheduler ticket (what the row does not keep, blank: see `blankSnapshot`). */
export const schedulerTicketOf = (r: SchedulerTicketRow): SchedulerTicket => ({
  snapshot: blankSnapshot({
    id: r.id,
    status: r.status,
    type: r.type,
    priority: r.priority,
    groupId: r.group_id,
    assigneeId: r.assignee_id,
    requesterId: r.requester_id,
    organizationId: r.organization_id,
    tags: r.tags,
    satisfaction: ratingOfScore(r.satisfaction_score, r.id, r.requester_id),
    via: r.via ? viaOfChannel(r.via) : null,
    recipient: r.recipient,
    subject: r.subject,
    hasPublicComments: r.has_public_comments,
    ccIds: r.cc_ids,
    reopens: r.reopens,
    replies: r.replies,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    touchedAt: r.updated_at,
    statusChangedAt: r.status_changed_at,
    openAt: r.open_at,
    pendingAt: r.pending_at,
    holdAt: r.hold_at,
    solvedAt: r.solved_at,
    closedAt: r.closed_at,
    assignedAt: r.assigned_at,
    requesterUpdatedAt: r.requester_updated_at,
    assigneeUpdatedAt: r.assignee_updated_at,
  }),
  version: r.version,
  automationUpdates: r.automation_updates,
  dueAt: r.due_at,
});

/** An automation's own update (its first event) counts towards Zendesk's 100; the triggers' reply to it does not. */
const startsAutomationUpdate = (m: Message): boolean => (m.metadata.updateIndex ?? 0) === 0 && m.metadata.via?.channel === 'rule' && m.metadata.via.source.rel === 'automation';

/**
 * One log message applied to a scheduler ticket, in memory: the snapshot's evolve, the version and
 * the automations' count beside it. Null before the ticket's creation.
 */
export const evolveSchedulerState = (t: SchedulerTicket | null, m: Message): SchedulerTicket | null => {
  // A repeated offer keeps the score the ticket had (a rating stays a rating); it is still an update.
  const snapshot = t && isRepeatedOffer(t.snapshot, m) ? { ...t.snapshot, touchedAt: m.metadata.occurredAt } : evolveTicketSnapshot(t?.snapshot ?? null, m);
  if (!snapshot) return null;
  if (m.type === 'ticket.created' || !t) return { snapshot, version: m.streamVersion, automationUpdates: 0, dueAt: null };
  return { snapshot, version: m.streamVersion, automationUpdates: startsAutomationUpdate(m) ? t.automationUpdates + 1 : t.automationUpdates, dueAt: t.dueAt };
};

/**
 * A row after some of its ticket's messages (one update's, usually): read back once, folded, written
 * back once. The consumer writes the row once per update, the rebuild once per ticket.
 */
export const foldSchedulerTicket = (row: SchedulerTicketRow | null, messages: readonly Message[]): SchedulerTicketRow | null => {
  let t = row && schedulerTicketOf(row);
  for (const m of messages) t = evolveSchedulerState(t, m);
  return t && schedulerRowOf(t);
};

/** One message applied to a row (see `foldSchedulerTicket`). */
export const evolveSchedulerTicket = (row: SchedulerTicketRow | null, m: Message): SchedulerTicketRow | null => foldSchedulerTicket(row, [m]);

const COLUMNS = SCHEDULER_TICKET_COLUMNS.join(', ');
const PLACEHOLDERS = SCHEDULER_TICKET_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
const UPDATES = SCHEDULER_TICKET_COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`).join(', ');

/** Writes one row whole (the consumer and the cycle's tests). */
export const upsertSchedulerTicket = async (tx: Db, row: SchedulerTicketRow): Promise<void> => {
  await tx.query(`INSERT INTO scheduler.tickets (${COLUMNS}) VALUES (${PLACEHOLDERS}) ON CONFLICT (id) DO UPDATE SET ${UPDATES}`, SCHEDULER_TICKET_COLUMNS.map((c) => row[c] ?? null));
};

const applyTicketUpdate = async (tx: Db, update: Update): Promise<void> => {
  const ticketId = (update.events[0].data as { ticketId: number }).ticketId;
  const rows = await tx.query<Record<string, unknown>>(`SELECT ${COLUMNS} FROM scheduler.tickets WHERE id = $1 FOR UPDATE`, [ticketId]);
  const stored = rows.length ? fromDbRow(rows[0]) : null;
  const events = await eventsToApply(tx, SCHEDULER_QUEUE, stored?.version ?? 0, update);
  if (events.length === 0) return;
  const next = foldSchedulerTicket(stored, events);
  if (!next) return; // a ticket created before the scheduler existed: nothing to time
  // The last version of the update, also when its last events changed no time.
  next.version = update.toVersion;
  await upsertSchedulerTicket(tx, next);
};

/** The people automations notify: name, email, role, merged in stream order. */
const applyUserEvent = async (tx: Db, m: Message): Promise<void> => {
  const patch = personPatchOf(m, IDENTITY_FIELDS);
  if (patch) await mergeVersionedRow(tx, 'scheduler.users', patch.id, m.streamVersion, patch);
};

/**
 * The scheduler's projection: the fields automations test, one indexed row per ticket, taken only
 * in stream order, and the people they notify. One update: one transaction, one inbox row, the
 * row read and written once.
 */
export const handleSchedulerUpdate = async (db: Db, update: Update): Promise<void> => {
  await handleOnce(db, SCHEDULER_CONSUMER, update.id, async (tx) => {
    const kind = update.events[0].type;
    if (kind.startsWith('user.')) {
      for (const m of update.events) await applyUserEvent(tx, m);
      return;
    }
    await applyTicketUpdate(tx, update);
  });
};

/** One log event handed over as its own update (for tests that replay the log event by event); other events are ignored. */
export const handleSchedulerMessage = async (db: Db, m: Message): Promise<void> => {
  if (m.kind !== 'event' || !(m.type.startsWith('ticket.') || m.type === 'user.created' || m.type === 'user.updated')) return;
  await handleSchedulerUpdate(db, updateOf([m]));
};

/** The scheduler's handler map: every update kind it binds. */
export const schedulerHandlers = (db: Db): HandlerMap => {
  const handle: UpdateHandler = (u) => handleSchedulerUpdate(db, u);
  return { updates: SCHEDULER_KEYS.map((key) => [key, handle] as const) };
};

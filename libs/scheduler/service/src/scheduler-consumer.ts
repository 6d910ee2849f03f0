import { IDENTITY_FIELDS, personPatchOf, RECORD_ONLY_TICKET_EVENTS, type ConsumedUpdateKey, type Message, type TicketEvent, type Update, updateOf } from '@mailroom/contracts';
import { mergeVersionedRow, type Db } from '@mailroom/database';
import { eventsToApply, handleOnce, type HandlerMap, type QueueSpec, type UpdateHandler } from '@mailroom/messaging';
import type { AutomationTicket } from '@mailroom/scheduler-domain';

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

/** Zendesk counts a reopen each time a solved ticket goes back to open, pending or on-hold. */
const REOPENED_TO = ['open', 'pending', 'hold'];
const isAgent = (role: string | undefined) => role === 'agent' || role === 'admin';

/** "Last entered that status": the column a status sets (new has none of its own: created_at). */
const STATUS_TIME = { new: null, open: 'open_at', pending: 'pending_at', hold: 'hold_at', solved: 'solved_at', closed: 'closed_at' } as const;

/**
 * One event applied to the row, in memory: the consumer writes the row once per update, the
 * rebuild once per ticket. Instants are the update's (its metadata); a status time keeps its value
 * when the ticket leaves the status, as the domain defines them.
 */
export const evolveSchedulerTicket = (row: SchedulerTicketRow | null, m: Message): SchedulerTicketRow | null => {
  const e = { type: m.type, data: m.data } as TicketEvent;
  const at = m.metadata.occurredAt;
  if (e.type === 'ticket.created') {
    const d = e.data;
    const created: SchedulerTicketRow = {
      id: d.ticketId,
      version: m.streamVersion,
      status: d.status,
      type: d.type,
      priority: d.priority,
      group_id: d.groupId,
      assignee_id: d.assigneeId,
      requester_id: d.requesterId,
      organization_id: d.organizationId ?? null,
      tags: d.tags,
      satisfaction_score: 'unoffered',
      via: d.via.channel,
      recipient: d.recipient,
      subject: d.subject,
      has_public_comments: false,
      cc_ids: d.ccIds,
      reopens: 0,
      replies: 0,
      created_at: d.createdAt,
      updated_at: d.createdAt,
      status_changed_at: d.createdAt,
      open_at: null,
      pending_at: null,
      hold_at: null,
      solved_at: null,
      closed_at: null,
      assigned_at: d.assigneeId !== null ? d.createdAt : null,
      requester_updated_at: d.createdAt,
      assignee_updated_at: null,
      due_at: null,
      automation_updates: 0,
    };
    const column = STATUS_TIME[d.status];
    return column ? { ...created, [column]: d.createdAt } : created;
  }
  if (!row) return null;
  const recordOnly = RECORD_ONLY_TICKET_EVENTS.has(e.type);
  const next: SchedulerTicketRow = { ...row, version: m.streamVersion, updated_at: recordOnly ? row.updated_at : at };
  // An automation's own update (its first event) counts towards Zendesk's 100; the triggers' reply to it does not.
  if ((m.metadata.updateIndex ?? 0) === 0 && m.metadata.via?.channel === 'rule' && m.metadata.via.source.rel === 'automation') next.automation_updates += 1;
  switch (e.type) {
    case 'ticket.status_changed': {
      const column = STATUS_TIME[e.data.to];
      const reopened = e.data.from === 'solved' && REOPENED_TO.includes(e.data.to);
      return { ...next, status: e.data.to, status_changed_at: at, reopens: next.reopens + (reopened ? 1 : 0), ...(column ? { [column]: at } : {}) };
    }
    case 'ticket.comment_added': {
      const role = m.metadata.actor?.role;
      const byAgent = e.data.public && m.metadata.actor?.userId === e.data.authorId && isAgent(role);
      const base = { ...next, has_public_comments: next.has_public_comments || e.data.public, replies: next.replies + (byAgent ? 1 : 0) };
      if (role === 'end_user') return { ...base, requester_updated_at: at };
      if (isAgent(role)) return { ...base, assignee_updated_at: at };
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
  // Satisfaction events are named by their type string: the ticket's ratings travel on its stream.
  if (m.type === 'ticket.satisfaction_offered' && next.satisfaction_score === 'unoffered') return { ...next, satisfaction_score: 'offered' };
  if (m.type === 'ticket.satisfaction_rated') {
    const d = m.data as { score?: string; comment?: string | null };
    if (d.score === 'good' || d.score === 'bad') return { ...next, satisfaction_score: d.comment ? `${d.score}_with_comment` : d.score };
  }
  return next;
};

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
  const next = events.reduce<SchedulerTicketRow | null>(evolveSchedulerTicket, stored);
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

import { RECORD_ONLY_TICKET_EVENTS, type Message, type TicketEvent, type Update, updateOf } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { eventsToApply, handleOnce, type HandlerMap, type QueueSpec, type UpdateHandler } from '@mailroom/messaging';

export const SCHEDULER_CONSUMER = 'scheduler.ticket-events';
/**
 * The ticket updates that move a time field: not the delivery records (they change no time an
 * automation tests, so they never reach the scheduler; eventsToApply skips their versions).
 */
export const SCHEDULER_QUEUE: QueueSpec = {
  name: SCHEDULER_CONSUMER,
  bindings: [
    { exchange: 'updates', pattern: 'ticket.created' },
    { exchange: 'updates', pattern: 'ticket.updated' },
    { exchange: 'updates', pattern: 'ticket.rule_actions' },
  ],
  retiredBindings: [{ exchange: 'events', pattern: 'ticket.#' }],
};

/** A row of scheduler.tickets, keys as its columns (the rebuild inserts these as they are). */
export interface SchedulerTicketRow {
  id: number;
  version: number;
  status: string;
  created_at: string | null;
  updated_at: string | null;
  status_changed_at: string | null;
  requester_updated_at: string | null;
  assignee_updated_at: string | null;
  solved_at: string | null;
  pending_at: string | null;
}

/** One event applied to the time fields, in memory: the consumer writes the row once per update, the rebuild once per ticket. */
export const evolveSchedulerTicket = (row: SchedulerTicketRow | null, m: Message): SchedulerTicketRow | null => {
  const e = { type: m.type, data: m.data } as TicketEvent;
  const at = m.metadata.occurredAt;
  if (e.type === 'ticket.created') {
    const d = e.data;
    return {
      id: d.ticketId,
      version: m.streamVersion,
      status: d.status,
      created_at: d.createdAt,
      updated_at: d.createdAt,
      status_changed_at: d.createdAt,
      requester_updated_at: d.createdAt,
      assignee_updated_at: null,
      solved_at: d.status === 'solved' ? d.createdAt : null,
      pending_at: d.status === 'pending' ? d.createdAt : null,
    };
  }
  if (!row) return null;
  const next = { ...row, version: m.streamVersion, updated_at: RECORD_ONLY_TICKET_EVENTS.has(e.type) ? row.updated_at : at };
  if (e.type === 'ticket.status_changed') {
    const to = e.data.to;
    return { ...next, status: to, status_changed_at: at, solved_at: to === 'solved' ? at : to === 'closed' ? row.solved_at : null, pending_at: to === 'pending' ? at : null };
  }
  if (e.type === 'ticket.comment_added') {
    const role = m.metadata.actor?.role;
    if (role === 'end_user') return { ...next, requester_updated_at: at };
    if (role === 'agent' || role === 'admin') return { ...next, assignee_updated_at: at };
  }
  return next;
};

const COLUMNS = 'id, version, status, created_at, updated_at, status_changed_at, requester_updated_at, assignee_updated_at, solved_at, pending_at';

/**
 * The scheduler's projection: the time fields automations test (Zendesk's "hours since …"
 * conditions), one indexed row per ticket, taken only in stream order. One update: one
 * transaction, one inbox row, the row read and written once.
 */
export const handleSchedulerUpdate = async (db: Db, update: Update): Promise<void> => {
  await handleOnce(db, SCHEDULER_CONSUMER, update.id, async (tx) => {
    const ticketId = (update.events[0].data as { ticketId: number }).ticketId;
    const rows = await tx.query<SchedulerTicketRow>(`SELECT ${COLUMNS} FROM scheduler.tickets WHERE id = $1 FOR UPDATE`, [ticketId]);
    const stored = rows.length ? { ...rows[0], version: Number(rows[0].version) } : null;
    const events = await eventsToApply(tx, SCHEDULER_QUEUE, stored?.version ?? 0, update);
    if (events.length === 0) return;
    const next = events.reduce<SchedulerTicketRow | null>(evolveSchedulerTicket, stored);
    if (!next) return; // a ticket created before the scheduler existed: nothing to time
    // The last version of the update, also when its last events changed no time.
    next.version = update.toVersion;
    await tx.query(
      `INSERT INTO scheduler.tickets (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET version = $2, status = $3, created_at = $4, updated_at = $5, status_changed_at = $6,
         requester_updated_at = $7, assignee_updated_at = $8, solved_at = $9, pending_at = $10`,
      [next.id, next.version, next.status, next.created_at, next.updated_at, next.status_changed_at, next.requester_updated_at, next.assignee_updated_at, next.solved_at, next.pending_at],
    );
  });
};

/** One log event handed over as its own update (for tests that replay the log event by event); non-ticket events are ignored. */
export const handleSchedulerMessage = async (db: Db, m: Message): Promise<void> => {
  if (m.kind !== 'event' || !m.type.startsWith('ticket.')) return;
  await handleSchedulerUpdate(db, updateOf([m]));
};

/** The scheduler's handler map: every ticket update kind it binds, one projection. */
export const schedulerHandlers = (db: Db): HandlerMap => {
  const handle: UpdateHandler = (u) => handleSchedulerUpdate(db, u);
  return { updates: [['ticket.created', handle], ['ticket.updated', handle], ['ticket.rule_actions', handle]] };
};

/** Zendesk's automation time conditions (reference §2.2) that the projection can answer. */
export type TimeField = 'created_at' | 'updated_at' | 'status_changed_at' | 'solved_at' | 'pending_at' | 'requester_updated_at' | 'assignee_updated_at';

/** Tickets for which at least `hours` have passed since `field` at the instant `now`: the scan an automation runs. */
export const ticketsDue = async (db: Db, field: TimeField, hours: number, now: Date, status?: string): Promise<number[]> => {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM scheduler.tickets WHERE ${field} IS NOT NULL AND ${field} <= $1 ${status ? 'AND status = $2' : ''} ORDER BY id`,
    status ? [new Date(now.getTime() - hours * 3600_000).toISOString(), status] : [new Date(now.getTime() - hours * 3600_000).toISOString()],
  );
  return rows.map((r) => Number(r.id));
};

import { RECORD_ONLY_TICKET_EVENTS, type Message, type TicketEvent } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { handleOnce, RetryLater, type QueueSpec } from '@mailroom/messaging';

export const SCHEDULER_CONSUMER = 'scheduler.ticket-events';
export const SCHEDULER_QUEUE: QueueSpec = { name: SCHEDULER_CONSUMER, bindings: [{ exchange: 'events', pattern: 'ticket.#' }] };

export class OutOfOrder extends RetryLater {}

/**
 * The scheduler's projection: the time fields automations test (Zendesk's "hours since …"
 * conditions), one indexed row per ticket, taken only in stream order.
 */
export const handleSchedulerMessage = async (db: Db, m: Message): Promise<void> => {
  if (!m.type.startsWith('ticket.')) return;
  await handleOnce(db, SCHEDULER_CONSUMER, m.id, async (tx) => {
    const e = { type: m.type, data: m.data } as TicketEvent;
    const ticketId = e.data.ticketId;
    const at = m.metadata.occurredAt;
    const rows = await tx.query<{ version: string; status: string }>(`SELECT version, status FROM scheduler.tickets WHERE id = $1 FOR UPDATE`, [ticketId]);
    const version = rows.length ? Number(rows[0].version) : 0;
    if (m.streamVersion <= version) return;
    if (m.streamVersion !== version + 1) throw new OutOfOrder(`ticket ${ticketId}: got version ${m.streamVersion}, expected ${version + 1}`);
    if (e.type === 'ticket.created') {
      const d = e.data;
      await tx.query(
        `INSERT INTO scheduler.tickets (id, version, status, created_at, updated_at, status_changed_at, requester_updated_at, solved_at, pending_at)
         VALUES ($1, $2, $3, $4, $4, $4, $4, CASE WHEN $3 = 'solved' THEN $4::timestamptz END, CASE WHEN $3 = 'pending' THEN $4::timestamptz END)`,
        [ticketId, m.streamVersion, d.status, d.createdAt],
      );
      return;
    }
    if (!rows.length) return;
    const delivery = RECORD_ONLY_TICKET_EVENTS.has(e.type);
    await tx.query(`UPDATE scheduler.tickets SET version = $2, updated_at = CASE WHEN $3 THEN updated_at ELSE $4::timestamptz END WHERE id = $1`, [ticketId, m.streamVersion, delivery, at]);
    if (e.type === 'ticket.status_changed') {
      await tx.query(
        `UPDATE scheduler.tickets SET status = $2, status_changed_at = $3,
           solved_at = CASE WHEN $2 = 'solved' THEN $3::timestamptz WHEN $2 = 'closed' THEN solved_at ELSE NULL END,
           pending_at = CASE WHEN $2 = 'pending' THEN $3::timestamptz ELSE NULL END
         WHERE id = $1`,
        [ticketId, e.data.to, at],
      );
    } else if (e.type === 'ticket.comment_added') {
      const role = m.metadata.actor?.role;
      const column = role === 'end_user' ? 'requester_updated_at' : role === 'agent' || role === 'admin' ? 'assignee_updated_at' : null;
      if (column) await tx.query(`UPDATE scheduler.tickets SET ${column} = $2 WHERE id = $1`, [ticketId, at]);
    }
  });
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

import { IDENTITY_FIELDS, personPatchOf, type Message } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { ReadModelFold, ReadModelRebuild, RowWriter } from '@mailroom/event-store';
import { evolveSchedulerState, schedulerRowOf, type SchedulerTicket } from './scheduler-consumer';

/**
 * scheduler.tickets folded in memory with the consumer's own `evolveSchedulerState` (ticket snapshots,
 * mapped to rows once, when written); scheduler.users merged as the consumer does.
 */
class SchedulerFold implements ReadModelFold {
  private readonly tickets = new Map<number, SchedulerTicket>();
  private readonly users = new Map<number, { id: number; version: number; data: Record<string, unknown> }>();

  fold(m: Message): void {
    const patch = m.kind === 'event' ? personPatchOf(m, IDENTITY_FIELDS) : null;
    if (patch) {
      // As the consumer's mergeVersionedRow: a newer version merges its fields into the row.
      const current = this.users.get(patch.id);
      if (current && current.version >= m.streamVersion) return;
      this.users.set(patch.id, { id: patch.id, version: m.streamVersion, data: { ...(current?.data ?? {}), ...patch } });
      return;
    }
    if (m.kind !== 'event' || !m.type.startsWith('ticket.')) return;
    const id = (m.data as { ticketId: number }).ticketId;
    const current = this.tickets.get(id) ?? null;
    // As the consumer: only a row's next version.
    if (m.streamVersion !== (current?.version ?? 0) + 1) return;
    const next = evolveSchedulerState(current, m);
    if (next) this.tickets.set(id, next);
  }

  async write(tx: Db, insertRows: RowWriter): Promise<Record<string, number>> {
    return { 'scheduler.tickets': await insertRows(tx, 'scheduler.tickets', rowsOf(this.tickets.values())), 'scheduler.users': await insertRows(tx, 'scheduler.users', this.users.values()) };
  }
}

const rowsOf = function* (tickets: Iterable<SchedulerTicket>) {
  for (const t of tickets) yield schedulerRowOf(t);
};

/**
 * The scheduler's projection has no checkpoint: it consumes the broker, and each row's version is
 * where it stands. Messages still queued for the consumer are then either folded already (their
 * version is not the next: skipped) or the next ones (applied).
 */
export const schedulerProjectionRebuild: ReadModelRebuild = {
  name: 'scheduler',
  tables: ['scheduler.tickets', 'scheduler.users'],
  eventTypes: ['ticket.', 'user.'],
  start: () => new SchedulerFold(),
};

import type { Message, TicketEvent, UserEvent } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { ReadModelFold, ReadModelRebuild, RowWriter } from '@mailroom/event-store';
import type { TicketSnapshot } from '@mailroom/ticket-domain';
import { ratingRowOf } from '../satisfaction/satisfaction-read-model';
import { evolveUserRow, mergeAudit, TICKET_READ_MODEL, ticketEventEffect, ticketRowOf, type AuditRecord, type CommentRecord, type UserReadRow } from './ticket-projection';

/**
 * The ticket read model (tickets, comments, audits, users) folded in memory with the live path's
 * own `ticketEventEffect` and `evolveUserRow` (tickets kept as snapshots, made rows once, when
 * written), then written in a few statements.
 */
class TicketReadModelFold implements ReadModelFold {
  private readonly tickets = new Map<number, { version: number; snapshot: TicketSnapshot }>();
  private readonly comments = new Map<number, CommentRecord>();
  private readonly audits = new Map<string, AuditRecord>();
  private readonly users = new Map<number, UserReadRow>();

  fold(m: Message): void {
    if (m.kind !== 'event') return;
    if (m.type.startsWith('ticket.')) this.ticket(m, { type: m.type, data: m.data } as TicketEvent);
    else if (m.type.startsWith('user.')) {
      const e = { type: m.type, data: m.data } as UserEvent;
      const next = evolveUserRow(this.users.get(e.data.userId) ?? null, m.streamVersion, e);
      if (next) this.users.set(next.id, next);
    }
  }

  private ticket(m: Message, e: TicketEvent): void {
    const current = this.tickets.get(e.data.ticketId);
    // As live: a creation only over nothing, a change only as the row's next version.
    if (e.type !== 'ticket.created' && (!current || current.version + 1 !== m.streamVersion)) return;
    const effect = ticketEventEffect(current?.snapshot ?? null, m, e);
    if (!effect) return;
    this.tickets.set(e.data.ticketId, { version: m.streamVersion, snapshot: effect.snapshot });
    if (effect.comment && !this.comments.has(effect.comment.id)) this.comments.set(effect.comment.id, effect.comment);
    if (!effect.audit) return;
    const before = this.audits.get(effect.audit.update_id);
    const audit = before ? mergeAudit(before, effect.audit.data.events) : effect.audit;
    this.audits.set(audit.update_id, audit);
    if (effect.comment) {
      const comment = this.comments.get(effect.comment.id);
      if (comment) comment.audit_id = audit.id;
    }
  }

  async write(tx: Db, insertRows: RowWriter): Promise<Record<string, number>> {
    const tickets = function* (all: Map<number, { version: number; snapshot: TicketSnapshot }>) {
      for (const { version, snapshot } of all.values()) {
        const row = ticketRowOf(snapshot);
        yield { id: row.id, version, status: row.status, requester_id: row.requester_id, assignee_id: row.assignee_id, group_id: row.group_id, created_at: row.created_at, updated_at: row.updated_at, data: row };
      }
    };
    const ratings = function* (all: Map<number, { version: number; snapshot: TicketSnapshot }>) {
      for (const { snapshot } of all.values()) if (snapshot.satisfaction) yield ratingRowOf(snapshot);
    };
    return {
      'ticket.tickets': await insertRows(tx, 'ticket.tickets', tickets(this.tickets)),
      'ticket.comments': await insertRows(tx, 'ticket.comments', this.comments.values()),
      'ticket.audits': await insertRows(tx, 'ticket.audits', this.audits.values()),
      'ticket.users': await insertRows(tx, 'ticket.users', this.users.values()),
      'ticket.satisfaction_ratings': await insertRows(tx, 'ticket.satisfaction_ratings', ratings(this.tickets)),
    };
  }
}

export const ticketReadModelRebuild: ReadModelRebuild = {
  name: 'ticket',
  processorId: TICKET_READ_MODEL,
  tables: ['ticket.tickets', 'ticket.comments', 'ticket.audits', 'ticket.users', 'ticket.satisfaction_ratings'],
  eventTypes: ['ticket.', 'user.'],
  start: () => new TicketReadModelFold(),
};

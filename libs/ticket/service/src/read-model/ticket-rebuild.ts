import type { Message, TicketEvent, UserEvent } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { ReadModelFold, ReadModelRebuild, RowWriter } from '@mailroom/event-store';
import type { TicketSnapshot } from '@mailroom/ticket-domain';
import { ratingRowOf } from '../satisfaction/satisfaction-read-model';
import { evolveUserRow, hasAuditEvents, mergeAudit, TICKET_READ_MODEL, ticketEventEffect, ticketRowOf, type AuditRecord, type CommentRecord, type UserReadRow } from './ticket-projection';

/**
 * The ticket read model (tickets, comments, audits, users) folded in memory with the live path's
 * own `ticketEventEffect` and `evolveUserRow` (tickets kept as snapshots, made rows once, when
 * written), then written in a few statements. Comments and audits are handed to `flush` while the
 * log is still read, so PostgreSQL writes them while Node folds the next pages: a comment once
 * folded (its audit id is its update's audit's, the first event's position, known then), an audit
 * once a whole page has gone by without adding to it (a rule's update joins the update that caused
 * it, usually a few events later). One that changes after all (a late rule update, a comment id
 * seen twice) is deleted and written again, final, with the rest.
 */
class TicketReadModelFold implements ReadModelFold {
  private readonly tickets = new Map<number, { version: number; snapshot: TicketSnapshot }>();
  private readonly comments = new Map<number, CommentRecord>();
  private readonly audits = new Map<string, AuditRecord>();
  private readonly users = new Map<number, UserReadRow>();
  /** Folded since the last flush: final already. */
  private newComments: CommentRecord[] = [];
  /** Audits not flushed yet, with the page that last added to them. */
  private readonly openAudits = new Map<string, number>();
  private page = 0;
  /** Flushed, then changed: written again at the end. */
  private readonly changedComments = new Set<number>();
  private readonly changedAudits = new Set<string>();

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
    if (effect.comment && !this.comments.has(effect.comment.id)) {
      this.comments.set(effect.comment.id, effect.comment);
      this.newComments.push(effect.comment);
    }
    if (!effect.audit) return;
    const key = effect.audit.update_id;
    const before = this.audits.get(key);
    let audit = effect.audit;
    if (!before) {
      this.audits.set(key, audit);
      this.openAudits.set(key, this.page);
    } else if (this.openAudits.has(key)) {
      // Not flushed: the fold's own object, its events added in place (`mergeAudit`'s rule, without its copies).
      audit = before;
      if (!hasAuditEvents(before, effect.audit.data.events)) {
        for (const x of effect.audit.data.events) before.data.events.push(x);
        this.openAudits.set(key, this.page);
      }
    } else {
      audit = mergeAudit(before, effect.audit.data.events);
      if (audit !== before) {
        this.audits.set(key, audit);
        this.changedAudits.add(key);
      }
    }
    if (effect.comment) {
      const comment = this.comments.get(effect.comment.id);
      if (comment) {
        // A comment id seen again (not in the log's own writers): its row is flushed already, unless it waits in `newComments`.
        if (comment !== effect.comment && comment.audit_id !== audit.id && !this.newComments.includes(comment)) this.changedComments.add(comment.id);
        comment.audit_id = audit.id;
      }
    }
  }

  /** After each page: the comments folded since the last call, the audits the page before last was the last to add to. */
  flush(): Record<string, object[]> {
    const comments = this.newComments;
    this.newComments = [];
    const audits: AuditRecord[] = [];
    for (const [key, page] of this.openAudits) {
      if (page === this.page) continue;
      audits.push(this.audits.get(key)!);
      this.openAudits.delete(key);
    }
    this.page++;
    return { 'ticket.comments': comments, 'ticket.audits': audits };
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
    // What was flushed stands (without `flush`, nothing was); what changed after its flush is deleted and written again.
    if (this.changedComments.size) await tx.query(`DELETE FROM ticket.comments WHERE id = ANY($1::bigint[])`, [[...this.changedComments]]);
    if (this.changedAudits.size) await tx.query(`DELETE FROM ticket.audits WHERE update_id = ANY($1::uuid[])`, [[...this.changedAudits]]);
    await insertRows(tx, 'ticket.comments', [...this.newComments, ...[...this.changedComments].map((id) => this.comments.get(id)!)]);
    await insertRows(tx, 'ticket.audits', [...this.openAudits.keys(), ...this.changedAudits].map((key) => this.audits.get(key)!));
    return {
      'ticket.tickets': await insertRows(tx, 'ticket.tickets', tickets(this.tickets)),
      'ticket.comments': this.comments.size,
      'ticket.audits': this.audits.size,
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

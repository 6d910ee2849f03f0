import { ticketStreamId, type Role, type TicketStatus } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';

/** What threading needs to know of a ticket. */
export interface TicketFacts {
  id: number;
  status: TicketStatus;
  requesterId: number;
  /** Every email address of the requester, lower-cased. */
  requesterEmails: string[];
  ccIds: number[];
  /** The CCs' email addresses, lower-cased. */
  ccEmails: string[];
  assigneeId: number | null;
  /** The support address the ticket was received at. */
  recipient: string | null;
  /** False while the ticket has only private comments (Zendesk's private ticket). */
  isPublic: boolean;
}

/** A known user, by one of their email addresses. */
export interface PersonFacts {
  id: number;
  role: Role;
}

/**
 * The ingest worker's read-only view of tickets and users, for the subject-number rule, the
 * stranger rule, CCs and comment visibility.
 *
 * Why the ticket service's read model (`ticket.tickets`, `ticket.users`, `ticket.user_emails`)
 * rather than a projection of our own: those rows are written in the same transaction as the
 * events they come from (the ticket service projects inline), so they are never behind the
 * committed log, while a projection fed by a log processor here would trail it by its polling
 * lag. Neither can see commands still queued for the ticket service, so every decision taken from
 * this view is made safe for staleness instead: an unknown ticket or person leads to the cautious
 * outcome (a new ticket, a private comment, no CCs), and what can change under us is decided
 * again by the ticket service inside its own transaction — a reply to a ticket closed meanwhile
 * becomes a follow-up there, the 48-CC cap is applied on the aggregate, and mail-command changes
 * are applied only if the author is an agent at that moment. The queries are by primary key.
 */
export interface TicketDirectory {
  /** Whether the ticket's stream exists in the log (also when the read model does not have it yet). */
  ticketExists(db: Db, id: number): Promise<boolean>;
  ticket(db: Db, id: number): Promise<TicketFacts | null>;
  person(db: Db, email: string): Promise<PersonFacts | null>;
}

export class PgTicketDirectory implements TicketDirectory {
  async ticketExists(db: Db, id: number): Promise<boolean> {
    return (await db.query(`SELECT 1 FROM mailroom_events.streams WHERE stream_id = $1`, [ticketStreamId(id)])).length > 0;
  }

  async ticket(db: Db, id: number): Promise<TicketFacts | null> {
    if (!Number.isSafeInteger(id) || id <= 0) return null;
    const rows = await db.query<{ status: TicketStatus; requester_id: string; requester_emails: string[] | null; assignee_id: string | null; cc_ids: number[] | null; cc_emails: string[] | null; recipient: string | null; is_public: boolean | null }>(
      `SELECT t.status, t.requester_id, t.assignee_id, t.data->'email_cc_ids' AS cc_ids, t.data->>'recipient' AS recipient, (t.data->>'is_public')::boolean AS is_public,
              ARRAY(SELECT e.email FROM ticket.user_emails e WHERE e.user_id = t.requester_id ORDER BY e.email) AS requester_emails,
              ARRAY(SELECT e.email FROM ticket.user_emails e WHERE e.user_id IN (SELECT jsonb_array_elements_text(t.data->'email_cc_ids')::bigint) ORDER BY e.email) AS cc_emails
       FROM ticket.tickets t WHERE t.id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id,
      status: r.status,
      requesterId: Number(r.requester_id),
      requesterEmails: r.requester_emails ?? [],
      ccIds: (r.cc_ids ?? []).map(Number),
      ccEmails: r.cc_emails ?? [],
      assigneeId: r.assignee_id === null ? null : Number(r.assignee_id),
      recipient: r.recipient,
      isPublic: r.is_public ?? true,
    };
  }

  async person(db: Db, email: string): Promise<PersonFacts | null> {
    const rows = await db.query<{ id: string; role: Role }>(
      `SELECT u.id, u.role FROM ticket.user_emails e JOIN ticket.users u ON u.id = e.user_id WHERE e.email = $1`,
      [email.trim().toLowerCase()],
    );
    return rows[0] ? { id: Number(rows[0].id), role: rows[0].role } : null;
  }
}

/** How the author of a mail stands to a ticket. */
export type Relation = 'requester' | 'cc' | 'assignee' | 'agent' | 'stranger';

export const relationTo = (ticket: TicketFacts | null, person: PersonFacts | null): Relation => {
  if (!person) return 'stranger';
  if (ticket && ticket.requesterId === person.id) return 'requester';
  if (ticket && ticket.assigneeId === person.id) return 'assignee';
  if (ticket && ticket.ccIds.includes(person.id)) return 'cc';
  if (person.role === 'agent' || person.role === 'admin') return 'agent';
  return 'stranger';
};

import { SUSPENSION_CAUSES, type Address, type InboundMail, type SuspensionCause } from '@mailroom/mail-domain';
import type { Db } from '@mailroom/database';

export interface SuspendMailInput {
  mailId: string;
  cause: SuspensionCause;
  /** The specific reason, in words (e.g. `Auto-Submitted: auto-replied`); shown as the error message. */
  detail: string;
  /** What could be read of the mail; null when it could not be parsed at all. */
  mail: Pick<InboundMail, 'subject' | 'text' | 'messageId'> | null;
  author: Address | null;
  recipient: string | null;
  /** The ticket the mail would have updated, when one was found. */
  ticketId: number | null;
  at: Date;
}

/** Longest content kept on the suspended ticket row; the whole mail stays in ingest.raw_mail. */
const CONTENT_PREVIEW_CHARS = 64 * 1024;

/**
 * Sets a mail aside as a suspended ticket, in the worker's transaction. The raw bytes already sit
 * in ingest.raw_mail; recovery feeds them through the normal flow again. One row per mail: a
 * redelivery finds it and returns the same id; a recovered mail that is suspended again (for
 * another cause) reopens its row with the new cause.
 */
export const suspendMail = async (tx: Db, input: SuspendMailInput): Promise<number> => {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO ingest.suspended_tickets
       (mail_id, cause, cause_id, detail, subject, author_email, author_name, recipient, content, message_id, ticket_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
     ON CONFLICT (mail_id) DO UPDATE SET
       cause = EXCLUDED.cause, cause_id = EXCLUDED.cause_id, detail = EXCLUDED.detail, ticket_id = EXCLUDED.ticket_id,
       updated_at = EXCLUDED.updated_at, recovered_at = NULL
     WHERE ingest.suspended_tickets.recovered_at IS NOT NULL
     RETURNING id`,
    [
      input.mailId,
      input.cause,
      SUSPENSION_CAUSES[input.cause].id,
      input.detail,
      input.mail?.subject ?? null,
      input.author?.address ?? null,
      input.author?.name ?? null,
      input.recipient,
      input.mail ? input.mail.text.slice(0, CONTENT_PREVIEW_CHARS) : null,
      input.mail?.messageId ?? null,
      input.ticketId,
      input.at.toISOString(),
    ],
  );
  if (rows.length > 0) return Number(rows[0].id);
  // Already suspended and not being recovered: the same row.
  const [existing] = await tx.query<{ id: string }>(`SELECT id FROM ingest.suspended_tickets WHERE mail_id = $1`, [input.mailId]);
  return Number(existing.id);
};

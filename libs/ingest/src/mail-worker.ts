import { randomUUID } from 'node:crypto';
import {
  deterministicUuid,
  mailStreamId,
  ticketStreamId,
  type AddCommentV1,
  type AttachmentRef,
  type CreateTicketV1,
  type MailOrigin,
  type MailReceivedV1,
  type MailRoutedV1,
  type Message,
  type Via,
} from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import {
  ccCandidates,
  dedupeKey,
  extractReply,
  findTicketReference,
  matchSupportAddress,
  requesterOf,
  ticketSubject,
  type InboundMail,
  type SupportAddress,
} from '@mailroom/mail-domain';
import { handleOnce, type QueueSpec } from '@mailroom/messaging';
import { parseMail, type ParsedAttachment } from './parse-mail';

export const MAIL_WORKER_CONSUMER = 'ingest.mail-worker';
export const MAIL_WORKER_QUEUE: QueueSpec = { name: MAIL_WORKER_CONSUMER, bindings: [{ exchange: 'events', pattern: 'mail.received.#' }] };

export interface MailWorkerDeps {
  db: Db;
  store: EventStore;
  supportAddresses: SupportAddress[];
  secret: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** Customer HTML is never passed on as is (sanitising is a later issue): the comment's HTML is built from its text. */
const textToHtml = (s: string): string => `<p>${escapeHtml(s).replace(/\r?\n/g, '<br>')}</p>`;

/**
 * Turns a stored raw mail into a ticket command: parse, deduplicate by Message-ID per support
 * address, thread to an existing ticket or start a new one. Runs in one transaction with the
 * inbox row, so a redelivered `mail.received` does nothing the second time.
 */
export const handleMailReceived = async (deps: MailWorkerDeps, m: Message): Promise<void> => {
  const received = m.data as MailReceivedV1;
  await handleOnce(deps.db, MAIL_WORKER_CONSUMER, m.id, async (tx) => {
    const rows = await tx.query<{ raw: Buffer; mail_from: string | null; rcpt_to: string[]; sha256: string }>(
      `SELECT raw, mail_from, rcpt_to, sha256 FROM ingest.raw_mail WHERE id = $1`,
      [received.mailId],
    );
    if (rows.length === 0) return; // nothing to do: the mail is gone (deleted by an operator)
    const { raw, rcpt_to, sha256 } = rows[0];
    const route = async (r: Omit<MailRoutedV1, 'mailId'>) => {
      await deps.store.append(tx, mailStreamId(received.mailId), 'mail', 'any', [{ type: 'mail.routed', data: { mailId: received.mailId, ...r } }], {
        causationId: m.id,
        correlationId: received.mailId,
      });
    };
    const match = rcpt_to.map((a) => matchSupportAddress(a, deps.supportAddresses)).find((x) => x !== null) ?? null;
    if (!match) {
      await route({ messageId: '', supportAddress: '', outcome: 'suspended', ticketId: null, matchedBy: null, duplicateOf: null, reason: 'no support address among the recipients' });
      return;
    }
    let parsed: { mail: InboundMail; attachments: ParsedAttachment[] };
    try {
      parsed = await parseMail(raw, rows[0].mail_from ?? '');
    } catch (err) {
      // Kept raw, never dropped: shows up as suspended with the reason.
      await route({ messageId: '', supportAddress: match.address.address, outcome: 'suspended', ticketId: null, matchedBy: null, duplicateOf: null, reason: `unparseable: ${(err as Error).message}` });
      return;
    }
    const { mail, attachments } = parsed;
    const key = dedupeKey(mail, sha256);
    const claimed = await tx.query<{ mail_id: string }>(
      `INSERT INTO ingest.message_keys (support_address, dedupe_key, mail_id) VALUES ($1, $2, $3)
       ON CONFLICT (support_address, dedupe_key) DO NOTHING RETURNING mail_id`,
      [match.address.address, key, received.mailId],
    );
    if (claimed.length === 0) {
      const [first] = await tx.query<{ mail_id: string }>(`SELECT mail_id FROM ingest.message_keys WHERE support_address = $1 AND dedupe_key = $2`, [match.address.address, key]);
      await route({ messageId: key, supportAddress: match.address.address, outcome: 'duplicate', ticketId: null, matchedBy: null, duplicateOf: first.mail_id, reason: 'the same Message-ID arrived at this support address before' });
      return;
    }
    const requester = requesterOf(mail);
    if (!requester) {
      await route({ messageId: key, supportAddress: match.address.address, outcome: 'suspended', ticketId: null, matchedBy: null, duplicateOf: null, reason: 'no sender address (From and Reply-To are empty)' });
      return;
    }
    const attachmentRefs: AttachmentRef[] = [];
    for (const a of attachments) {
      const id = randomUUID();
      await tx.query(
        `INSERT INTO ingest.attachments (id, mail_id, file_name, content_type, size, content_id, inline, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, received.mailId, a.fileName, a.contentType, a.size, a.contentId, a.inline, a.content],
      );
      attachmentRefs.push({ id, fileName: a.fileName, contentType: a.contentType, size: a.size, contentId: a.contentId, inline: a.inline });
    }
    const origin: MailOrigin = {
      mailId: received.mailId,
      messageId: key,
      recipients: [...mail.to, ...mail.cc].map((a) => a.address.toLowerCase()),
      supportAddress: match.address.address,
    };
    const via: Via = {
      channel: 'email',
      source: { from: { address: requester.address, name: requester.name }, to: { address: match.address.address, name: match.address.name }, rel: null },
    };
    const reference = findTicketReference(mail, match.tag, deps.secret);
    const ticketExists = reference ? (await tx.query(`SELECT 1 FROM mailroom_events.streams WHERE stream_id = $1`, [ticketStreamId(reference.ticketId)])).length > 0 : false;
    const commandId = deterministicUuid('ingest-command', received.mailId);
    if (reference && ticketExists) {
      const reply = extractReply(mail.text);
      const body = reply.reply.trim() || mail.text.trim() || mail.subject;
      const command: AddCommentV1 = {
        ticketId: reference.ticketId,
        commentKey: `mail:${received.mailId}`,
        author: { email: requester.address, name: requester.name },
        comment: { body, htmlBody: textToHtml(body), public: true, attachments: attachmentRefs },
        via,
        mail: origin,
      };
      await deps.store.sendCommand(tx, { id: commandId, type: 'ticket.add_comment', data: command }, { causationId: m.id, correlationId: received.mailId });
      await route({ messageId: key, supportAddress: match.address.address, outcome: 'comment', ticketId: reference.ticketId, matchedBy: reference.matchedBy, duplicateOf: null, reason: null });
      return;
    }
    const body = mail.text.trim() || (attachments.length ? '(attachments only)' : mail.subject.trim() || '(empty message)');
    const command: CreateTicketV1 = {
      creationKey: `mail:${received.mailId}`,
      subject: ticketSubject(mail),
      requester: { email: requester.address, name: requester.name },
      recipient: match.address.address,
      comment: { body, htmlBody: textToHtml(body), public: true, attachments: attachmentRefs },
      ccs: ccCandidates(mail, deps.supportAddresses, requester).map((a) => ({ email: a.address, name: a.name })),
      via,
      mail: origin,
    };
    await deps.store.sendCommand(tx, { id: commandId, type: 'ticket.create_ticket', data: command }, { causationId: m.id, correlationId: received.mailId });
    await route({ messageId: key, supportAddress: match.address.address, outcome: 'new_ticket', ticketId: null, matchedBy: null, duplicateOf: null, reason: reference ? `referenced ticket ${reference.ticketId} does not exist` : null });
  });
};

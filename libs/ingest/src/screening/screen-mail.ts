import {
  classifyAutomated,
  isNoReplyAddress,
  isOutOfOfficeSubject,
  matchSupportAddress,
  parseDeliveryReport,
  findTicketReference,
  ticketIdFromMessageId,
  type Address,
  type DeliveryReport,
  type InboundMail,
  type MailPart,
  type MailVerdict,
  type SupportAddress,
  type SuspensionCause,
} from '@mailroom/mail-domain';
import { deterministicUuid, type RecordBounceV1 } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { checkSenderLists, DEFAULT_RATE_LIMIT, EMPTY_SENDER_LISTS, rateVerdict, type RateLimit, type SenderLists } from './sender-lists';

/** The operator's settings for screening (README "Settings": allowlist, blocklist, rate limit). */
export interface ScreeningPolicy {
  lists: SenderLists;
  rateLimit: RateLimit;
  /** Mails that may update one ticket within an hour, from all senders together (MAILROOM_TICKET_MAIL_COMMENTS_PER_HOUR). */
  ticketMailPerHour?: number;
}

/** Twenty mail comments an hour on one ticket: Zendesk's per-sender figure, here for all senders of a ticket together. */
export const DEFAULT_TICKET_MAIL_PER_HOUR = 20;

export const DEFAULT_SCREENING_POLICY: ScreeningPolicy = { lists: EMPTY_SENDER_LISTS, rateLimit: DEFAULT_RATE_LIMIT, ticketMailPerHour: DEFAULT_TICKET_MAIL_PER_HOUR };

export interface ScreenInput {
  mail: InboundMail;
  requester: Address;
  supportAddresses: readonly SupportAddress[];
  at: Date;
  policy?: ScreeningPolicy;
  /** The mail's id in ingest.raw_mail: bounces are recorded against it. */
  mailId?: string;
  /** Parts of the mail (content type and bytes): a delivery report's status and returned headers are read from them. */
  parts?: readonly { contentType: string; content: Buffer }[];
  /** Server secret: finds the ticket a bounced notification or an auto-reply was about. */
  secret?: string;
  /** The plus-address tag of the support address the mail was sent to (`support+TAG@`). */
  rcptTag?: string | null;
  /** Where the bounce commands for the ticket service are appended (in `tx`); a new EventStore when absent. */
  store?: EventStore;
  /**
   * Set when an agent recovers the mail: the cause it was suspended for does not suspend it again,
   * and the mail is not counted against the sender's rate limit a second time.
   */
  recovery?: { skip: readonly SuspensionCause[] };
}

/** Parts a delivery report is read from; everything else (images, documents) is not looked at. */
const REPORT_PART = /^(?:message\/(?:global-)?delivery-status|message\/rfc822|message\/global|text\/rfc822-headers|message\/global-headers)\b/i;
const MAX_PART_CHARS = 64 * 1024;

const reportParts = (parts: ScreenInput['parts']): MailPart[] =>
  (parts ?? []).filter((p) => REPORT_PART.test(p.contentType)).map((p) => ({ contentType: p.contentType, content: p.content.subarray(0, MAX_PART_CHARS).toString('utf8') }));

/** Counts this mail against its sender and returns its number within the window (itself included). */
const countSender = async (tx: Db, sender: string, at: Date, windowMinutes: number): Promise<number> => {
  await tx.query(
    `INSERT INTO ingest.sender_counters (sender, bucket, count) VALUES ($1, date_trunc('minute', $2::timestamptz), 1)
     ON CONFLICT (sender, bucket) DO UPDATE SET count = ingest.sender_counters.count + 1`,
    [sender, at.toISOString()],
  );
  const [row] = await tx.query<{ n: string }>(
    `SELECT coalesce(sum(count), 0) AS n FROM ingest.sender_counters
     WHERE sender = $1 AND bucket > date_trunc('minute', $2::timestamptz) - make_interval(mins => $3)`,
    [sender, at.toISOString(), windowMinutes],
  );
  return Number(row.n);
};

/**
 * Counts a mail that would update the ticket and returns its number within the last hour (itself
 * included). Two auto-responders that each stay under the per-sender limit, answering each other
 * through one ticket, are stopped here.
 */
const countTicketMail = async (tx: Db, ticketId: number, at: Date): Promise<number> => {
  await tx.query(
    `INSERT INTO ingest.ticket_mail_counters (ticket_id, bucket, count) VALUES ($1, date_trunc('minute', $2::timestamptz), 1)
     ON CONFLICT (ticket_id, bucket) DO UPDATE SET count = ingest.ticket_mail_counters.count + 1`,
    [ticketId, at.toISOString()],
  );
  const [row] = await tx.query<{ n: string }>(
    `SELECT coalesce(sum(count), 0) AS n FROM ingest.ticket_mail_counters
     WHERE ticket_id = $1 AND bucket > date_trunc('minute', $2::timestamptz) - interval '60 minutes'`,
    [ticketId, at.toISOString()],
  );
  return Number(row.n);
};

/** The ticket a bounced mail of ours was about: the first of its Message-IDs that carries a valid ticket token. */
const bouncedTicket = (report: DeliveryReport, secret: string | undefined): number | null => {
  if (!secret) return null;
  for (const id of report.originalMessageIds) {
    const ticketId = ticketIdFromMessageId(id, secret);
    if (ticketId !== null) return ticketId;
  }
  return null;
};

/**
 * The ticket an auto-reply answers, by the same references a reply is threaded by: our
 * Message-IDs in In-Reply-To/References, the ticket token of the address it was sent to (our
 * Reply-To), the encoded id in its text (an out-of-office that quotes our mail).
 */
const repliedTicket = (mail: InboundMail, rcptTag: string | null, secret: string | undefined): number | null =>
  secret ? (findTicketReference(mail, rcptTag, secret)?.ticketId ?? null) : null;

/** The report actions that are bounces; `delivered`, `relayed` and `expanded` say the mail got through. */
const BOUNCE_ACTIONS = new Set(['failed', 'delayed']);

/**
 * Records each address of a report in ingest.bounces and, for those that failed or were delayed,
 * asks the ticket service (`ticket.record_bounce`, through the log in `tx`) to mark the address and
 * record the bounce on its ticket. The command id comes from the mail id and the address, so a
 * redelivered or replayed report sends nothing new.
 */
const recordBounces = async (tx: Db, store: EventStore, mailId: string, report: DeliveryReport, ticketId: number | null, at: Date): Promise<void> => {
  for (const r of report.recipients) {
    await tx.query(
      `INSERT INTO ingest.bounces (mail_id, address, action, status, diagnostic, permanent, ticket_id, original_message_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (mail_id, address) DO NOTHING`,
      [mailId, r.address, r.action, r.status, r.diagnostic, r.permanent, ticketId, report.originalMessageId, at.toISOString()],
    );
    if (!BOUNCE_ACTIONS.has(r.action)) continue;
    const command: RecordBounceV1 = {
      mailId,
      address: r.address,
      ticketId,
      action: r.action,
      status: r.status,
      diagnostic: r.diagnostic,
      permanent: r.permanent,
      originalMessageId: report.originalMessageId,
      bouncedAt: at.toISOString(),
    };
    await store.sendCommand(tx, { id: deterministicUuid('bounce', mailId, r.address), type: 'ticket.record_bounce', data: command }, { correlationId: mailId });
  }
};

const describeBounce = (report: DeliveryReport): string =>
  'delivery status notification: ' +
  report.recipients.map((r) => `${r.address} ${r.action}${r.status ? ` (${r.status})` : ''}${r.diagnostic ? `: ${r.diagnostic}` : ''}`).join('; ');

/**
 * Loop and junk protection: decides, before threading, whether a parsed mail may become a ticket
 * or comment at all. Runs in the worker's transaction (`tx`) so the counters and bounce records it
 * writes commit with the mail's outcome. In order:
 *
 * 1. blocklist `reject:` entries → rejected, not kept;
 * 2. the per-sender rate limit → past the first limit suspended (`loop`), past the second rejected;
 * 3. our own notifications coming back (`loop`), mail from or on behalf of a support address;
 * 4. blocklist (`blocklisted`), `*` with the sender not on the allowlist (`not_on_whitelist`);
 * 5. machine mail: delivery reports (`auto_delivery_failure`, the failed addresses are recorded
 *    with the ticket the bounced notification was about and sent to the ticket service, which
 *    marks them undeliverable), system senders (`system_user`), auto-replies (`auto_mailer`,
 *    `auto_vacation`, with the ticket they answer), bulk and list mail (`auto_mailer`; the
 *    allowlist lets a sender's list mail through);
 * 6. no-reply senders (`from_noreply`).
 *
 * Suspended machine mail never reaches threading, so it never becomes a comment and never makes
 * a trigger notify its sender: that is what stops an auto-responder conversation.
 */
export const screenMail = async (tx: Db, input: ScreenInput): Promise<MailVerdict> => {
  const policy = input.policy ?? DEFAULT_SCREENING_POLICY;
  const skip = new Set(input.recovery?.skip ?? []);
  const sender = input.requester.address.toLowerCase();
  const suspend = (cause: SuspensionCause, detail: string, ticketId: number | null = null): MailVerdict | null =>
    skip.has(cause) ? null : { kind: 'suspend', cause, detail, ticketId };

  const listed = checkSenderLists(policy.lists, sender);
  if (listed.kind === 'reject' && !input.recovery) return { kind: 'reject', detail: `${sender} is on the blocklist (reject:${listed.entry})` };
  const allowlisted = listed.kind === 'allowlisted';

  if (!input.recovery) {
    const limit = policy.rateLimit;
    const n = await countSender(tx, sender, input.at, limit.windowMinutes);
    const rate = rateVerdict(limit, n, allowlisted);
    const detail = `${n} mails from ${sender} within ${limit.windowMinutes} minutes`;
    if (rate === 'reject') return { kind: 'reject', detail: `${detail}: past the rate limit, not kept` };
    if (rate === 'suspend') return suspend('loop', `${detail}: more than ${limit.process * (allowlisted ? limit.allowlistFactor : 1)} processed per window`)!;
  }

  const automated = classifyAutomated(input.mail, input.supportAddresses);
  const early =
    (automated?.kind === 'our_notification' && suspend('loop', automated.reason)) ||
    (automated?.kind === 'from_support_address' && suspend('from_support_address', automated.reason)) ||
    (matchSupportAddress(sender, input.supportAddresses) && suspend('from_support_address', `the requester (Reply-To) is the support address ${sender}`)) ||
    (listed.kind === 'suspend' && suspend('blocklisted', `${sender} is on the blocklist (${listed.entry})`)) ||
    (listed.kind === 'not_allowlisted' && suspend('not_on_whitelist', `${sender} is not on the allowlist and the blocklist holds *`));
  if (early) return early;

  if (automated?.kind === 'bounce') {
    const report = parseDeliveryReport(input.mail, reportParts(input.parts));
    if (report) {
      const ticketId = bouncedTicket(report, input.secret);
      if (input.mailId) await recordBounces(tx, input.store ?? new EventStore(), input.mailId, report, ticketId, input.at);
      const verdict = suspend('auto_delivery_failure', describeBounce(report), ticketId);
      if (verdict) return verdict;
    } else {
      const verdict = automated.systemSender ? suspend('system_user', automated.reason) : suspend('auto_delivery_failure', automated.reason);
      if (verdict) return verdict;
    }
  }
  if (automated?.kind === 'auto_reply') {
    // Kept with the ticket it answers (shown on the suspended ticket), but never a comment: no notification goes back.
    const ticketId = repliedTicket(input.mail, input.rcptTag ?? null, input.secret);
    const verdict = isOutOfOfficeSubject(input.mail.subject)
      ? suspend('auto_vacation', `${automated.reason}, subject "${input.mail.subject}"`, ticketId)
      : suspend('auto_mailer', automated.reason, ticketId);
    if (verdict) return verdict;
  }
  if (automated?.kind === 'list' && !allowlisted) {
    const verdict = suspend('auto_mailer', automated.reason);
    if (verdict) return verdict;
  }
  if (isNoReplyAddress(sender)) {
    const verdict = suspend('from_noreply', `the sender ${sender} is a no-reply address`);
    if (verdict) return verdict;
  }
  // Last, so only mail that would really become a comment counts; the ticket is the one its
  // references name (what an auto-responder answering our notification carries).
  const ticketId = input.recovery ? null : repliedTicket(input.mail, input.rcptTag ?? null, input.secret);
  if (ticketId !== null) {
    const perHour = policy.ticketMailPerHour ?? DEFAULT_TICKET_MAIL_PER_HOUR;
    const n = await countTicketMail(tx, ticketId, input.at);
    if (n > perHour) return suspend('loop', `${n} mails for ticket #${ticketId} within an hour: more than ${perHour} (MAILROOM_TICKET_MAIL_COMMENTS_PER_HOUR)`, ticketId)!;
  }
  return { kind: 'accept' };
};

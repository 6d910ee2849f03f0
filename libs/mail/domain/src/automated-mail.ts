import { headerValue, headerValues, InboundMail, localPart, normaliseEmail } from './inbound-mail';
import { isMailroomMessageId } from './message-ids';
import { matchSupportAddress, SupportAddress } from './support-addresses';

export type AutomatedKind = 'auto_reply' | 'bounce' | 'list' | 'from_support_address' | 'our_notification';

export interface AutomatedVerdict {
  kind: AutomatedKind;
  /** What gave it away, for the suspension record: e.g. `Auto-Submitted: auto-replied`. */
  reason: string;
  /** For a bounce: set when the only sign was a system sender (mailer-daemon@, postmaster@). */
  systemSender?: boolean;
}

/** Header put on every mail Mailroom sends, so that it is recognised when it comes back. */
export const MAILROOM_NOTIFICATION_HEADER = 'X-Mailroom-Notification';

const SYSTEM_SENDERS = new Set(['mailer-daemon', 'mailer_daemon', 'mailerdaemon', 'postmaster']);

type Mail = Pick<InboundMail, 'messageId' | 'from' | 'headers' | 'returnPath'>;

const contentTypeOf = (mail: Mail): { type: string; reportType: string | null } => {
  const value = headerValue(mail, 'content-type') ?? '';
  const type = value.split(';')[0].trim().toLowerCase();
  const report = /;\s*report-type\s*=\s*"?([^";\s]+)"?/i.exec(value);
  return { type, reportType: report ? report[1].toLowerCase() : null };
};

/** `auto-generated (failure); foo=bar` → `auto-generated`. */
const keyword = (value: string): string =>
  value
    .replace(/\([^)]*\)/g, ' ')
    .split(';')[0]
    .trim()
    .toLowerCase();

const isNullSender = (value: string | null): boolean => value !== null && /^\s*<?\s*>?\s*$/.test(value);

/**
 * Lists run by our own support address (a Google Group as support@, forwarding to Mailroom) mark
 * every customer mail as list mail. Their List-Id is the address with `@` turned into `.`.
 */
const isOwnList = (mail: Mail, supportAddresses: readonly SupportAddress[]): boolean => {
  const listId = /<([^<>]+)>/.exec(headerValue(mail, 'list-id') ?? '')?.[1]?.trim().toLowerCase();
  const post = /<mailto:([^<>?]+)/i.exec(headerValue(mail, 'list-post') ?? '')?.[1];
  return supportAddresses.some(
    (a) => (listId !== undefined && listId === a.address.replace('@', '.')) || (post !== undefined && normaliseEmail(post) === a.address),
  );
};

/**
 * Whether a mail was sent by a machine rather than a person, and which kind (RFC 3834, RFC 3464,
 * RFC 2369 and common practice; reference performance §4.1, Zendesk §6.3–6.5). Null for mail a
 * person wrote. Checked in this order:
 *
 * - `our_notification`: our own `X-Mailroom-Notification` header, or a Mailroom Message-ID as the
 *   mail's own Message-ID — a notification of ours looping back.
 * - `from_support_address`: From is one of our support addresses (also plus-addressed).
 * - `bounce`: a delivery status report (`multipart/report; report-type=delivery-status`,
 *   `message/delivery-status`), `X-Failed-Recipients`, or a mailer-daemon/postmaster sender.
 * - `auto_reply`: `Auto-Submitted` other than `no`, `X-Autoreply`, `X-Autorespond`,
 *   `Precedence: auto_reply`, or another machine report (read receipts, feedback reports).
 * - `list`: `List-Id`, `List-Unsubscribe`, `X-Mailing-List`, `Precedence: list|bulk|junk` — unless
 *   the list is our own support address.
 * - `bounce` again for a null reverse path (`Return-Path: <>`) with nothing else to go on: the
 *   null sender is reserved for delivery reports and auto-responses (RFC 5321 §4.5.5).
 *
 * `X-Auto-Response-Suppress` is deliberately not an indicator: it asks recipients not to
 * auto-reply, and Outlook puts it on ordinary mail.
 */
export const classifyAutomated = (mail: Mail, supportAddresses: readonly SupportAddress[]): AutomatedVerdict | null => {
  // Our own mail coming back.
  if (headerValues(mail, MAILROOM_NOTIFICATION_HEADER).length > 0) {
    return { kind: 'our_notification', reason: `${MAILROOM_NOTIFICATION_HEADER} header` };
  }
  if (mail.messageId && isMailroomMessageId(mail.messageId)) {
    return { kind: 'our_notification', reason: `Message-ID ${mail.messageId.trim()} is one of ours` };
  }

  const from = mail.from?.address ? normaliseEmail(mail.from.address) : '';
  if (from && matchSupportAddress(from, supportAddresses)) {
    return { kind: 'from_support_address', reason: `From is the support address ${from}` };
  }

  // Delivery status notifications.
  const { type, reportType } = contentTypeOf(mail);
  if (type === 'multipart/report' && reportType === 'delivery-status') {
    return { kind: 'bounce', reason: 'Content-Type: multipart/report; report-type=delivery-status' };
  }
  if (type === 'message/delivery-status') {
    return { kind: 'bounce', reason: 'Content-Type: message/delivery-status' };
  }
  const failed = headerValue(mail, 'x-failed-recipients');
  if (failed !== null) return { kind: 'bounce', reason: `X-Failed-Recipients: ${failed}` };
  const returnPath = mail.returnPath ?? headerValue(mail, 'return-path');
  const senders = [from, headerValue(mail, 'sender') ?? '', isNullSender(returnPath) ? '' : (returnPath ?? '')];
  for (const sender of senders) {
    const mailbox = normaliseEmail(/<([^<>]*)>/.exec(sender)?.[1] ?? sender);
    if (mailbox && SYSTEM_SENDERS.has(localPart(mailbox))) {
      return { kind: 'bounce', reason: `sent by the system mailbox ${mailbox}`, systemSender: true };
    }
  }

  // Auto-responders.
  const autoSubmitted = headerValue(mail, 'auto-submitted');
  if (autoSubmitted !== null && keyword(autoSubmitted) !== 'no' && keyword(autoSubmitted) !== '') {
    return { kind: 'auto_reply', reason: `Auto-Submitted: ${autoSubmitted}` };
  }
  for (const name of ['X-Autoreply', 'X-Autorespond']) {
    const value = headerValue(mail, name);
    if (value !== null && keyword(value) !== 'no') {
      return { kind: 'auto_reply', reason: `${name}: ${value}` };
    }
  }
  const precedence = keyword(headerValue(mail, 'precedence') ?? '');
  if (precedence === 'auto_reply') return { kind: 'auto_reply', reason: 'Precedence: auto_reply' };
  if (type === 'multipart/report') {
    return { kind: 'auto_reply', reason: `Content-Type: multipart/report; report-type=${reportType ?? '(none)'}` };
  }

  // Mailing lists and bulk mail.
  const ownList = isOwnList(mail, supportAddresses);
  if (!ownList) {
    for (const name of ['List-Id', 'List-Unsubscribe', 'X-Mailing-List']) {
      const value = headerValue(mail, name);
      if (value !== null) return { kind: 'list', reason: `${name}: ${value}` };
    }
  }
  if (precedence === 'bulk' || precedence === 'junk' || (precedence === 'list' && !ownList)) {
    return { kind: 'list', reason: `Precedence: ${precedence}` };
  }

  if (isNullSender(returnPath)) {
    return { kind: 'bounce', reason: 'null reverse path (Return-Path: <>)' };
  }
  return null;
};

const NO_REPLY_LOCAL = /^(?:no|do[-_.]?not|dont|never)[-_.]?reply(?:[-_.+].*)?$|^no[-_.]?response(?:[-_.+].*)?$|^noreply.*$/i;

/**
 * A "no-reply" sender (`noreply@`, `no-reply@`, `do-not-reply@`, `donotreply+x@` …): a machine that
 * says so, whose mail does not create tickets (Zendesk cause `from_noreply`, reference §6.4).
 */
export const isNoReplyAddress = (address: string): boolean => {
  const mailbox = normaliseEmail(address);
  return mailbox.includes('@') && NO_REPLY_LOCAL.test(localPart(mailbox));
};

const OUT_OF_OFFICE_SUBJECT =
  /^\s*(?:(?:automatic|auto)[- ]?(?:reply|response|antwort)|out of (?:the )?office|ooo\b|on vacation|vacation (?:reply|notice)|away from (?:the )?office|abwesenheit|réponse automatique|respuesta automática|risposta automatica|fuera de la oficina|absent(?:e)?\b)/i;

/**
 * An out-of-office answer: an auto-reply whose subject says so. Only used to name the cause
 * (`auto_vacation` rather than `auto_mailer`); both are suspended the same way.
 */
export const isOutOfOfficeSubject = (subject: string): boolean => OUT_OF_OFFICE_SUBJECT.test(subject);

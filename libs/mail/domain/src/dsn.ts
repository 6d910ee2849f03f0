import { headerValue, normaliseEmail, type InboundMail } from './inbound-mail';
import { splitMessageIds } from './message-ids';

/**
 * Delivery status notifications (RFC 3464): which addresses a bounce is about, what happened to
 * each, and which message of ours bounced. Pure: works on the parsed mail's text and on the text
 * of its MIME parts, so any parser can feed it.
 */

/** One per-recipient block of a report. */
export interface DsnRecipient {
  /** `Final-Recipient` (or `Original-Recipient`, or an `X-Failed-Recipients` entry), lower-cased. */
  address: string;
  /** `failed`, `delayed`, `delivered`, `relayed`, `expanded` (lower-cased as sent). */
  action: string;
  /** The enhanced status code, e.g. `5.1.1`; null when the report has none. */
  status: string | null;
  /** `Diagnostic-Code` without its type, e.g. `550 5.1.1 user unknown`. */
  diagnostic: string | null;
  /** A hard bounce: `failed` with a 5.x.x status (or none). Delays and 4.x.x are transient. */
  permanent: boolean;
}

export interface DeliveryReport {
  reportingMta: string | null;
  recipients: DsnRecipient[];
  /** Message-ID of the message that bounced, from the returned headers or the report's own In-Reply-To/References. */
  originalMessageId: string | null;
  /** Every Message-ID the report names for the bounced message (own id first, then what it replied to). */
  originalMessageIds: string[];
  originalSubject: string | null;
}

/** A MIME part's content type and text (only the parts a report needs, decoded as text). */
export interface MailPart {
  contentType: string;
  content: string;
}

type Fields = Map<string, string[]>;

/** `Name: value` lines of one header-like block, continuation lines unfolded. */
const parseFields = (block: string): Fields => {
  const fields: Fields = new Map();
  let last: { name: string; index: number } | null = null;
  for (const line of block.split('\n')) {
    if (/^[ \t]/.test(line) && last) {
      const values = fields.get(last.name)!;
      values[last.index] = `${values[last.index]} ${line.trim()}`;
      continue;
    }
    const m = /^([A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!m) {
      last = null;
      continue;
    }
    const name = m[1].toLowerCase();
    const values = fields.get(name) ?? [];
    values.push(m[2].trim());
    fields.set(name, values);
    last = { name, index: values.length - 1 };
  }
  return fields;
};

const first = (fields: Fields, name: string): string | null => fields.get(name)?.[0] ?? null;

/** `rfc822; <Jane@Example.com>` → `jane@example.com`; null for other address types or garbage. */
const typedAddress = (value: string | null): string | null => {
  if (!value) return null;
  const semi = value.indexOf(';');
  const type = semi >= 0 ? value.slice(0, semi).trim().toLowerCase() : 'rfc822';
  if (type !== 'rfc822') return null;
  const address = normaliseEmail((semi >= 0 ? value.slice(semi + 1) : value).replace(/\([^)]*\)/g, ''));
  return /^[^\s@<>]+@[^\s@<>]+$/.test(address) ? address : null;
};

/** `smtp; 550 5.1.1 …` → `550 5.1.1 …`. */
const untyped = (value: string | null): string | null => {
  if (!value) return null;
  const m = /^[A-Za-z0-9-]+\s*;\s*(.*)$/.exec(value);
  return (m ? m[1] : value).trim() || null;
};

const isPermanent = (action: string, status: string | null): boolean => action === 'failed' && (status === null || status.startsWith('5'));

const normaliseText = (s: string): string => s.replace(/\r\n?/g, '\n');

/** The blocks (separated by blank lines) of a `message/delivery-status` body. */
const statusBlocks = (text: string): Fields[] => normaliseText(text).split(/\n[ \t]*\n/).map(parseFields);

/** The header block of a returned message (`message/rfc822` or `text/rfc822-headers`). */
const headerBlock = (content: string): Fields => parseFields(normaliseText(content).split(/\n[ \t]*\n/)[0] ?? '');

const isStatusPart = (p: MailPart): boolean => /^message\/(?:global-)?delivery-status\b/i.test(p.contentType.trim());
const isReturnedHeaders = (p: MailPart): boolean => /^(?:message\/rfc822|message\/global|text\/rfc822-headers|message\/global-headers)\b/i.test(p.contentType.trim());

/**
 * Reads a delivery report. The per-recipient fields come from the `message/delivery-status` part
 * when the parser kept it as a part, otherwise from the mail's text (mailparser inlines that part
 * into the text); `X-Failed-Recipients` fills in when neither names a recipient. Null when the mail
 * names no recipient at all: then it is not a report this function can read.
 */
export const parseDeliveryReport = (mail: Pick<InboundMail, 'text' | 'headers' | 'inReplyTo' | 'references'>, parts: readonly MailPart[] = []): DeliveryReport | null => {
  const statusText = parts.filter(isStatusPart).map((p) => p.content);
  const blocks = statusBlocks(statusText.length > 0 ? statusText.join('\n\n') : mail.text);
  let reportingMta: string | null = null;
  const recipients: DsnRecipient[] = [];
  const seen = new Set<string>();
  for (const block of blocks) {
    reportingMta ??= untyped(first(block, 'reporting-mta'));
    const address = typedAddress(first(block, 'final-recipient')) ?? typedAddress(first(block, 'original-recipient'));
    const action = first(block, 'action')?.toLowerCase().replace(/\(.*\)/, '').trim();
    if (!address || !action) continue;
    const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(first(block, 'status') ?? '')?.[1] ?? null;
    if (seen.has(address)) continue;
    seen.add(address);
    recipients.push({ address, action, status, diagnostic: untyped(first(block, 'diagnostic-code')), permanent: isPermanent(action, status) });
  }
  const failedHeader = headerValue(mail, 'x-failed-recipients');
  if (failedHeader) {
    for (const raw of failedHeader.split(/[,\s]+/)) {
      const address = typedAddress(raw);
      if (!address || seen.has(address)) continue;
      seen.add(address);
      recipients.push({ address, action: 'failed', status: null, diagnostic: null, permanent: true });
    }
  }
  if (recipients.length === 0) return null;

  const returned = parts.filter(isReturnedHeaders).map((p) => headerBlock(p.content));
  const returnedIds = returned.flatMap((h) => splitMessageIds(first(h, 'message-id')));
  const ownReplyIds = [...mail.inReplyTo, ...[...mail.references].reverse()];
  const originalMessageIds = [...new Set([...returnedIds, ...ownReplyIds])];
  const subject = returned.map((h) => first(h, 'subject')).find((s) => s !== null) ?? null;
  return { reportingMta, recipients, originalMessageId: originalMessageIds[0] ?? null, originalMessageIds, originalSubject: subject };
};

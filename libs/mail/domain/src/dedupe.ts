import { createHash } from 'node:crypto';
import { InboundMail } from './inbound-mail';

/** Longer keys are hashed, so that they always fit an index. RFC 5322 lines stop at 998. */
const MAX_KEY_LENGTH = 998;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * A Message-ID in one spelling: the first `<…>` (or the trimmed text when it has no brackets),
 * without obsolete comments and whitespace, wrapped in angle brackets, local part exactly as
 * sent, domain lower-cased. Null when empty.
 */
export const normaliseMessageId = (messageId: string | null | undefined): string | null => {
  if (!messageId) return null;
  const bracketed = /<([^<>]*)>/.exec(messageId);
  let id = (bracketed ? bracketed[1] : messageId).trim();
  // Obsolete syntax allows comments and folding whitespace inside the id (RFC 5322 §4.5.4).
  if (!id.includes('"')) id = id.replace(/\([^()]*\)/g, '').replace(/\s+/g, '');
  if (id === '') return null;
  const at = id.lastIndexOf('@');
  return at < 0 ? `<${id}>` : `<${id.slice(0, at)}@${id.slice(at + 1).toLowerCase()}>`;
};

/**
 * The key under which a mail is deduplicated (DESIGN.md §2.4: redelivery never duplicates a
 * ticket or comment).
 *
 * - The normalised Message-ID when there is one.
 * - Otherwise a derived id, `<derived.<sha256>@mailroom.invalid>`, over sender, Date, subject and
 *   text: the same mail delivered twice (also to two support addresses, where the raw bytes differ
 *   in their Received/Delivered-To lines) gets the same key.
 * - `<raw.<rawSha256Hex>@mailroom.invalid>` only when even those are all empty.
 */
export const dedupeKey = (
  mail: Pick<InboundMail, 'messageId' | 'from' | 'date' | 'subject' | 'text'>,
  rawSha256Hex: string,
): string => {
  const messageId = normaliseMessageId(mail.messageId);
  if (messageId) {
    return messageId.length <= MAX_KEY_LENGTH ? messageId : `<long.${sha256(messageId)}@mailroom.invalid>`;
  }
  const from = (mail.from?.address ?? '').trim().toLowerCase();
  const date = (mail.date ?? '').trim();
  const subject = (mail.subject ?? '').trim();
  const text = (mail.text ?? '').replace(/\r\n?/g, '\n').trim();
  if (from === '' && date === '' && subject === '' && text === '') {
    return `<raw.${rawSha256Hex.toLowerCase()}@mailroom.invalid>`;
  }
  return `<derived.${sha256(JSON.stringify([from, date, subject, text]))}@mailroom.invalid>`;
};

/**
 * The normalised form of a parsed email, as the ingest worker hands it to the domain. Everything
 * below works on this shape only, so the rules can be tested with plain objects and stay free of
 * any MIME parser.
 */

export interface Address {
  /** The mailbox, e.g. `jane@example.com`. May be empty or malformed in hostile mail. */
  address: string;
  /** The display name, decoded; empty when there is none. */
  name: string;
}

export interface InboundMail {
  /** The Message-ID header as sent (with or without angle brackets), or null when absent. */
  messageId: string | null;
  /** Message-IDs of In-Reply-To, in header order. */
  inReplyTo: string[];
  /** Message-IDs of References, in header order (oldest first, parent last). */
  references: string[];
  from: Address | null;
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  /** Decoded subject; empty string when there is none. */
  subject: string;
  /** Plain-text body (derived from the HTML when the mail has no text part). */
  text: string;
  html: string | null;
  /** The Date header as sent, or null. */
  date: string | null;
  /**
   * Every header field by lower-case name, one entry per occurrence, value unfolded but otherwise
   * as sent (not decoded): `{ 'auto-submitted': ['auto-replied'], received: [...] }`.
   */
  headers: Record<string, string[]>;
  /**
   * The reverse path: the envelope MAIL FROM or the Return-Path header, without angle brackets.
   * `''` means the null sender `<>` (bounces, most auto-replies); null means unknown.
   */
  returnPath: string | null;
}

/** All values of a header field (case-insensitive name), in order; empty when absent. */
export const headerValues = (mail: Pick<InboundMail, 'headers'>, name: string): string[] =>
  mail.headers[name.toLowerCase()] ?? [];

/** The first value of a header field, trimmed, or null when absent. */
export const headerValue = (mail: Pick<InboundMail, 'headers'>, name: string): string | null => {
  const values = headerValues(mail, name);
  return values.length > 0 ? values[0].trim() : null;
};

const EMAIL = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+$/;

/** `Jane@Example.COM` → `jane@example.com`; strips surrounding angle brackets and whitespace. */
export const normaliseEmail = (address: string): string =>
  address
    .trim()
    .replace(/^<(.*)>$/, '$1')
    .trim()
    .toLowerCase();

/** The local part of an address (`jane` for `jane@example.com`). */
export const localPart = (address: string): string => {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at);
};

/**
 * An address as we store it: lower-cased mailbox, trimmed display name, and the local part as the
 * name when the mail gave none. Null when the mailbox is empty or malformed.
 */
export const normaliseAddress = (address: Address | null | undefined): Address | null => {
  if (!address || typeof address.address !== 'string') return null;
  const mailbox = normaliseEmail(address.address);
  if (!EMAIL.test(mailbox)) return null;
  const name = (address.name ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(["'])(.*)\1$/, '$2')
    .trim();
  return { address: mailbox, name: name || localPart(mailbox) };
};

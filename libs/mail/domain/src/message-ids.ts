import { parseTicketToken, ticketToken } from './ticket-token';

/**
 * Message-IDs of the mail we send. Each notification's id carries the ticket token, and every
 * notification's References starts with the ticket's root id, so any reply (even from a client that
 * keeps only the first reference) leads back to the ticket.
 */

/** `<mr.t12-abc….@domain>`: the same for every mail of the ticket. */
export const ticketRootMessageId = (ticketId: number, domain: string, secret: string): string =>
  `<mr.${ticketToken(ticketId, secret)}@${domain}>`;

/** `<mr.t12-abc….n<notification>@domain>`: one per notification, stable across retries. */
export const notificationMessageId = (
  ticketId: number,
  notificationId: string,
  domain: string,
  secret: string,
): string => `<mr.${ticketToken(ticketId, secret)}.n${notificationId.replace(/-/g, '')}@${domain}>`;

/** The ticket a Message-ID of ours points to, or null for anyone else's id. */
export const ticketIdFromMessageId = (messageId: string, secret: string): number | null => {
  const m = /^<?mr\.(t\d+-[0-9a-z]{16})(?:\.n[0-9a-f]+)?@[^>\s]+>?$/i.exec(messageId.trim());
  return m ? parseTicketToken(m[1], secret) : null;
};

/**
 * True when a Message-ID has the shape of ours (`<mr.t<id>-<mac>[.n…]@…>`), without checking the
 * MAC: enough to recognise our own mail coming back, which needs no secret.
 */
export const isMailroomMessageId = (messageId: string): boolean =>
  /^<?mr\.t\d+-[0-9a-z]{16}(?:\.n[0-9a-f]+)?@[^>\s]+>?$/i.test(messageId.trim());

/** Splits an In-Reply-To or References header into its Message-IDs. */
export const splitMessageIds = (header: string | string[] | undefined | null): string[] => {
  if (!header) return [];
  const text = Array.isArray(header) ? header.join(' ') : header;
  return Array.from(text.matchAll(/<[^<>\s]+>/g), (m) => m[0]);
};

/** `support+t12-abc…@example.com`: the Reply-To that brings answers back to the ticket. */
export const replyToAddress = (supportAddress: string, ticketId: number, secret: string): string => {
  const at = supportAddress.lastIndexOf('@');
  return `${supportAddress.slice(0, at)}+${ticketToken(ticketId, secret)}${supportAddress.slice(at)}`;
};

/** Splits `local+tag@domain` into the base address and the tag (null when there is none). */
export const splitPlusAddress = (address: string): { base: string; tag: string | null } => {
  const at = address.lastIndexOf('@');
  if (at < 0) return { base: address.toLowerCase(), tag: null };
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  const plus = local.indexOf('+');
  if (plus < 0) return { base: `${local.toLowerCase()}@${domain}`, tag: null };
  return { base: `${local.slice(0, plus).toLowerCase()}@${domain}`, tag: local.slice(plus + 1) };
};

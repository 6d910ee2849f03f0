import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a rating link works (Zendesk's CSAT: 28 days to respond). */
export const SATISFACTION_LINK_DAYS = 28;
const LINK_MS = SATISFACTION_LINK_DAYS * 24 * 3600 * 1000;

const mac = (ticketId: number, requesterId: number, issued: string, secret: string): string =>
  createHmac('sha256', secret).update(`satisfaction:v1:${ticketId}:${requesterId}:${issued}`).digest('base64url').slice(0, 27);

/**
 * The capability in a requester's rating links: `<ticket id>.<issued, unix seconds base 36>.<mac>`,
 * the mac an HMAC (under MAILROOM_SECRET) of ticket, requester and issue time. The ticket id is in
 * the clear so the page can find the ticket; the requester is not, it comes from the ticket, so a
 * link stops working for a ticket whose requester changed. Made by the notifier when it renders a
 * survey, checked by the ticket service's rating page (verifySatisfactionToken).
 */
export const satisfactionToken = (ticketId: number, requesterId: number, issuedAt: string | Date, secret: string): string => {
  const issued = Math.floor(new Date(issuedAt).getTime() / 1000).toString(36);
  return `${ticketId}.${issued}.${mac(ticketId, requesterId, issued, secret)}`;
};

/** The ticket a token names, before it is checked (null: not a token at all). */
export const satisfactionTokenTicket = (token: string): number | null => {
  const m = /^([1-9][0-9]{0,14})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{27})$/.exec(String(token));
  return m ? Number(m[1]) : null;
};

export type SatisfactionTokenCheck = { ok: true; ticketId: number; issuedAt: Date } | { ok: false; reason: 'invalid' | 'expired' };

/** Checks a token for the ticket's current requester at `now`: forged, altered or for someone else is `invalid`; older than 28 days `expired`. */
export const verifySatisfactionToken = (token: string, requesterId: number, secret: string, now: Date): SatisfactionTokenCheck => {
  const m = /^([1-9][0-9]{0,14})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{27})$/.exec(String(token));
  if (!m) return { ok: false, reason: 'invalid' };
  const ticketId = Number(m[1]);
  const expected = Buffer.from(mac(ticketId, requesterId, m[2], secret));
  const given = Buffer.from(m[3]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  const issuedAt = new Date(parseInt(m[2], 36) * 1000);
  // A link from the future (clock skew between replicas) is taken; one past its 28 days is not.
  if (now.getTime() - issuedAt.getTime() > LINK_MS) return { ok: false, reason: 'expired' };
  return { ok: true, ticketId, issuedAt };
};

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The secret part of a requester's satisfaction rating links. An HMAC of ticket and requester under
 * the server secret, so that a link cannot be guessed for someone else's ticket. Whoever serves the
 * rating page checks it with verifySatisfactionToken.
 */
export const satisfactionToken = (ticketId: number, requesterId: number, secret: string): string =>
  createHmac('sha256', secret).update(`satisfaction:${ticketId}:${requesterId}`).digest('base64url').slice(0, 22);

export const verifySatisfactionToken = (token: string, ticketId: number, requesterId: number, secret: string): boolean => {
  const expected = Buffer.from(satisfactionToken(ticketId, requesterId, secret));
  const given = Buffer.from(String(token));
  return given.length === expected.length && timingSafeEqual(given, expected);
};

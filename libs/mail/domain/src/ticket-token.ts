import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Ids that cannot be forged (DESIGN.md §6). Every reference to a ticket that we put in an outgoing
 * mail carries an HMAC of the ticket id under the server secret, so a guessed or edited id never
 * threads a mail into someone else's ticket.
 *
 * Two forms:
 *  - the encoded id shown in bodies, `[XXXXXX-XXXX]` like Zendesk's: 30 bits of ticket id and a
 *    20-bit MAC, in Crockford base32. Short enough to read, long enough that a guess succeeds once
 *    in a million tries per ticket.
 *  - the token for headers and the Reply-To plus-address, `t<id>-<mac>`: an 80-bit MAC, because
 *    nobody has to read it.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford: no I, L, O, U
const MAX_ENCODABLE_ID = 2 ** 30 - 1;

const mac = (secret: string, purpose: string, ticketId: number): Buffer =>
  createHmac('sha256', secret).update(`${purpose}:${ticketId}`).digest();

const toBase32 = (value: bigint, length: number): string => {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
};

const fromBase32 = (text: string): bigint | null => {
  let value = 0n;
  for (const ch of text.toUpperCase()) {
    const digit = ALPHABET.indexOf(ch === 'O' ? '0' : ch === 'I' || ch === 'L' ? '1' : ch);
    if (digit < 0) return null;
    value = (value << 5n) | BigInt(digit);
  }
  return value;
};

const bitsOf = (buf: Buffer, bits: number): bigint => {
  const whole = BigInt('0x' + buf.subarray(0, Math.ceil(bits / 8)).toString('hex'));
  return whole >> BigInt(Math.ceil(bits / 8) * 8 - bits);
};

/** `ticket.encoded_id`: e.g. `0003KZ-7QW2`. */
export const encodeTicketId = (ticketId: number, secret: string): string => {
  if (!Number.isSafeInteger(ticketId) || ticketId < 1 || ticketId > MAX_ENCODABLE_ID) {
    throw new RangeError(`ticket id ${ticketId} cannot be encoded`);
  }
  const packed = (BigInt(ticketId) << 20n) | bitsOf(mac(secret, 'encoded-id', ticketId), 20);
  const chars = toBase32(packed, 10);
  return `${chars.slice(0, 6)}-${chars.slice(6)}`;
};

/** The ticket id an encoded id stands for, or null when it is malformed or its MAC is wrong. */
export const decodeTicketId = (encoded: string, secret: string): number | null => {
  const m = /^([0-9A-Z]{6})-([0-9A-Z]{4})$/i.exec(encoded.trim());
  if (!m) return null;
  const packed = fromBase32(m[1] + m[2]);
  if (packed === null) return null;
  const ticketId = Number(packed >> 20n);
  if (ticketId < 1) return null;
  return encodeTicketId(ticketId, secret) === `${m[1]}-${m[2]}`.toUpperCase() ? ticketId : null;
};

/** Every `[XXXXXX-XXXX]` in a text that decodes under our secret, in order of appearance. */
export const findEncodedTicketIds = (text: string, secret: string): number[] => {
  const found: number[] = [];
  for (const m of text.matchAll(/\[([0-9A-Za-z]{6}-[0-9A-Za-z]{4})\]/g)) {
    const id = decodeTicketId(m[1], secret);
    if (id !== null && !found.includes(id)) found.push(id);
  }
  return found;
};

/** `t<id>-<mac>`: the ticket reference in our Message-IDs and Reply-To plus-addresses. */
export const ticketToken = (ticketId: number, secret: string): string =>
  `t${ticketId}-${toBase32(bitsOf(mac(secret, 'token', ticketId), 80), 16).toLowerCase()}`;

/** The ticket id of a token, or null if it is not one of ours. Case-insensitive: MTAs may fold it. */
export const parseTicketToken = (token: string, secret: string): number | null => {
  const m = /^t(\d{1,15})-([0-9a-z]{16})$/i.exec(token);
  if (!m) return null;
  const ticketId = Number(m[1]);
  if (!Number.isSafeInteger(ticketId) || ticketId < 1) return null;
  const expected = Buffer.from(ticketToken(ticketId, secret).toLowerCase());
  const given = Buffer.from(token.toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given) ? ticketId : null;
};

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Ids that cannot be forged (DESIGN.md §6). Every reference to a ticket that we put in an outgoing
 * mail carries an HMAC of the ticket id under the server secret, so a guessed or edited id never
 * threads a mail into someone else's ticket.
 *
 * Two forms:
 *  - the encoded id shown in bodies, `[XXXXXX-XXXX]` like Zendesk's: 30 bits of ticket id and a
 *    20-bit MAC, in Crockford base32. Short enough to read, but a guess succeeds once in 2^20
 *    (about a million) tries per ticket, and one 15 MB mail can hold all 2^20 candidates. So it
 *    is never checked as often as someone likes: a mail offers at most
 *    {@link MAX_BODY_REFERENCE_CANDIDATES} candidates ({@link bodyReferenceCandidates}), and the
 *    ingest worker stops honouring body references for a sender, and for the ticket a guess names,
 *    after a few failed checks a day (libs/ingest/src/threading/body-reference-guard.ts, where the
 *    arithmetic is).
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

/**
 * How many distinct `[XXXXXX-XXXX]` candidates of one mail are looked at, at most. A genuine reply
 * quotes our mail: its text and HTML carry the same reference, a long thread perhaps one or two
 * more of earlier tickets. Whatever comes after the first few is not looked at, so a mail full of
 * guesses costs its sender as much as a mail with three.
 */
export const MAX_BODY_REFERENCE_CANDIDATES = 3;

export interface BodyReferenceCandidate {
  /** Upper case, as we print it: `0003KZ-7QW2`. */
  encoded: string;
  /** The ticket it names, MAC not checked yet: the ticket a wrong guess is counted against. */
  namedTicketId: number;
}

/**
 * The first {@link MAX_BODY_REFERENCE_CANDIDATES} distinct well-formed `[XXXXXX-XXXX]` in the
 * texts, in order (text before HTML); malformed ones (letters outside Crockford base32, ticket 0)
 * could never verify and take no place. Nothing is verified here.
 */
export const bodyReferenceCandidates = (texts: readonly (string | null | undefined)[]): BodyReferenceCandidate[] => {
  const found: BodyReferenceCandidate[] = [];
  for (const text of texts) {
    if (!text) continue;
    for (const m of text.matchAll(/\[([0-9A-Za-z]{6})-([0-9A-Za-z]{4})\]/g)) {
      const packed = fromBase32(m[1] + m[2]);
      if (packed === null) continue;
      const namedTicketId = Number(packed >> 20n);
      if (namedTicketId < 1) continue;
      const encoded = `${m[1]}-${m[2]}`.toUpperCase();
      if (found.some((c) => c.encoded === encoded)) continue;
      found.push({ encoded, namedTicketId });
      if (found.length === MAX_BODY_REFERENCE_CANDIDATES) return found;
    }
  }
  return found;
};

/** The tickets of the first few `[XXXXXX-XXXX]` of a text that verify under our secret, in order. */
export const findEncodedTicketIds = (text: string, secret: string): number[] => {
  const found: number[] = [];
  for (const c of bodyReferenceCandidates([text])) {
    const id = decodeTicketId(c.encoded, secret);
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

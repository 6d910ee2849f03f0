import { bodyReferenceCandidates, decodeTicketId, encodeTicketId, findEncodedTicketIds, MAX_BODY_REFERENCE_CANDIDATES, parseTicketToken, ticketToken } from './ticket-token';
import { notificationMessageId, replyToAddress, splitPlusAddress, ticketIdFromMessageId, ticketRootMessageId } from './message-ids';

const secret = 'test-secret';

describe('encoded ticket ids', () => {
  it('round-trip for small and large ids in the [XXXXXX-XXXX] shape', () => {
    for (const id of [1, 42, 123456, 2 ** 30 - 1]) {
      const enc = encodeTicketId(id, secret);
      expect(enc).toMatch(/^[0-9A-Z]{6}-[0-9A-Z]{4}$/);
      expect(decodeTicketId(enc, secret)).toBe(id);
      expect(decodeTicketId(enc.toLowerCase(), secret)).toBe(id);
    }
  });

  it('refuse an id encoded under another secret or with an edited character', () => {
    const enc = encodeTicketId(77, secret);
    expect(decodeTicketId(enc, 'other')).toBeNull();
    const edited = (enc[0] === '0' ? '1' : '0') + enc.slice(1);
    expect(decodeTicketId(edited, secret)).toBeNull();
  });

  it('are found in a body among other bracketed text', () => {
    const body = `Thanks [not-an-id] see [${encodeTicketId(9, secret)}] and [${encodeTicketId(9, 'x')}]`;
    expect(findEncodedTicketIds(body, secret)).toEqual([9]);
  });

  /** Every MAC a guesser could try for ticket 9, in the printed shape (`count` of them, from `from`). */
  const guesses = (ticketId: number, count: number, from = 0): string[] =>
    Array.from({ length: count }, (_, i) => {
      const enc = encodeTicketId(ticketId, secret);
      const digits = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
      let n = from + i;
      let mac = '';
      for (let k = 0; k < 4; k++, n = Math.floor(n / 32)) mac = digits[n % 32] + mac;
      return `[${enc.slice(0, 7)}${mac}]`;
    });

  it('are only looked for among the first few distinct candidates of a mail: thousands of guesses find nothing', () => {
    const real = `[${encodeTicketId(9, secret)}]`;
    const body = [...guesses(9, 5000), real].join(' ');
    expect(body).toContain(real);
    expect(findEncodedTicketIds(body, secret)).toEqual([]);
    expect(bodyReferenceCandidates([body])).toHaveLength(MAX_BODY_REFERENCE_CANDIDATES);
  });

  it('count a candidate once and give malformed ones no place', () => {
    const real = `[${encodeTicketId(9, secret)}]`;
    const noise = '[ABCDEU-UUUU] [000000-0000] [abcdef-ghij]'.replace('[abcdef-ghij]', real.toLowerCase());
    expect(findEncodedTicketIds(`${noise} ${real} ${real} ${real}`, secret)).toEqual([9]);
    expect(bodyReferenceCandidates([`${real} ${real}`, real.toLowerCase()])).toEqual([{ encoded: real.slice(1, -1), namedTicketId: 9 }]);
    expect(bodyReferenceCandidates([guesses(9, 1)[0], `[${encodeTicketId(5, secret)}]`]).map((c) => c.namedTicketId)).toEqual([9, 5]);
  });
});

describe('ticket tokens in headers', () => {
  it('thread back through Message-IDs and the plus-address, and nothing forged does', () => {
    expect(ticketIdFromMessageId(ticketRootMessageId(5, 'mailroom.test', secret), secret)).toBe(5);
    const nid = notificationMessageId(5, '3f1c9a2e-0000-4000-8000-000000000001', 'mailroom.test', secret);
    expect(ticketIdFromMessageId(nid, secret)).toBe(5);
    expect(ticketIdFromMessageId(nid.replace('t5-', 't6-'), secret)).toBeNull();
    expect(ticketIdFromMessageId('<CAF=abc@mail.gmail.com>', secret)).toBeNull();

    const replyTo = replyToAddress('Support@Mailroom.test', 5, secret);
    const { base, tag } = splitPlusAddress(replyTo);
    expect(base).toBe('support@mailroom.test');
    expect(parseTicketToken(tag!, secret)).toBe(5);
    expect(parseTicketToken(tag!.toUpperCase(), secret)).toBe(5);
    expect(parseTicketToken(ticketToken(5, 'other'), secret)).toBeNull();
  });
});

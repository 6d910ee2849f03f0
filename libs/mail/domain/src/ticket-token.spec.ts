import { decodeTicketId, encodeTicketId, findEncodedTicketIds, parseTicketToken, ticketToken } from './ticket-token';
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

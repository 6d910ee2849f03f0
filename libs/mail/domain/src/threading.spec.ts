import { InboundMail } from './inbound-mail';
import { notificationMessageId, replyToAddress, splitPlusAddress, ticketRootMessageId } from './message-ids';
import { findTicketReference, subjectTicketNumbers, TicketReference } from './threading';
import { encodeTicketId, ticketToken } from './ticket-token';

const secret = 'threading-secret';
const domain = 'mailroom.test';
const root = (id: number, s = secret) => ticketRootMessageId(id, domain, s);
const note = (id: number, s = secret) => notificationMessageId(id, '3f1c9a2e-0000-4000-8000-00000000000a', domain, s);
const forged = root(5).replace('t5-', 't6-');
const gmail = '<CAF=abc@mail.gmail.com>';

type Mail = Pick<InboundMail, 'inReplyTo' | 'references' | 'text' | 'html'>;
const mail = (over: Partial<Mail> = {}): Mail => ({ inReplyTo: [], references: [], text: '', html: null, ...over });

describe('findTicketReference', () => {
  it.each<[string, Mail, string | null, TicketReference | null]>([
    ['our notification id in In-Reply-To', mail({ inReplyTo: [note(5)] }), null, { ticketId: 5, matchedBy: 'message_id' }],
    ['our root id in References only', mail({ inReplyTo: [gmail], references: [root(5), gmail] }), null, { ticketId: 5, matchedBy: 'message_id' }],
    ['ids given as one header string', mail({ references: [`${gmail} ${note(8)},${gmail}`] }), null, { ticketId: 8, matchedBy: 'message_id' }],
    ['an id without angle brackets', mail({ inReplyTo: [note(9).slice(1, -1)] }), null, { ticketId: 9, matchedBy: 'message_id' }],
    ['In-Reply-To before References', mail({ inReplyTo: [note(5)], references: [root(6)] }), null, { ticketId: 5, matchedBy: 'message_id' }],
    ['the most recent References entry first', mail({ references: [root(6), note(7)] }), null, { ticketId: 7, matchedBy: 'message_id' }],
    ['headers before the plus-address tag', mail({ references: [root(5)] }), ticketToken(6, secret), { ticketId: 5, matchedBy: 'message_id' }],
    ['the plus-address tag', mail({ inReplyTo: [gmail] }), ticketToken(6, secret), { ticketId: 6, matchedBy: 'reply_to_token' }],
    ['the tag in upper case', mail(), ticketToken(6, secret).toUpperCase(), { ticketId: 6, matchedBy: 'reply_to_token' }],
    [
      'the tag before the body',
      mail({ text: `[${encodeTicketId(7, secret)}]` }),
      ticketToken(6, secret),
      { ticketId: 6, matchedBy: 'reply_to_token' },
    ],
    [
      'the first encoded id in the text',
      mail({ text: `Hello\n> [${encodeTicketId(7, secret)}]\n> [${encodeTicketId(8, secret)}]` }),
      null,
      { ticketId: 7, matchedBy: 'body_token' },
    ],
    [
      'an encoded id in the HTML when the text has none',
      mail({ text: 'Hello', html: `<p>Hi</p><span style="color:#FFFFFF" aria-hidden="true">[${encodeTicketId(12, secret)}]</span>` }),
      null,
      { ticketId: 12, matchedBy: 'body_token' },
    ],
    [
      'the text before the HTML',
      mail({ text: `[${encodeTicketId(7, secret)}]`, html: `[${encodeTicketId(12, secret)}]` }),
      null,
      { ticketId: 7, matchedBy: 'body_token' },
    ],
    ['nothing in a mail without references', mail({ inReplyTo: [gmail], text: 'New problem [not-an-id]' }), null, null],
    ['nothing for a tag that is not a token', mail(), 'sales', null],
  ])('finds %s', (_case, input, tag, expected) => {
    expect(findTicketReference(input, tag, secret)).toEqual(expected);
  });

  it.each<[string, Mail, string | null]>([
    ['a Message-ID with an edited ticket number', mail({ inReplyTo: [forged], references: [forged] }), null],
    ['a Message-ID made under another secret', mail({ inReplyTo: [note(5, 'other')], references: [root(5, 'other')] }), null],
    ['a tag with an edited ticket number', mail(), ticketToken(5, secret).replace('t5-', 't6-')],
    ['a tag made under another secret', mail(), ticketToken(5, 'other')],
    ['a tag with a guessed MAC', mail(), 't5-0000000000000000'],
    ['an encoded id made under another secret', mail({ text: `[${encodeTicketId(5, 'other')}]` }), null],
    ['an encoded id with an edited character', mail({ text: `[${encodeTicketId(5, secret).replace(/^./, (c) => (c === '0' ? '1' : '0'))}]` }), null],
  ])('never follows %s', (_case, input, tag) => {
    expect(findTicketReference(input, tag, secret)).toBeNull();
  });

  it('never follows an encoded id hidden behind more candidates than a reply quotes', () => {
    const wrong = Array.from({ length: 3000 }, (_, i) => `[${encodeTicketId(4, `guess-${i}`)}]`).join('\n');
    expect(findTicketReference(mail({ text: `${wrong}\n[${encodeTicketId(4, secret)}]` }), null, secret)).toBeNull();
    expect(findTicketReference(mail({ text: wrong, html: `[${encodeTicketId(4, secret)}]` }), null, secret)).toBeNull();
  });

  it('skips a forged id and keeps looking', () => {
    expect(findTicketReference(mail({ inReplyTo: [forged], text: `[${encodeTicketId(4, secret)}]` }), null, secret)).toEqual({
      ticketId: 4,
      matchedBy: 'body_token',
    });
  });

  it('reads the tag that matchSupportAddress takes from our Reply-To', () => {
    const { tag } = splitPlusAddress(replyToAddress('support@acme.test', 77, secret));
    expect(findTicketReference(mail(), tag, secret)).toEqual({ ticketId: 77, matchedBy: 'reply_to_token' });
  });
});

describe('subjectTicketNumbers', () => {
  it.each<[string, number[]]>([
    ['Re: Printer on fire [#123]', [123]],
    ['Re: [Acme #77] Printer on fire', [77]],
    ['Printer (#42) still broken', [42]],
    ['[Ticket #9] Printer', [9]],
    ['Re: Ticket #123', [123]],
    ['Question about ticket 456', [456]],
    ['AW: Anfrage Nr. 88 – Drucker', [88]],
    ['Request #12: printer', [12]],
    ['Re: #123', [123]],
    ['Re: #5 and #6', [5, 6]],
    ['[#7] follow-up on Ticket #8 and #9', [7, 8, 9]],
    ['Re: [#123] Ticket #123', [123]],
  ])('reads %s', (subject, expected) => {
    expect(subjectTicketNumbers(subject)).toEqual(expected);
  });

  it.each<[string]>([
    ['Printer on fire'],
    ['Invoice 2026-11 number 123'],
    ['Color &#123; entity'],
    ['Order#123'],
    ['Channel #general'],
    ['#123abc is my code'],
    ['Ticket #0'],
    ['Ticket #12345678901'],
    [''],
  ])('finds no ticket number in %s', (subject) => {
    expect(subjectTicketNumbers(subject)).toEqual([]);
  });

  it('copes with a missing subject', () => {
    expect(subjectTicketNumbers(null)).toEqual([]);
  });
});

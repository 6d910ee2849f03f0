import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { extractReply, REPLY_DELIMITER } from './reply-extraction';

const fixtures = path.join(__dirname, '../../../../../shared/corpus/email-reply-parser');
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');
/** The fixture up to and including the first occurrence of `last`. */
const fixtureUpTo = (name: string, last: string): string => {
  const text = fixture(name).replace(/\r\n/g, '\n');
  return text.slice(0, text.indexOf(last) + last.length);
};

describe('extractReply on the email_reply_parser fixtures (corpus EXPECTED.md)', () => {
  it.each<[string, string, () => string]>([
    ['email_1_2.txt', 'bottom-posted: keeps the answer under the first quote, drops the trailing quote and footer', () => fixtureUpTo('email_1_2.txt', 'delete them all individually."')],
    ['email_1_3.txt', 'top-posted: cuts at "On … wrote:" (the -Name sign-off is the sender’s, kept)', () => 'Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona'],
    ['email_1_4.txt', 'quote header separated from its quote by blank lines', () => "Awesome! I haven't had another problem with it."],
    ['email_1_6.txt', 'quote header wrapped over three lines', () => 'I get proper rendering as well.\n\nSent from a magnificent torch of pixels'],
    ['email_1_7.txt', 'CRLF and a header wrapped over two lines', () => ':+1:'],
    ['email_1_8.txt', 'inline replies kept, trailing quote and signature dropped', () => fixtureUpTo('email_1_8.txt', 'and under this.')],
    ['email_2_1.txt', 'Outlook rule and bold *From:*/*Sent:* block', () => 'Outlook with a reply'],
    ['email_2_2.txt', 'Outlook underscore rule directly under the reply', () => 'Outlook with a reply directly above line'],
    ['email_2_3.txt', 'Outlook From:/Sent: block with no rule', () => 'Outlook with a reply directly above line'],
    ['email_bullets.txt', 'indentation and blank lines kept, quote and signature dropped', () => 'test 2 this should list second\n\nand have spaces\n\nand retain this formatting\n\n\n   - how about bullets\n   - and another'],
    ['email_one_is_not_on.txt', '"One …" is no quote header', () => 'Thank, this is really helpful.\n\nOne outstanding question I had:\n\nLocally (on development), when I run...'],
    ['greedy_on.txt', '"On your remote host…" is no quote header, the real one is', () => fixtureUpTo('greedy_on.txt', 'the tunnel is not working.')],
    ['pathological.txt', 'very long quoted lines', () => "I think you're onto something. I will try to fix the problem as soon as I\nget back to a computer."],
  ])('%s — %s', (name, _case, expected) => {
    expect(extractReply(fixture(name))).toEqual({ reply: expected(), cut: true });
  });

  it.each([
    'email_1_1.txt',
    'email_1_5.txt',
    'correct_sig.txt',
    'email_iPhone.txt',
    'email_BlackBerry.txt',
    'email_multi_word_sent_from_my_mobile_device.txt',
    'email_sent_from_my_not_signature.txt',
    'email_sig_delimiter_in_middle_of_line.txt',
  ])('%s has no quoted text and comes back whole', (name) => {
    expect(extractReply(fixture(name))).toEqual({ reply: fixture(name).trimEnd(), cut: false });
  });

  it('reads the 750 KB email_long_quote.txt to the end without cutting its reply', () => {
    const { reply, cut } = extractReply(fixture('email_long_quote.txt'));
    expect(cut).toBe(false);
    expect(reply.startsWith('Hi folks\n\nWhat is the best way')).toBe(true);
    expect(reply.endsWith('riak-users_lists.basho.com')).toBe(true);
  });
});

describe('extractReply', () => {
  const notification = `${REPLY_DELIMITER}\n\nYour request (5) has been received.\n\n[0003KZ-7QW2]`;
  const quoted = (text: string) => text.replace(/^/gm, '> ');

  it.each<[string, string, string]>([
    ['our delimiter', `Thanks!\n\n${notification}`, 'Thanks!'],
    ['our delimiter in CRLF mail', `Thanks!\r\nSecond line\r\n\r\n${notification.replace(/\n/g, '\r\n')}`, 'Thanks!\nSecond line'],
    ['our delimiter quoted below a Gmail header', `Thanks!\n\nOn Mon, 1 Jan 2024 at 10:00, Acme <support@acme.test> wrote:\n\n${quoted(notification)}`, 'Thanks!'],
    ['our delimiter quoted twice', `Thanks!\n\n>> ${REPLY_DELIMITER}\n>> old`, 'Thanks!'],
    ['our delimiter below an Outlook block', `Thanks!\n\nFrom: Acme <support@acme.test>\nSent: Monday, 1 January 2024 10:00\nTo: Jane\nSubject: Re: Printer\n\n${notification}`, 'Thanks!'],
    ['a translated delimiter', 'Danke!\n\n##- Bitte geben Sie Ihre Antwort über dieser Zeile ein. -##\nAlt', 'Danke!'],
    ['an English quote header', 'Thanks\n\nOn Mon, Jan 1, 2024 at 10:00 AM Acme <support@acme.test> wrote:\n> hi', 'Thanks'],
    ['an English header wrapped inside the address', 'Thanks\n\nOn Mon, Jan 1, 2024 at 10:00 AM Acme Support <\nsupport@acme.test> wrote:\n\n> hi', 'Thanks'],
    ['a French quote header', 'Merci !\n\nLe lun. 1 janv. 2024 à 10:00, Acme <support@acme.test> a écrit :\n> Bonjour', 'Merci !'],
    ['a German Gmail quote header', 'Danke\n\nAm Mo., 1. Jan. 2024 um 10:00 Uhr schrieb Acme <support@acme.test>:\n> Hallo', 'Danke'],
    ['a German Thunderbird quote header', 'Danke\n\nAm 01.01.24 um 10:00 schrieb Acme:\n> Hallo', 'Danke'],
    ['a Spanish quote header', 'Gracias\n\nEl lun, 1 ene 2024 a las 10:00, Acme (<support@acme.test>) escribió:\n> Hola', 'Gracias'],
    ['a quote header followed by unquoted history', 'Thanks\n\nOn Mon, Jan 1, 2024 at 10:00 AM Acme wrote:\nYour request has been received.', 'Thanks'],
    ['-----Original Message-----', 'Done.\n\n-----Original Message-----\nFrom: Acme\nYour request', 'Done.'],
    ['a German Outlook separator', 'Erledigt.\n\n-----Ursprüngliche Nachricht-----\nVon: Acme', 'Erledigt.'],
    ['an Outlook block under a rule', 'Done.\n________________________________\nFrom: Acme <support@acme.test>\nSent: Monday, 1 January 2024 10:00\nTo: Jane\n\nold', 'Done.'],
    ['a French Outlook block', 'Merci\n\nDe : Acme <support@acme.test>\nEnvoyé : lundi 1 janvier 2024 10:00\nÀ : Jane\nObjet : Imprimante', 'Merci'],
    ['a German Outlook block', 'Danke\n\nVon: Acme <support@acme.test>\nGesendet: Montag, 1. Januar 2024 10:00\nAn: Jane', 'Danke'],
    ['a trailing quote without header', 'Fixed, thanks.\n\n> Did it work?\n> Acme', 'Fixed, thanks.'],
    ['a trailing quote and the signature below it', 'Fixed.\n\n> Did it work?\n\n-- \nJane', 'Fixed.'],
    ['the quote, keeping a signature above it', 'Thanks\n-- \nJane Doe\n\nOn Mon, 1 Jan 2024, Acme wrote:\n> hi', 'Thanks\n-- \nJane Doe'],
  ])('cuts at %s', (_case, text, expected) => {
    expect(extractReply(text)).toEqual({ reply: expected, cut: true });
  });

  it.each<[string, string]>([
    ['plain text', 'The printer is broken.\n\nJane'],
    ['a signature', 'Thanks\n\n-- \nJane Doe\nAcme Customer'],
    ['an answer below the quote (bottom-posting)', '> Did it work?\n\nYes, it did.'],
    ['answers between quotes', '> First question?\n\nFirst answer.\n\n> Second question?\n\nSecond answer.'],
    ['a mail that is only a quote', '> only a quote\n> nothing else'],
    ['prose that looks like a quote header but has no date', 'On Monday you wrote:\n> the printer is broken\n\nIt still is.'],
    ['a header-like sentence without a date, followed by text', 'Thanks\n\nOn Monday you wrote:\nthe printer is broken.'],
    ['our delimiter text in the middle of a line', `The line ${REPLY_DELIMITER} was in my mail`],
    ['a forwarded mail without a note', '---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\nDate: Mon, 1 Jan 2024\nSubject: Printer\nTo: Jane\n\nMy printer is broken.'],
    [
      'a forwarded mail with a note, quotes in the forwarded part included',
      'Please help Bob.\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\nDate: Mon, 1 Jan 2024\n\nIt is broken.\n\nOn Sun, 31 Dec 2023, Jane wrote:\n> Is it broken?',
    ],
    ['a quote above a forwarded mail', 'Bob asked:\n> Is it broken?\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\nDate: Mon, 1 Jan 2024\n\nIt is broken.'],
    ['an Apple Mail forward with a note', 'See below.\n\nBegin forwarded message:\n\nFrom: Bob <bob@example.com>\nDate: 1 January 2024 at 10:00:00 CET\n\n> Is it broken?'],
    ['an Outlook forward without a note', 'From: Bob <bob@example.com>\nSent: Monday, 1 January 2024 10:00\nTo: Jane\nSubject: Printer\n\nMy printer is broken.'],
    ['a From: line without Sent:', 'From: the sales team\nWe need a quote for 10 printers.'],
    ['non-ASCII text', 'Here’s a test.'],
  ])('keeps %s', (_case, text) => {
    expect(extractReply(text)).toEqual({ reply: text, cut: false });
  });

  it('gives an empty reply when nothing was written above our delimiter', () => {
    expect(extractReply(`\n\n${notification}`)).toEqual({ reply: '', cut: true });
    expect(extractReply(`> ${REPLY_DELIMITER}\n> old`)).toEqual({ reply: '', cut: true });
  });

  it('trims blank lines around the reply and leaves indentation inside it', () => {
    expect(extractReply('\n\n  indented\n\nmore  \n\n')).toEqual({ reply: '  indented\n\nmore', cut: false });
    expect(extractReply('')).toEqual({ reply: '', cut: false });
  });
});

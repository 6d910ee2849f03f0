import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { corpusFile, describeIfCorpus, fixtureText } from '@mailroom/mail-testing';
import { extractReply, ExtractedReply, REPLY_DELIMITER, ReplyCut } from './reply-extraction';

/** The email_reply_parser bodies of the third-party corpus; read only inside its tests. */
const fixtures = (): string => corpusFile('email-reply-parser');
const fixture = (name: string): string => readFileSync(path.join(fixtures(), name), 'utf8');
/** The fixture up to and including the first occurrence of `last`, trailing spaces of each line removed. */
const fixtureUpTo = (name: string, last: string): string => {
  const text = fixture(name).replace(/\r\n/g, '\n');
  return text
    .slice(0, text.indexOf(last) + last.length)
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
};

interface Expected {
  /** A function when it is read from the corpus: the table is built whether or not the corpus is there. */
  reply: string | (() => string);
  /** The whole signature, or what it starts with (a RegExp). Empty: none. */
  signature?: string | RegExp;
  /** What the cut-off history starts with, and a text it contains. */
  quoted?: { startsWith: string; contains?: string };
  cutBy?: ReplyCut | null;
  /** Further checks on the result. */
  also?: (result: ExtractedReply) => void;
}

/**
 * One row per fixture of the corpus' EXPECTED.md, restating its assertions in terms of our
 * result: its visible text is our `reply`, its hidden signature fragment our `signature`, its
 * hidden quoted fragments our `quoted`.
 */
const EXPECTED_MD: Record<string, Expected> = {
  'email_1_1.txt': {
    // The -Name sign-off and the mailman footer are signature; the trailing space after "after" goes.
    reply:
      'Hi folks\n\nWhat is the best way to clear a Riak bucket of all key, values after\nrunning a test?\nI am currently using the Java HTTP API.',
    signature: /^-Abhishek Kona\n\n\n_{10,}\nriak-users mailing list/,
    cutBy: null,
  },
  'email_1_2.txt': {
    // Bottom-posted: the first quote and its header stay visible because the answer follows.
    reply: () => fixtureUpTo('email_1_2.txt', 'delete them all individually."'),
    signature: /^_{10,}\nriak-users mailing list/,
    quoted: { startsWith: '> \n> -Abhishek Kona' },
    cutBy: 'quoted_block',
    also: ({ reply }) => {
      expect(reply.startsWith('Hi,\nOn Tue, 2011-03-01 at 18:02 +0530, Abhishek Kona wrote:\n> Hi folks')).toBe(true);
      expect(reply).toContain('\n\nYou can list');
    },
  },
  'email_1_3.txt': {
    reply: 'Oh thanks.\n\nHaving the function would be great.',
    signature: '-Abhishek Kona',
    quoted: { startsWith: 'On 01/03/11 7:07 PM, Russell Brown wrote:', contains: 'riak-users mailing list' },
    cutBy: 'quote_header',
  },
  'email_1_4.txt': {
    reply: "Awesome! I haven't had another problem with it.",
    quoted: { startsWith: 'On Aug 22, 2011, at 7:37 PM, defunkt<reply@reply.github.com> wrote:', contains: 'Loader' },
    cutBy: 'quote_header',
  },
  'email_1_5.txt': { reply: () => fixture('email_1_5.txt').trimEnd(), signature: '', cutBy: null },
  'email_1_6.txt': {
    reply: 'I get proper rendering as well.\n\nSent from a magnificent torch of pixels',
    quoted: { startsWith: 'On Dec 16, 2011, at 12:47 PM, Corey Donohoe\n<reply@reply.github.com>\nwrote:', contains: 'Was this' },
    cutBy: 'quote_header',
  },
  'email_1_7.txt': {
    reply: ':+1:',
    quoted: { startsWith: 'On Tue, Sep 25, 2012 at 8:59 AM, Chris Wanstrath\n<notifications@github.com>wrote:', contains: 'Steps 0-2' },
    cutBy: 'quote_header',
  },
  'email_1_8.txt': {
    // Inline replies: the first three quoted blocks stay, the last one and the signature go.
    reply: () => fixtureUpTo('email_1_8.txt', 'and under this.'),
    signature: '--\nHey there, this is my signature',
    quoted: { startsWith: '>\n> -- Tim', contains: 'inline' },
    cutBy: 'quoted_block',
    also: ({ reply }) => {
      expect(reply.startsWith('On Tue, Apr 29, 2014 at 4:22 PM, Example Dev <sugar@example.com>wrote:')).toBe(true);
      expect(reply).toContain('I will reply under this one');
      expect(reply).toContain('> okay?');
    },
  },
  'correct_sig.txt': {
    reply: 'this is an email with a correct -- signature.',
    signature: '-- \nrick',
    cutBy: null,
  },
  'email_2_1.txt': {
    reply: 'Outlook with a reply',
    quoted: { startsWith: '*From:* Google Apps Sync Team', contains: 'Dear Google Apps Sync user' },
    cutBy: 'outlook_header',
  },
  'email_2_2.txt': {
    reply: 'Outlook with a reply directly above line',
    quoted: { startsWith: 'From: CRM Comments [crm-comment@example.com]\nSent:' },
    cutBy: 'outlook_header',
  },
  'email_2_3.txt': {
    reply: 'Outlook with a reply directly above line',
    quoted: { startsWith: 'From: CRM Comments [crm-comment@example.com]\nSent:', contains: '> I am replying to a comment.' },
    cutBy: 'outlook_header',
  },
  'email_iPhone.txt': { reply: 'Here is another email', signature: 'Sent from my iPhone', cutBy: null },
  'email_BlackBerry.txt': { reply: 'Here is another email', signature: 'Sent from my BlackBerry', cutBy: null },
  'email_multi_word_sent_from_my_mobile_device.txt': {
    reply: 'Here is another email',
    signature: 'Sent from my Verizon Wireless BlackBerry',
    cutBy: null,
  },
  'email_sent_from_my_not_signature.txt': {
    reply: 'Here is another email\n\nSent from my desk, is much easier then my mobile phone.',
    signature: '',
    cutBy: null,
  },
  'email_bullets.txt': {
    reply:
      'test 2 this should list second\n\nand have spaces\n\nand retain this formatting\n\n\n   - how about bullets\n   - and another',
    signature: '-- \n\n*Joe Smith | Director, Product Management*',
    quoted: { startsWith: 'On Fri, Feb 24, 2012 at 10:19 AM, <examples@email.goalengine.com> wrote:', contains: 'Give us an example' },
    cutBy: 'quote_header',
  },
  'email_one_is_not_on.txt': {
    reply: 'Thank, this is really helpful.\n\nOne outstanding question I had:\n\nLocally (on development), when I run...',
    quoted: { startsWith: 'On Oct 1, 2012, at 11:55 PM, Dave Tapley wrote:' },
    cutBy: 'quote_header',
  },
  'greedy_on.txt': {
    reply: () => fixtureUpTo('greedy_on.txt', 'the tunnel is not working.'),
    quoted: { startsWith: 'On 9 Jan 2014, at 2:47, George Plymale wrote:' },
    cutBy: 'quote_header',
    also: ({ reply }) => expect(reply.startsWith('On your remote host you can run:\n\n     telnet 127.0.0.1 52698')).toBe(true),
  },
  'pathological.txt': {
    // A ReDoS guard upstream (must parse in under a second); jest's timeout would catch a blow-up.
    reply: "I think you're onto something. I will try to fix the problem as soon as I\nget back to a computer.",
    quoted: { startsWith: 'On Dec 8, 2013 2:10 PM, "John Sullivan" <notifications@github.com> wrote:' },
    cutBy: 'quote_header',
  },
  'email_sig_delimiter_in_middle_of_line.txt': {
    reply: () => fixture('email_sig_delimiter_in_middle_of_line.txt').trimEnd(),
    signature: '',
    cutBy: null,
  },
  'email_long_quote.txt': {
    // 750 KB with one huge `>` line in the middle of the text: kept, because text follows it.
    reply: '',
    signature: /^-Abhishek Kona\n/,
    cutBy: null,
    also: ({ reply, quoted }) => {
      expect(reply.startsWith('Hi folks\n\nWhat is the best way')).toBe(true);
      expect(reply.endsWith('\nI am currently using the Java HTTP API.')).toBe(true);
      expect(reply).toContain('\nasdf\nA>>>');
      expect(quoted).toBe('');
    },
  },
};

describeIfCorpus('extractReply on every fixture of the corpus EXPECTED.md', () => {
  it('has a row for every fixture listed in EXPECTED.md and every file of the folder', () => {
    const listed = [...fixture('EXPECTED.md').matchAll(/^\| `([^`]+\.txt)`/gm)].map((m) => m[1]).sort();
    const files = readdirSync(fixtures())
      .filter((f) => f.endsWith('.txt'))
      .sort();
    expect(listed).toEqual(files);
    expect(Object.keys(EXPECTED_MD).sort()).toEqual(files);
  });

  it.each(Object.entries(EXPECTED_MD))('%s', (name, expected) => {
    const text = fixture(name);
    const result = extractReply(text);
    const reply = typeof expected.reply === 'function' ? expected.reply() : expected.reply;
    if (reply !== '') expect(result.reply).toBe(reply);
    if (typeof expected.signature === 'string') expect(result.signature).toBe(expected.signature);
    else if (expected.signature) expect(result.signature).toMatch(expected.signature);
    if (expected.quoted) {
      const quoted = result.quoted.replace(/\r\n/g, '\n');
      expect(quoted.startsWith(expected.quoted.startsWith)).toBe(true);
      if (expected.quoted.contains) expect(quoted).toContain(expected.quoted.contains);
    } else {
      expect(result.quoted).toBe('');
    }
    if (expected.cutBy !== undefined) expect(result.cutBy).toBe(expected.cutBy);
    expect(result.cut).toBe(result.cutBy !== null || result.signature !== '');
    expect(result.full).toBe(text);
    expected.also?.(result);
  });
});

describe('extractReply on the client quoting styles of the fixture bodies', () => {
  it.each<[string, string, ReplyCut, string]>([
    // fixture, reply, cut by, what the cut-off history starts with
    ['gmail.txt', 'Thanks, that fixed it!', 'quote_header', 'On Tue, Mar 12, 2024 at 10:02 AM Acme Support <support@mailroom.test> wrote:'],
    ['gmail-wrapped-header.txt', 'Still broken after the restart.', 'quote_header', 'On Tue, Mar 12, 2024 at 10:02 AM Acme Support Team <\nsupport@mailroom.test> wrote:'],
    ['apple-mail.txt', 'Yes, it is the model on the second floor.', 'quote_header', 'On 12 Mar 2024, at 10:02, Acme Support <support@mailroom.test> wrote:'],
    // CRLF line ends, as Outlook sends them (the cut-off parts come back with LF).
    ['outlook-original-message.txt', 'Works now, thank you.', 'outlook_header', '-----Original Message-----\nFrom: Acme Support [mailto:support@mailroom.test]\nSent:'],
    ['outlook-from-sent-block.txt', 'Please close the ticket.', 'outlook_header', 'From: Acme Support <support@mailroom.test>\nSent: Tuesday, 12 March 2024 10:02'],
    ['outlook-bold-block.txt', 'See the attached log.', 'outlook_header', '*From:* Acme Support [mailto:support@mailroom.test]\n*Sent:*'],
    ['trailing-quote.txt', 'Since Monday.', 'quoted_block', '> Since when has it been broken?'],
    ['signature-above-quote.txt', 'All good now.', 'quote_header', 'On Tue, Mar 12, 2024 at 10:02 AM Acme Support'],
  ])('quoting/%s', (name, reply, cutBy, quotedStart) => {
    const text = fixtureText(`quoting/${name}`);
    const result = extractReply(text);
    expect(result).toMatchObject({ reply, cut: true, cutBy, full: text });
    expect(result.quoted.startsWith(quotedStart)).toBe(true);
    expect(result.reply).not.toMatch(/^>| wrote:|^From:|Original Message/m);
  });

  it.each<[string, string, string]>([
    ['signature-dash-dash.txt', 'The toner was empty, all good now.', '-- \nLena Köhler\nKunde GmbH, Einkauf\n+49 30 1234567'],
    ['signature-above-quote.txt', 'All good now.', '-- \nLena'],
    ['sent-from-my-iphone.txt', 'Yes, please go ahead.', 'Sent from my iPhone'],
  ])('splits the signature off quoting/%s', (name, reply, signature) => {
    expect(extractReply(fixtureText(`quoting/${name}`))).toMatchObject({ reply, signature, cut: true });
  });

  it('reads the Outlook bodies with the CRLF line ends they were written with (.gitattributes keeps them)', () => {
    for (const name of ['outlook-original-message.txt', 'outlook-from-sent-block.txt', 'outlook-bold-block.txt']) {
      expect([name, /[^\r]\n/.test(fixtureText(`quoting/${name}`)), fixtureText(`quoting/${name}`).includes('\r\n')]).toEqual([name, false, true]);
    }
  });

  it.each(['bottom-posted.txt', 'sent-from-my-desk.txt', 'dashes-in-a-line.txt'])('keeps all of quoting/%s', (name) => {
    // An answer below the quote, "Sent from my" in a sentence, "--" inside a line.
    const text = fixtureText(`quoting/${name}`);
    expect(extractReply(text)).toEqual({ reply: text.trimEnd(), signature: '', quoted: '', full: text, cut: false, cutBy: null });
  });

  // The two assertions of the upstream email_reply_parser test that use no fixture file.
  it('gives non-ASCII text back unchanged', () => {
    expect(extractReply('Here’s a test.')).toMatchObject({ reply: 'Here’s a test.', cut: false, signature: '', quoted: '' });
  });

  it('leaves its input as it was and returns it whole', () => {
    const text = 'The Quick Brown Fox Jumps Over The Lazy Dog';
    const copy = `${text}`;
    expect(extractReply(text).full).toBe(copy);
    expect(text).toBe(copy);
  });
});

describe('extractReply', () => {
  const notification = `${REPLY_DELIMITER}\n\nYour request (5) has been received.\n\n[0003KZ-7QW2]`;
  const quoted = (text: string) => text.replace(/^/gm, '> ');

  it.each<[string, string, string, ReplyCut]>([
    ['our delimiter', `Thanks!\n\n${notification}`, 'Thanks!', 'delimiter'],
    ['our delimiter in CRLF mail', `Thanks!\r\nSecond line\r\n\r\n${notification.replace(/\n/g, '\r\n')}`, 'Thanks!\nSecond line', 'delimiter'],
    ['our delimiter quoted below a Gmail header', `Thanks!\n\nOn Mon, 1 Jan 2024 at 10:00, Acme <support@acme.test> wrote:\n\n${quoted(notification)}`, 'Thanks!', 'quote_header'],
    ['our delimiter quoted twice', `Thanks!\n\n>> ${REPLY_DELIMITER}\n>> old`, 'Thanks!', 'delimiter'],
    ['our delimiter below an Outlook block', `Thanks!\n\nFrom: Acme <support@acme.test>\nSent: Monday, 1 January 2024 10:00\nTo: Jane\nSubject: Re: Printer\n\n${notification}`, 'Thanks!', 'outlook_header'],
    ['a translated delimiter', 'Danke!\n\n##- Bitte geben Sie Ihre Antwort über dieser Zeile ein. -##\nAlt', 'Danke!', 'delimiter'],
    // Gmail, Apple Mail and Thunderbird in many languages
    ['an English Gmail header', 'Thanks\n\nOn Mon, Jan 1, 2024 at 10:00 AM Acme <support@acme.test> wrote:\n> hi', 'Thanks', 'quote_header'],
    ['an English header wrapped inside the address', 'Thanks\n\nOn Mon, Jan 1, 2024 at 10:00 AM Acme Support <\nsupport@acme.test> wrote:\n\n> hi', 'Thanks', 'quote_header'],
    ['an English header wrapped before "wrote:"', 'Thanks\n\nOn Mon, Jan 1, 2024 at 10:00 AM Acme Support <support@acme.test>\nwrote:\n\n> hi', 'Thanks', 'quote_header'],
    ['an Apple Mail header', 'Thanks\n\nOn 1 Jan 2024, at 10:00, Acme <support@acme.test> wrote:\n\n> hi', 'Thanks', 'quote_header'],
    ['a Thunderbird header', 'Thanks\n\nOn 01/01/2024 10:00, Acme Support wrote:\n> hi', 'Thanks', 'quote_header'],
    ['Thunderbird’s short header', 'Thanks\n\nAcme Support wrote:\n> hi', 'Thanks', 'quote_header'],
    ['a French header', 'Merci !\n\nLe lun. 1 janv. 2024 à 10:00, Acme <support@acme.test> a écrit :\n> Bonjour', 'Merci !', 'quote_header'],
    ['a German Gmail header', 'Danke\n\nAm Mo., 1. Jan. 2024 um 10:00 Uhr schrieb Acme <support@acme.test>:\n> Hallo', 'Danke', 'quote_header'],
    ['a German Thunderbird header', 'Danke\n\nAm 01.01.24 um 10:00 schrieb Acme:\n> Hallo', 'Danke', 'quote_header'],
    ['a Spanish header', 'Gracias\n\nEl lun, 1 ene 2024 a las 10:00, Acme (<support@acme.test>) escribió:\n> Hola', 'Gracias', 'quote_header'],
    ['an Italian header', 'Grazie\n\nIl giorno lun 1 gen 2024 alle ore 10:00 Acme <support@acme.test> ha scritto:\n> Ciao', 'Grazie', 'quote_header'],
    ['a Portuguese header', 'Obrigado\n\nEm seg., 1 de jan. de 2024 às 10:00, Acme <support@acme.test> escreveu:\n> Olá', 'Obrigado', 'quote_header'],
    ['a Dutch header', 'Bedankt\n\nOp ma 1 jan 2024 om 10:00 schreef Acme <support@acme.test>:\n> Hallo', 'Bedankt', 'quote_header'],
    ['a Swedish Gmail header', 'Tack\n\nDen mån 1 jan. 2024 kl 10:00 skrev Acme <support@acme.test>:\n> Hej', 'Tack', 'quote_header'],
    ['a Swedish Apple Mail header', 'Tack\n\n1 jan. 2024 kl. 10:00 skrev Acme <support@acme.test>:\n\n> Hej', 'Tack', 'quote_header'],
    ['a Danish header', 'Tak\n\nDen man. 1. jan. 2024 kl. 10.00 skrev Acme <support@acme.test>:\n> Hej', 'Tak', 'quote_header'],
    ['a Polish header', 'Dzięki\n\npon., 1 sty 2024 o 10:00 Acme <support@acme.test> napisał(a):\n> Cześć', 'Dzięki', 'quote_header'],
    ['a Finnish header', 'Kiitos\n\nma 1. tammik. 2024 klo 10.00 Acme <support@acme.test> kirjoitti:\n> Hei', 'Kiitos', 'quote_header'],
    ['a Russian Thunderbird header', 'Спасибо\n\n01.01.2024 10:00, Acme пишет:\n> Привет', 'Спасибо', 'quote_header'],
    ['a Russian Gmail header (no verb)', 'Спасибо\n\nпн, 1 янв. 2024 г. в 10:00, Acme <support@acme.test>:\n> Привет', 'Спасибо', 'quote_header'],
    ['a Turkish header', 'Teşekkürler\n\nAcme <support@acme.test>, 1 Oca 2024 Pzt, 10:00 tarihinde şunu yazdı:\n> Merhaba', 'Teşekkürler', 'quote_header'],
    ['a Hungarian header', 'Köszönöm\n\nAcme <support@acme.test> ezt írta (időpont: 2024. jan. 1., H, 10:00):\n> Szia', 'Köszönöm', 'quote_header'],
    ['a Japanese Gmail header (no verb)', 'ありがとう\n\n2024年1月1日(月) 10:00 Acme <support@acme.test>:\n> こんにちは', 'ありがとう', 'quote_header'],
    ['a Japanese Thunderbird header', 'ありがとう\n\n2024/01/01 10:00、Acme さんは書きました:\n> こんにちは', 'ありがとう', 'quote_header'],
    ['a Japanese Apple Mail header', 'ありがとう\n\n2024/01/01 10:00、Acme <support@acme.test>のメール:\n\n> こんにちは', 'ありがとう', 'quote_header'],
    ['a Chinese header', '谢谢\n\nAcme <support@acme.test> 于2024年1月1日周一 10:00写道：\n> 你好', '谢谢', 'quote_header'],
    ['a Korean header', '감사합니다\n\n2024년 1월 1일 (월) 오전 10:00, Acme <support@acme.test>님이 작성:\n> 안녕하세요', '감사합니다', 'quote_header'],
    ['a quote header followed by unquoted history', 'Thanks\n\nOn Mon, Jan 1, 2024 at 10:00 AM Acme wrote:\nYour request has been received.', 'Thanks', 'quote_header'],
    // Outlook
    ['-----Original Message-----', 'Done.\n\n-----Original Message-----\nFrom: Acme\nYour request', 'Done.', 'outlook_header'],
    ['a German Outlook separator', 'Erledigt.\n\n-----Ursprüngliche Nachricht-----\nVon: Acme', 'Erledigt.', 'outlook_header'],
    ['an Outlook block under its underscore rule', 'Done.\n________________________________\nFrom: Acme <support@acme.test>\nSent: Monday, 1 January 2024 10:00\nTo: Jane\n\nold', 'Done.', 'outlook_header'],
    ['a French Outlook block', 'Merci\n\nDe : Acme <support@acme.test>\nEnvoyé : lundi 1 janvier 2024 10:00\nÀ : Jane\nObjet : Imprimante', 'Merci', 'outlook_header'],
    ['a German Outlook block', 'Danke\n\nVon: Acme <support@acme.test>\nGesendet: Montag, 1. Januar 2024 10:00\nAn: Jane', 'Danke', 'outlook_header'],
    ['a Japanese Outlook block', 'ありがとう\n\n差出人: Acme <support@acme.test>\n送信日時: 2024年1月1日 10:00\n宛先: Jane', 'ありがとう', 'outlook_header'],
    ['a Chinese Outlook block with full-width colons', '谢谢\n\n发件人：Acme <support@acme.test>\n发送时间：2024年1月1日 10:00\n收件人：Jane', '谢谢', 'outlook_header'],
    // `>` quotes
    ['a trailing quote without header', 'Fixed, thanks.\n\n> Did it work?\n> Acme', 'Fixed, thanks.', 'quoted_block'],
  ])('cuts at %s', (_case, text, expected, cutBy) => {
    const result = extractReply(text);
    expect(result).toMatchObject({ reply: expected, cut: true, cutBy });
    expect(result.quoted.length).toBeGreaterThan(0);
    expect(result.full).toBe(text);
  });

  it.each<[string, string, string, string]>([
    ['a signature below a trailing quote', 'Fixed.\n\n> Did it work?\n\n-- \nJane', 'Fixed.', '-- \nJane'],
    ['a signature above the quote', 'Thanks\n-- \nJane Doe\n\nOn Mon, 1 Jan 2024, Acme wrote:\n> hi', 'Thanks', '-- \nJane Doe'],
    ['a bare "--" signature', 'Thanks\n\n--\nJane Doe\nAcme Customer', 'Thanks', '--\nJane Doe\nAcme Customer'],
    ['a "-Name" sign-off', 'It works now.\n\n-Jane', 'It works now.', '-Jane'],
    ['a German iPhone line', 'Danke\n\nVon meinem iPhone gesendet', 'Danke', 'Von meinem iPhone gesendet'],
    ['Outlook mobile', 'Thanks\n\nGet Outlook for Android', 'Thanks', 'Get Outlook for Android'],
  ])('splits off %s', (_case, text, reply, signature) => {
    expect(extractReply(text)).toMatchObject({ reply, signature, cut: true });
  });

  it.each<[string, string]>([
    ['plain text', 'The printer is broken.\n\nJane'],
    ['an answer below the quote (bottom-posting)', '> Did it work?\n\nYes, it did.'],
    ['answers between quotes', '> First question?\n\nFirst answer.\n\n> Second question?\n\nSecond answer.'],
    ['a mail that is only a quote', '> only a quote\n> nothing else'],
    ['a mail that is only a signature-like line', '-- \nJane'],
    ['prose that looks like a quote header but has no date', 'On Monday you wrote:\n> the printer is broken\n\nIt still is.'],
    ['a header-like sentence without a date, followed by text', 'Thanks\n\nOn Monday you wrote:\nthe printer is broken.'],
    ['a loose header-like sentence followed by text', 'Thanks\n\nAt 10:00 the technician <tech@example.com>:\ncame and left.'],
    ['our delimiter text in the middle of a line', `The line ${REPLY_DELIMITER} was in my mail`],
    ['a forwarded mail without a note', '---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\nDate: Mon, 1 Jan 2024\nSubject: Printer\nTo: Jane\n\nMy printer is broken.'],
    [
      'a forwarded mail with a note, quotes and signature in the forwarded part included',
      'Please help Bob.\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\nDate: Mon, 1 Jan 2024\n\nIt is broken.\n\nOn Sun, 31 Dec 2023, Jane wrote:\n> Is it broken?\n\n-- \nBob',
    ],
    ['a quote above a forwarded mail', 'Bob asked:\n> Is it broken?\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\nDate: Mon, 1 Jan 2024\n\nIt is broken.'],
    ['an Apple Mail forward with a note', 'See below.\n\nBegin forwarded message:\n\nFrom: Bob <bob@example.com>\nDate: 1 January 2024 at 10:00:00 CET\n\n> Is it broken?'],
    ['an Outlook forward without a note', 'From: Bob <bob@example.com>\nSent: Monday, 1 January 2024 10:00\nTo: Jane\nSubject: Printer\n\nMy printer is broken.'],
    ['a From: line without Sent:', 'From: the sales team\nWe need a quote for 10 printers.'],
    ['bullets and a dash in the text', 'Steps:\n\n- unplug it\n-plug it in again\n\nA fix -- this is not a signature.'],
    ['a "-Name"-like line opening a long text', 'Hi\n\n-Note well\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight'],
    ['a rule used as a divider', 'Part one\n\n-----\n\nPart two'],
  ])('keeps %s', (_case, text) => {
    expect(extractReply(text)).toEqual({ reply: text, signature: '', quoted: '', full: text, cut: false, cutBy: null });
  });

  describe('with the account’s own delimiter', () => {
    const delimiter = '--- Reply above this line ---';

    it.each<[string, string, string]>([
      ['the line itself', `Thanks\n\n${delimiter}\nold`, 'Thanks'],
      ['the line quoted', `Thanks\n\n> ${delimiter}\n> old`, 'Thanks'],
      ['the line in other case and spacing', `Thanks\n\n---  REPLY above this line ---\nold`, 'Thanks'],
      ['the text decorated by the template', `Thanks\n\n*** ${delimiter} ***\nold`, 'Thanks'],
      ['ours still, in replies to older mail', `Thanks\n\n${notification}`, 'Thanks'],
    ])('cuts at %s', (_case, text, reply) => {
      expect(extractReply(text, { delimiter })).toMatchObject({ reply, cutBy: 'delimiter' });
    });

    it('ignores a delimiter too short to be safe', () => {
      expect(extractReply('Thanks\n\n-\nstill mine', { delimiter: '-' }).reply).toBe('Thanks\n\n-\nstill mine');
    });

    it('does not find a short delimiter inside a sentence', () => {
      expect(extractReply('Thanks, reply here please\nmore', { delimiter: 'reply here' }).cut).toBe(false);
    });
  });

  it('keeps the history and the delimiter in `quoted`', () => {
    const result = extractReply(`Thanks!\n\n${notification}`);
    expect(result.quoted).toBe(notification);
    expect(extractReply('Thanks\n\nOn Mon, 1 Jan 2024, Acme wrote:\n> hi').quoted).toBe('On Mon, 1 Jan 2024, Acme wrote:\n> hi');
  });

  it('gives an empty reply when nothing was written above our delimiter', () => {
    expect(extractReply(`\n\n${notification}`)).toMatchObject({ reply: '', cut: true, cutBy: 'delimiter' });
    expect(extractReply(`> ${REPLY_DELIMITER}\n> old`)).toMatchObject({ reply: '', cut: true });
  });

  it('trims blank lines around the reply and trailing spaces, and leaves indentation inside it', () => {
    expect(extractReply('\n\n  indented  \n\nmore  \n\n')).toMatchObject({ reply: '  indented\n\nmore', cut: false });
    expect(extractReply('')).toMatchObject({ reply: '', cut: false, full: '' });
  });
});

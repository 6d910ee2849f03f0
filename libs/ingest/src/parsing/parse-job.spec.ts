import { readFileSync } from 'node:fs';
import * as iconv from 'iconv-lite';
import { corpusFile, describeIfCorpus } from '@mailroom/mail-testing';
import { DEFAULT_PARSE_LIMITS } from './limits';
import { runParseJob, withLineFeeds, type ParsedMailResult } from './parse-job';

const opts = { limits: DEFAULT_PARSE_LIMITS, baseUrl: 'https://help.example.test' };

const parse = async (raw: Buffer): Promise<ParsedMailResult> => {
  const r = await runParseJob(raw, null, opts);
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r.result;
};
/** A mail of the third-party corpus beside the checkout; the tests that read it are skipped without it (the repository's own fixtures: parse-fixtures.spec.ts). */
const parseFile = (file: string) => parse(readFileSync(corpusFile(file)));

/** A single-part text mail with the given declared charset and raw body bytes. */
const mail = (charset: string | null, body: Buffer, cte = '8bit', subject: Buffer = Buffer.from('t')): Buffer =>
  Buffer.concat([
    Buffer.from('From: a@x.test\r\nSubject: '),
    subject,
    Buffer.from(`\r\nContent-Type: text/plain${charset ? `; charset=${charset}` : ''}\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n`),
    body,
    Buffer.from('\r\n'),
  ]);

describeIfCorpus('charsets of the corpus', () => {
  it.each<[string, string, string | null, string | null]>([
    // file, charset case, expected subject (null: not checked), expected text fragment
    ['mikel-mail/multi_charset/japanese.eml', 'UTF-8 Japanese, B-encoded subject', 'まみむめも', 'かきくえこ'],
    ['mikel-mail/multi_charset/japanese_iso_2022.eml', 'ISO-2022-JP body and subject', 'まみむめも', 'すみません。'],
    ['mikel-mail/multi_charset/japanese_shift_jis.eml', 'Shift_JIS 8-bit body', 'test', 'このメールはテスト用のメールです。'],
    ['mikel-mail/multi_charset/ks_c_5601-1987.eml', 'ks_c_5601-1987 (CP949) Korean', 'test', '스티해'],
    ['mikel-mail/rfc2822/example14.eml', 'ISO-2022-JP encoded-word in a reply subject', 'Re: TEST  テストテスト', 'Hello'],
    ['mikel-mail/plain_emails/raw_email.eml', 'EUC-KR body and subject', 'NOTE: 한국말로 하는 것', '제 이름은 Jamis입니다.'],
    ['mikel-mail/plain_emails/raw_email_with_partially_quoted_subject.eml', 'encoded-words inside quotes in a subject', 'Re: Test: "漢字" mid "漢字" tail', null],
    ['mikel-mail/rfc6532/utf8_headers.eml', 'raw UTF-8 headers (RFC 6532)', 'Säying Hello', 'body'],
    ['chatwoot/non_utf_encoded_mail.eml', 'UTF-8 Arabic in B and Q encoded-words', 'أهلين عميلنا الكريم', 'أنا أحتاجها'],
    ['mikel-mail/error_emails/invalid_subject_characters.eml', 'raw 8-bit windows-1252 bytes in the Subject', 'Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro', null],
    ['mikel-mail/attachment_emails/attachment_with_quoted_filename.eml', 'ISO-8859-1 encoded-word subject', 'Eelanalüüsi päring', null],
  ])('%s (%s)', async (file, _case, subject, text) => {
    const { mail: m } = await parseFile(file);
    if (subject !== null) expect(m.subject.trim()).toBe(subject.trim());
    if (text !== null) expect(m.text).toContain(text);
    expect(m.subject + m.text).not.toContain('\uFFFD');
  });

  it('reads a windows-1251 From display name (mikel-mail/plain_emails/raw_email_bad_time.eml)', async () => {
    expect((await parseFile('mikel-mail/plain_emails/raw_email_bad_time.eml')).mail.from).toEqual({ address: 'yusuf75thu@auracom.net', name: 'Атиковa' });
  });

  it.each<[string, string]>([
    ['mikel-mail/multi_charset/japanese_attachment.eml', 'てすと.txt'],
    ['mikel-mail/multi_charset/japanese_attachment_long_name.eml', 'かきくけこかきくけこかきくけこかきくけこかきくけこ.txt'],
    ['mikel-mail/attachment_emails/attachment_nonascii_filename.eml', 'ciële.txt'],
    ['mikel-mail/attachment_emails/attachment_with_quoted_filename.eml', 'Eelanalüüsi päring.jpg'],
    ['mikel-mail/attachment_emails/attachment_with_encoded_name.eml', '01 Quien Te Dijat. Pitbull.mp3'],
  ])('decodes the RFC 2047/2231 attachment name of %s', async (file, name) => {
    expect((await parseFile(file)).attachments.map((a) => a.fileName)).toContain(name);
  });
});

describe('charsets beyond the corpus', () => {
  it.each<[string, string | null, Buffer, string]>([
    ['GB18030', 'GB18030', iconv.encode('你好，世界 €', 'gb18030'), '你好，世界 €'],
    ['GB2312', 'gb2312', iconv.encode('你好', 'gb2312'), '你好'],
    ['Big5', 'big5', iconv.encode('繁體中文', 'big5'), '繁體中文'],
    ['windows-1250', 'windows-1250', iconv.encode('Dzień dobry, żółć', 'win1250'), 'Dzień dobry, żółć'],
    ['windows-1251', 'windows-1251', iconv.encode('Привет, мир', 'win1251'), 'Привет, мир'],
    ['windows-1252', 'windows-1252', iconv.encode('Grüße “quoted” €', 'win1252'), 'Grüße “quoted” €'],
    ['KOI8-R', 'koi8-r', iconv.encode('Здравствуйте', 'koi8-r'), 'Здравствуйте'],
    ['mislabelled: utf-8 declared, Latin-1 sent', 'utf-8', iconv.encode('Grüße aus Köln', 'latin1'), 'Grüße aus Köln'],
    ['mislabelled: us-ascii declared, windows-1252 sent', 'us-ascii', iconv.encode('café – 10 €', 'win1252'), 'café – 10 €'],
    ['no charset, 8-bit Latin-1', null, iconv.encode('naïve', 'latin1'), 'naïve'],
    ['us-ascii declared, UTF-8 sent', 'us-ascii', Buffer.from('Grüße ✔'), 'Grüße ✔'],
    ['iso-2022-jp declared, UTF-8 sent', 'iso-2022-jp', Buffer.from('すみません'), 'すみません'],
    ['unknown charset name, UTF-8 sent', 'x-unknown', Buffer.from('Grüße'), 'Grüße'],
  ])('%s', async (_case, charset, body, expected) => {
    const { mail: m } = await parse(mail(charset, body));
    expect(m.text.trim()).toBe(expected);
  });

  it('decodes quoted-printable and base64 bodies in their declared charset', async () => {
    const qp = await parse(mail('iso-8859-1', Buffer.from('Gr=FC=DFe=\r\n aus K=F6ln'), 'quoted-printable'));
    expect(qp.mail.text.trim()).toBe('Grüße aus Köln');
    const b64 = await parse(mail('gb18030', Buffer.from(iconv.encode('你好', 'gb18030').toString('base64')), 'base64'));
    expect(b64.mail.text.trim()).toBe('你好');
  });

  it('decodes RFC 2047 subjects split across encoded-words and an RFC 2231 file name', async () => {
    const raw = Buffer.from(
      'From: a@x.test\r\nSubject: =?UTF-8?B?5L2g?= =?UTF-8?B?5aW9?= =?ISO-8859-1?Q?caf=E9?=\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=UTF-8\'\'%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n',
    );
    const r = await parse(raw);
    expect(r.mail.subject).toBe('你好café');
    expect(r.attachments[0]).toMatchObject({ fileName: '請求書.pdf', size: 5 });
  });

  it('leaves valid UTF-8 in headers and bodies alone', async () => {
    const { mail: m } = await parse(mail('utf-8', Buffer.from('Grüße'), '8bit', Buffer.from('Grüße ✔')));
    expect(m.subject).toBe('Grüße ✔');
    expect(m.text.trim()).toBe('Grüße');
  });
});

describeIfCorpus('structure, attachments and HTML of corpus mail', () => {
  it('links cid: inline images to their stored attachments and marks them inline (chatwoot/mail_with_inline_images.eml)', async () => {
    const r = await parseFile('chatwoot/mail_with_inline_images.eml');
    const inline = r.attachments.filter((a) => a.inline);
    expect(inline.length).toBeGreaterThan(0);
    for (const a of inline) expect(r.html).toContain(`https://help.example.test/attachments/token/${a.id}/`);
    expect(r.html).not.toMatch(/cid:/i);
  });

  it('treats an image with no Content-Disposition that the HTML shows as inline (chatwoot/cid_inline_images_without_disposition.eml)', async () => {
    const r = await parseFile('chatwoot/cid_inline_images_without_disposition.eml');
    expect(r.attachments.some((a) => a.inline && r.html?.includes(a.id))).toBe(true);
  });

  it('keeps a forwarded message/rfc822 as an attachment (mikel-mail/attachment_emails/attachment_message_rfc822.eml)', async () => {
    const r = await parseFile('mikel-mail/attachment_emails/attachment_message_rfc822.eml');
    expect(r.attachments.map((a) => a.contentType)).toContain('message/rfc822');
  });

  it('finds the text of Outlook mixed → related → alternative nesting (mailparser/nested.eml)', async () => {
    const r = await parseFile('mailparser/nested.eml');
    expect(r.mail.text.trim().length).toBeGreaterThan(0);
  });

  it('sanitises HTML and keeps a text version of an HTML-only mail (chatwoot/only_html.eml)', async () => {
    const r = await parseFile('chatwoot/only_html.eml');
    expect(r.html).toBeTruthy();
    expect(r.html).not.toMatch(/<(script|style)/i);
    expect(r.mail.text.trim().length).toBeGreaterThan(0);
  });

  it('names attachments without a file name (chatwoot/attachments_without_filename.eml)', async () => {
    const r = await parseFile('chatwoot/attachments_without_filename.eml');
    expect(r.attachments.length).toBe(2);
    for (const a of r.attachments) expect(a.fileName).toBeTruthy();
  });

  it('parses the 1 MB HTML out-of-memory regression mail (mailparser/outofmemory.eml)', async () => {
    const r = await parseFile('mailparser/outofmemory.eml');
    expect(r.html).toBeTruthy();
  });
});

describe('limits', () => {
  it('refuses HTML with more links than the limit', async () => {
    const links = Array.from({ length: 6 }, (_, i) => `<a href="https://x.test/${i}">${i}</a>`).join(' ');
    const raw = Buffer.from(`From: a@x.test\r\nSubject: links\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>${links}</p>\r\n`);
    expect(await runParseJob(raw, null, { ...opts, limits: { ...DEFAULT_PARSE_LIMITS, maxLinks: 5 } })).toEqual({ ok: false, cause: 'unprocessable_email', reason: 'more than 5 links in the HTML body (6)' });
    expect((await runParseJob(raw, null, { ...opts, limits: { ...DEFAULT_PARSE_LIMITS, maxLinks: 6 } })).ok).toBe(true);
  });

  it('refuses a structural MIME bomb before mailparser sees it', async () => {
    const parts = Array.from({ length: 20 }, () => '--x\r\nContent-Type: text/plain\r\n\r\n.\r\n').join('');
    const raw = Buffer.from(`From: a@x.test\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n${parts}--x--\r\n`);
    expect(await runParseJob(raw, null, { ...opts, limits: { ...DEFAULT_PARSE_LIMITS, maxParts: 10 } })).toEqual({ ok: false, cause: 'unprocessable_email', reason: 'more than 10 MIME parts' });
  });
});

describeIfCorpus('addresses of corpus mail', () => {
  it('leaves out addresses no user can have, so the mail has no usable sender (mikel-mail/mime_emails/raw_email11.eml)', async () => {
    const { mail: m } = await parseFile('mikel-mail/mime_emails/raw_email11.eml');
    expect(m.from).toBeNull();
    expect(m.to).toEqual([]);
  });
});

describe('line ends', () => {
  it('reads a mail whose lines end in bare CRs as if they were CRLF, and leaves other mail as it is', async () => {
    const cr = Buffer.from('From: Old Mac <old@mac.test>\rSubject: Classic\rContent-Type: text/plain; charset=utf-8\r\rFirst line\rSecond line\r');
    const r = await parse(cr);
    expect(r.mail.subject).toBe('Classic');
    expect(r.mail.from?.address).toBe('old@mac.test');
    expect(r.mail.text.split(/\r?\n/).filter(Boolean)).toEqual(['First line', 'Second line']);
    const lf = Buffer.from('From: a@x.test\nSubject: s\n\nbody\r\n');
    expect(withLineFeeds(lf)).toBe(lf);
    const noBreaks = Buffer.from('no line breaks at all');
    expect(withLineFeeds(noBreaks)).toBe(noBreaks);
  });
});

/**
 * The whole parse (pre-scan, charset repair, mailparser, sanitiser) on the repository's own fixture
 * mails (libs/mail/testing/fixtures): charsets decoded, attachment names read, structure kept,
 * broken MIME read as far as it can be. They run everywhere, a fresh clone included; the same
 * checks on the third-party corpus are in parse-job.spec.ts and run when it is there.
 */
import { fixtureMail } from '@mailroom/mail-testing';
import { DEFAULT_PARSE_LIMITS } from './limits';
import { runParseJob, type ParsedMailResult } from './parse-job';

const opts = { limits: DEFAULT_PARSE_LIMITS, baseUrl: 'https://help.example.test' };

const parseFixture = async (fixture: string): Promise<ParsedMailResult> => {
  const r = await runParseJob(fixtureMail(fixture), null, opts);
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r.result;
};

describe('charsets of the fixture mails', () => {
  it.each<[string, string, string, string[]]>([
    // fixture, what it tests, expected subject, expected text fragments
    ['charsets/iso-8859-1-quoted-printable.eml', 'ISO-8859-1, quoted-printable with a soft line break, Q-encoded Subject', 'Drucker im Büro gestört', ['Können Sie jemanden vorbeischicken?', 'Grüße\nLena Köhler']],
    ['charsets/windows-1252-labelled-utf-8.eml', 'windows-1252 bytes under a UTF-8 label, raw 8-bit Subject', 'Refund for “Premium” – charged twice', ['you charged me €49.00 – twice – for the “Premium” plan. I’d like', 'Thanks… Chris']],
    ['charsets/iso-2022-jp.eml', 'ISO-2022-JP body and B-encoded Subject', 'プリンターの故障について', ['お世話になっております。\n事務所のプリンターが動きません。']],
    ['charsets/shift_jis.eml', 'Shift_JIS 8-bit body', '請求書の再発行', ['三月分の請求書を再発行していただけますか。']],
    ['charsets/koi8-r.eml', 'KOI8-R base64 body, Q-encoded Subject', 'Не могу войти', ['Здравствуйте!\nНе могу войти в личный кабинет: пароль не подходит.']],
    ['charsets/encoded-words.eml', 'RFC 2047 words of three charsets across a folded Subject', 'Re: 未払い invoice № für März (second reminder)', ['the invoice № 2024-031 is still open — could you check?']],
    ['charsets/utf-8-raw-headers.eml', 'raw UTF-8 headers (RFC 6532)', 'Hjælp med fakturaen ✔', ['Mvh Søren']],
  ])('%s (%s)', async (fixture, _case, subject, fragments) => {
    const { mail } = await parseFixture(fixture);
    expect(mail.subject).toBe(subject);
    for (const fragment of fragments) expect(mail.text).toContain(fragment);
    expect(mail.subject + mail.text).not.toContain('\uFFFD');
  });

  it.each<[string, string]>([
    ['charsets/iso-2022-jp.eml', '山田 太郎'],
    ['charsets/koi8-r.eml', 'Ольга Смирнова'], // windows-1251
    ['charsets/encoded-words.eml', 'Zoë Álvarez'],
    ['charsets/iso-8859-1-quoted-printable.eml', 'Lena Köhler'],
    ['charsets/utf-8-raw-headers.eml', 'Søren Ærø'],
  ])('decodes the From display name of %s', async (fixture, name) => {
    expect((await parseFixture(fixture)).mail.from?.name).toBe(name);
  });

  it('decodes RFC 2231 file names (UTF-8, continued, ISO-8859-1 with a language) and an RFC 2047 one', async () => {
    const r = await parseFixture('charsets/rfc2231-filenames.eml');
    expect(r.attachments.map((a) => [a.fileName, a.contentType])).toEqual([
      ['見積書.pdf', 'application/pdf'],
      ['Счет № 42.txt', 'text/plain'],
      ['Prüfbericht März.txt', 'text/plain'],
      ['Übersicht.csv', 'text/csv'],
    ]);
    expect(r.attachments[0].content.subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('structure, attachments and HTML of the fixture mails', () => {
  it('links the cid: image of Outlook mixed → related → alternative nesting to its stored attachment', async () => {
    const r = await parseFixture('structure/outlook-nested.eml');
    expect(r.mail.text).toContain('The error is in the screenshot below.');
    const image = r.attachments.find((a) => a.fileName === 'image001.png')!;
    expect(image).toMatchObject({ inline: true, contentType: 'image/png', contentId: '<image001.png@01DA7460.1>' });
    expect(r.html).toContain(`https://help.example.test/attachments/token/${image.id}/`);
    expect(r.html).not.toMatch(/cid:/i);
    expect(r.attachments.find((a) => a.fileName === 'error.log')).toMatchObject({ inline: false, size: 15 });
  });

  it('treats an image with no Content-Disposition that the HTML shows as inline', async () => {
    const r = await parseFixture('structure/cid-image-without-disposition.eml');
    expect(r.attachments).toHaveLength(1);
    expect(r.attachments[0].inline).toBe(true);
    expect(r.html).toContain(r.attachments[0].id);
  });

  it('keeps a forwarded message/rfc822 whole, as one attachment', async () => {
    const r = await parseFixture('structure/forwarded-message.eml');
    expect(r.mail.text).toBe('See the mail below, the order number is wrong.');
    expect(r.attachments.map((a) => [a.fileName, a.contentType])).toEqual([['Order confirmation.eml', 'message/rfc822']]);
    expect(r.attachments[0].content.toString()).toContain('Message-ID: <order.4711@shop.example>');
  });

  it('sanitises HTML and keeps a text version of an HTML-only mail', async () => {
    const r = await parseFixture('structure/html-only.eml');
    expect(r.html).toBe('<p>The <b>printer</b> shows <i>E1234</i>.</p><p>Please help.</p>');
    expect(r.mail.text).toBe('The printer shows E1234.\n\nPlease help.');
  });

  it('names attachments that have no file name', async () => {
    const r = await parseFixture('structure/attachments-without-filename.eml');
    expect(r.attachments.map((a) => [a.contentType, a.size])).toEqual([['application/octet-stream', 8], ['image/png', 70]]);
    for (const a of r.attachments) expect(a.fileName).toBeTruthy();
  });

  it('hands back a PDF attachment byte for byte', async () => {
    const r = await parseFixture('structure/pdf-attachment.eml');
    expect(r.attachments).toEqual([expect.objectContaining({ fileName: 'invoice-2024-031.pdf', contentType: 'application/pdf', size: 193, inline: false })]);
    expect(r.attachments[0].content.toString('latin1')).toMatch(/^%PDF-1\.4\n[\s\S]*%%EOF\n$/);
  });
});

describe('broken MIME in the fixture mails', () => {
  it('reads parts with unknown transfer encodings (8bits, 7-bit) as they are, and invalid base64 without failing', async () => {
    const r = await parseFixture('broken/unknown-transfer-encodings.eml');
    expect(r.mail.text).toBe('Grüße from a mailer that writes 8bits.\nAnd one that writes 7-bit.');
    expect(r.attachments.map((a) => a.fileName)).toEqual(['data.bin']);
  });

  it('reads a mail with no MIME headers at all as plain text', async () => {
    expect((await parseFixture('broken/no-content-type.eml')).mail.text.trim()).toBe('Plain old mail without any MIME headers.');
  });

  it('reads a part without headers as text/plain and keeps the next part as an attachment', async () => {
    const r = await parseFixture('broken/part-without-content-type.eml');
    expect(r.mail.text).toBe('This part has no headers at all: text/plain by default.');
    expect(r.attachments.map((a) => [a.fileName, a.content.toString()])).toEqual([['notes.txt', 'attached notes']]);
  });

  it('parses multipart/mixed without a boundary, keeping the headers', async () => {
    const r = await parseFixture('broken/multipart-without-boundary.eml');
    expect(r.mail).toMatchObject({ subject: 'No boundary', from: { address: 'lena.koehler@kunde.example', name: 'Lena Köhler' }, messageId: '<noboundary.1@kunde.example>' });
  });

  it('keeps a garbage Date as written, for the rules to ignore', async () => {
    const { mail } = await parseFixture('broken/garbage-date.eml');
    expect(mail.date).toBe('sometime last Tuesday, around noon');
    expect(mail.text.trim()).toBe('The Date header makes no sense.');
  });

  it('leaves out addresses no user can have, so the mail has no usable sender', async () => {
    const { mail } = await parseFixture('broken/unparsable-from.eml');
    expect(mail.from).toBeNull();
    expect(mail.to).toEqual([]);
    expect(mail.subject).toBe('From whom?');
  });

  it('reads a Subject with encoded-words no decoder knows without failing', async () => {
    const { mail } = await parseFixture('broken/undecodable-subject.eml');
    expect(mail.subject.startsWith('Hello World and ')).toBe(true);
  });

  it('reads a mail whose lines end in bare LFs, attachment included', async () => {
    const raw = fixtureMail('broken/bare-lf.eml');
    expect(raw.includes(0x0d)).toBe(false);
    const r = await parseFixture('broken/bare-lf.eml');
    expect(r.mail.subject).toBe('Line feeds only');
    expect(r.mail.text).toBe('Every line of this mail ends in a bare LF.\nSecond line.');
    expect(r.attachments.map((a) => [a.fileName, a.size, a.content.subarray(0, 5).toString()])).toEqual([['scan.pdf', 193, '%PDF-']]);
  });

  it('keeps a binary part byte for byte', async () => {
    const r = await parseFixture('broken/binary-part.eml');
    expect(r.mail.text).toBe('A raw binary part follows.');
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 0x0d && b !== 0x0a));
    expect(r.attachments).toHaveLength(1);
    expect(r.attachments[0].content.equals(bytes)).toBe(true);
  });
});

import * as iconv from 'iconv-lite';
import { repairMislabelledCharsets } from './charset-repair';
import { DEFAULT_PARSE_LIMITS } from './limits';
import { runParseJob } from './parse-job';

const latin1 = (s: string) => iconv.encode(s, 'win1252');
const join = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));

const parse = async (raw: Buffer) => {
  const r = await runParseJob(raw, null, { limits: DEFAULT_PARSE_LIMITS, baseUrl: 'https://help.example.test' });
  if (!r.ok) throw new Error(r.reason);
  return r.result;
};

/** multipart/alternative: a text part and an HTML part, each with its own label and encoding. */
const alternative = (text: { charset: string; cte: string; body: Buffer }, html: { charset: string; cte: string; body: Buffer }, eol = '\r\n') =>
  join(
    `From: a@x.test${eol}Subject: t${eol}MIME-Version: 1.0${eol}Content-Type: multipart/alternative; boundary="alt-1"${eol}${eol}`,
    `preamble${eol}--alt-1${eol}Content-Type: text/plain; charset=${text.charset}${eol}Content-Transfer-Encoding: ${text.cte}${eol}${eol}`,
    text.body,
    `${eol}--alt-1${eol}Content-Type: text/html; charset=${html.charset}${eol}Content-Transfer-Encoding: ${html.cte}${eol}${eol}`,
    html.body,
    `${eol}--alt-1--${eol}epilogue${eol}`,
  );

describe('mislabelled charsets inside multiparts', () => {
  it('repairs a raw 8-bit Latin-1 text part and HTML part labelled UTF-8', async () => {
    const raw = alternative({ charset: 'utf-8', cte: '8bit', body: latin1('Grüße aus Köln – 10 €') }, { charset: 'utf-8', cte: '8bit', body: latin1('<p>Grüße aus Köln</p>') });
    const r = await parse(raw);
    expect(r.mail.text.trim()).toBe('Grüße aus Köln – 10 €');
    expect(r.html).toContain('Grüße aus Köln');
    expect(r.mail.text + (r.html ?? '')).not.toContain('\uFFFD');
  });

  it('repairs quoted-printable and base64 parts whose decoded bytes are Latin-1 under a UTF-8 or US-ASCII label', async () => {
    const qp = alternative({ charset: 'us-ascii', cte: 'quoted-printable', body: Buffer.from('caf=E9 cr=E8me, =\r\nb=FBche') }, { charset: 'utf-8', cte: 'base64', body: Buffer.from(latin1('<b>café</b>').toString('base64')) });
    const r = await parse(qp);
    expect(r.mail.text.trim()).toBe('café crème, bûche');
    expect(r.html).toContain('<b>café</b>');
  });

  it('repairs a part nested in multipart/mixed, with LF line ends, and leaves an attached message as it came', async () => {
    const inner = join('From: b@y.test\nSubject: inner\nContent-Type: text/plain; charset=utf-8\n\n', latin1('Déjà vu'), '\n');
    const raw = join(
      'From: a@x.test\nSubject: t\nContent-Type: multipart/mixed; boundary=outer\n\n',
      '--outer\nContent-Type: multipart/alternative; boundary=inner\n\n--inner\nContent-Type: text/plain; charset=utf-8\n\n',
      latin1('Señor Muñoz'),
      '\n--inner--\n\n--outer\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=fwd.eml\n\n',
      inner,
      '\n--outer--\n',
    );
    const repaired = repairMislabelledCharsets(raw);
    expect(repaired.toString('utf8')).toContain('Señor Muñoz');
    expect(repaired.includes(latin1('Déjà vu'))).toBe(true);
    const r = await parse(raw);
    expect(r.mail.text).toContain('Señor Muñoz');
  });

  it('leaves valid UTF-8, declared legacy charsets and attachments exactly as they were', () => {
    const fine = alternative({ charset: 'utf-8', cte: '8bit', body: Buffer.from('Grüße ✔') }, { charset: 'iso-8859-1', cte: 'quoted-printable', body: Buffer.from('Gr=FC=DFe') });
    expect(repairMislabelledCharsets(fine)).toBe(fine);
    const attachment = join(
      'From: a@x.test\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n',
      '--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; filename=data.txt\r\n\r\n',
      latin1('bytes the sender chose: é'),
      '\r\n--b--\r\n',
    );
    expect(repairMislabelledCharsets(attachment)).toBe(attachment);
    const asciiOnly = Buffer.from('From: a@x.test\r\nSubject: plain\r\n\r\nplain text, quoted-printable nowhere =E9\r\n');
    expect(repairMislabelledCharsets(asciiOnly)).toBe(asciiOnly);
  });

  it('keeps every byte around the parts it repairs: preamble, delimiters, epilogue', () => {
    const raw = alternative({ charset: 'utf-8', cte: '8bit', body: latin1('né') }, { charset: 'utf-8', cte: '8bit', body: Buffer.from('<p>ok</p>') });
    const repaired = repairMislabelledCharsets(raw);
    expect(repaired.toString('utf8')).toBe(raw.toString('latin1').replace('n\u00e9', 'né'));
  });

  it('survives a multipart without its closing delimiter or without any delimiter', () => {
    const unclosed = join('From: a@x.test\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n', latin1('fin de série'), '\r\n');
    expect(repairMislabelledCharsets(unclosed).toString('utf8')).toContain('fin de série');
    const none = join('From: a@x.test\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\nno parts at all\r\n');
    expect(repairMislabelledCharsets(none)).toBe(none);
  });
});

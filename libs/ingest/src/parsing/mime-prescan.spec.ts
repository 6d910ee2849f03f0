import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { corpusDir, corpusFile, corpusMailFiles, describeIfCorpus, FIXTURE_DIR, fixtureMail, fixtureMailFiles } from '@mailroom/mail-testing';
import { DEFAULT_PARSE_LIMITS } from './limits';
import { prescanMime } from './mime-prescan';


const nested = (levels: number): Buffer => {
  let body = 'Content-Type: text/plain\r\n\r\nthe bottom\r\n';
  for (let i = levels - 1; i >= 1; i--) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}--b${i}--\r\n`;
  return Buffer.from(`From: a@x.test\r\nSubject: deep\r\n${body}`);
};

const attachedMessages = (levels: number): Buffer => {
  let body = 'Content-Type: text/plain\r\n\r\ninnermost\r\n';
  for (let i = 1; i < levels; i++) body = `Content-Type: message/rfc822\r\n\r\nFrom: m${i}@x.test\r\n${body}`;
  return Buffer.from(`From: a@x.test\r\n${body}`);
};

const manyParts = (n: number): Buffer => {
  const parts = Array.from({ length: n }, () => '--x\r\nContent-Type: text/plain\r\n\r\n.\r\n').join('');
  return Buffer.from(`From: a@x.test\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n${parts}--x--\r\n`);
};

describe('prescanMime', () => {
  const limits = { maxHeaderBytes: 1000, maxMimeDepth: 10, maxParts: 50 };

  it('lets every fixture mail through under the default limits', () => {
    const files = fixtureMailFiles();
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) expect([path.relative(FIXTURE_DIR, f), prescanMime(readFileSync(f), DEFAULT_PARSE_LIMITS).ok]).toEqual([path.relative(FIXTURE_DIR, f), true]);
  });

  it('measures the Outlook mixed → related → alternative nesting of structure/outlook-nested.eml', () => {
    expect(prescanMime(fixtureMail('structure/outlook-nested.eml'), DEFAULT_PARSE_LIMITS)).toEqual({ ok: true, depth: 4, parts: 7 });
  });

  it('counts a forwarded message/rfc822 as one level deeper, its own parts included', () => {
    // mixed → message/rfc822 → related → html / png
    expect(prescanMime(fixtureMail('structure/forwarded-message.eml'), DEFAULT_PARSE_LIMITS)).toEqual({ ok: true, depth: 4, parts: 6 });
  });

  it('accepts nesting up to the limit and refuses one level more', () => {
    expect(prescanMime(nested(10), limits)).toMatchObject({ ok: true, depth: 10 });
    expect(prescanMime(nested(11), limits)).toEqual({ ok: false, reason: 'MIME nesting deeper than 10 levels' });
  });

  it('refuses a chain of attached messages past the depth limit', () => {
    expect(prescanMime(attachedMessages(10), limits).ok).toBe(true);
    expect(prescanMime(attachedMessages(11), limits)).toEqual({ ok: false, reason: 'MIME nesting deeper than 10 levels' });
  });

  it('refuses a MIME bomb of a hundred thousand levels quickly and without deep recursion', () => {
    const r = prescanMime(nested(100_000), DEFAULT_PARSE_LIMITS);
    expect(r).toEqual({ ok: false, reason: 'MIME nesting deeper than 50 levels' });
  });

  it('counts parts and refuses more than the limit', () => {
    expect(prescanMime(manyParts(49), limits)).toMatchObject({ ok: true, parts: 50 });
    expect(prescanMime(manyParts(50), limits)).toEqual({ ok: false, reason: 'more than 50 MIME parts' });
  });

  it('refuses an oversized header block, also in a nested part', () => {
    const big = Buffer.from(`From: a@x.test\r\nX-Padding: ${'a'.repeat(1200)}\r\n\r\nbody\r\n`);
    expect(prescanMime(big, limits)).toEqual({ ok: false, reason: 'a header block larger than 1000 bytes' });
    const inPart = Buffer.from(`From: a@x.test\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nX-Padding: ${'a'.repeat(1200)}\r\n\r\nx\r\n--x--\r\n`);
    expect(prescanMime(inPart, limits).ok).toBe(false);
  });

  it('does not take base64 inside an attached message for MIME structure', () => {
    const raw = Buffer.from(`From: a@x.test\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nQ29udGVudC1UeXBlOiBtZXNzYWdlL3JmYzgyMg==\r\n`);
    expect(prescanMime(raw, limits)).toMatchObject({ ok: true, depth: 1 });
  });
});

describeIfCorpus('prescanMime on the corpus', () => {
  it('lets every corpus mail through under the default limits', () => {
    const files = corpusMailFiles();
    expect(files.length).toBeGreaterThan(150);
    for (const f of files) expect([path.relative(corpusDir(), f), prescanMime(readFileSync(f), DEFAULT_PARSE_LIMITS).ok]).toEqual([path.relative(corpusDir(), f), true]);
  });

  it('measures the Outlook mixed → related → alternative nesting of mailparser/nested.eml', () => {
    expect(prescanMime(readFileSync(corpusFile('mailparser/nested.eml')), DEFAULT_PARSE_LIMITS)).toMatchObject({ ok: true, depth: 4 });
  });

  it('counts a forwarded message/rfc822 as one level deeper', () => {
    const r = prescanMime(readFileSync(corpusFile('mikel-mail/attachment_emails/attachment_message_rfc822.eml')), DEFAULT_PARSE_LIMITS);
    expect(r.ok && r.depth).toBeGreaterThanOrEqual(3);
  });
});

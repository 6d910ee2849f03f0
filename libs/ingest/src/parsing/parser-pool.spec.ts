import { fixtureMail } from '@mailroom/mail-testing';
import { MailParseRefused } from './limits';
import { ParserPool } from './parser-pool';

const normal = Buffer.from('From: Jane <jane@x.test>\r\nSubject: hello\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nmy printer is on fire\r\n');
/** Several MB of HTML: seconds of mailparser and sanitiser work, far past a one-second budget. */
const hostile = Buffer.from(`From: a@x.test\r\nSubject: slow\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${'<p><b>x</b><i>y</i></p>'.repeat(200_000)}\r\n`);

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => (err instanceof MailParseRefused ? { cause: err.suspensionCause, message: err.message } : { error: String(err) }),
  );

describe('ParserPool', () => {
  let pool: ParserPool;
  afterEach(async () => pool?.close());

  it('parses on a thread and hands back attachments as Buffers', async () => {
    pool = new ParserPool({ baseUrl: 'https://h.test', threads: 1 });
    const r = await pool.parse(fixtureMail('structure/pdf-attachment.eml'), 'sender@x.test');
    expect(r.mail.subject).toBe('Invoice as PDF');
    expect(r.mail.returnPath).toBe('sender@x.test');
    expect(Buffer.isBuffer(r.attachments[0].content)).toBe(true);
    expect(r.attachments[0].content.subarray(0, 4).toString()).toBe('%PDF');
  });

  it('cuts off a mail over its time budget as content_processor_timed_out, and the next mail parses', async () => {
    pool = new ParserPool({ baseUrl: 'https://h.test', threads: 1, limits: { parseTimeoutMs: 1000 } });
    await pool.parse(normal, null); // the thread is up: the budget measures parsing only
    const started = Date.now();
    expect(await refusal(pool.parse(hostile, null))).toEqual({ cause: 'content_processor_timed_out', message: 'parsing took longer than 1000 ms' });
    expect(Date.now() - started).toBeLessThan(8000);
    const next = await pool.parse(normal, null);
    expect(next.mail.text).toContain('my printer is on fire');
  });

  it('keeps parsing other mail on another thread while one mail is slow', async () => {
    pool = new ParserPool({ baseUrl: 'https://h.test', threads: 2, limits: { parseTimeoutMs: 1000 } });
    await Promise.all([pool.parse(normal, null), pool.parse(normal, null)]);
    const slow = refusal(pool.parse(hostile, null));
    const fast = await pool.parse(normal, null);
    expect(fast.mail.subject).toBe('hello');
    expect(await slow).toMatchObject({ cause: 'content_processor_timed_out' });
  });

  it('refuses a mail over a structural limit as unprocessable_email with the reason', async () => {
    pool = new ParserPool({ baseUrl: 'https://h.test', threads: 1, limits: { maxHeaderBytes: 200 } });
    const big = Buffer.from(`From: a@x.test\r\nX-Pad: ${'a'.repeat(300)}\r\n\r\nx\r\n`);
    expect(await refusal(pool.parse(big, null))).toEqual({ cause: 'unprocessable_email', message: 'a header block larger than 200 bytes' });
  });

  it('survives a thread that runs out of memory on a mail', async () => {
    pool = new ParserPool({ baseUrl: 'https://h.test', threads: 1, threadMemoryMb: 16 });
    const huge = Buffer.from(`From: a@x.test\r\nSubject: big\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${'<p><b>x</b><i>y</i></p>'.repeat(300_000)}\r\n`);
    const r = await refusal(pool.parse(huge, null));
    expect(r).toMatchObject({ cause: 'unprocessable_email' });
    expect((await pool.parse(normal, null)).mail.subject).toBe('hello');
  });
});

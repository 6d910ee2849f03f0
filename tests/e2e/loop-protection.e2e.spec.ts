import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { startLocalSystem, type LocalSystem } from '@mailroom/local-system';
import { createTestDatabase, sleep, testNamespace, TEST_AMQP_URL, type TestDatabase } from '@mailroom/testing';

/**
 * Mail loops over real SMTP both ways. Mailroom's outgoing relay is an auto-responder that answers
 * every mail it is handed by mailing Mailroom's SMTP port back — the classic storm between a help
 * desk and a vacation robot. Whatever the robot does, the exchange must stop after a few messages
 * and stay stopped.
 */
type Style = 'polite' | 'rude' | 'rude-threaded';

interface Responder {
  url: string;
  /** Mails Mailroom sent to the robot's address, and the robot's answers, in order. */
  received: Map<string, number>;
  answered: Map<string, number>;
  connect(smtpPort: number): void;
  close(): Promise<void>;
}

const RATE_LIMIT = 3;
const SUSPEND_LIMIT = 2;

/**
 * The robot: for every mail Mailroom relays to `<style>@robots.test`, an answer back to Mailroom.
 * polite — RFC 3834: `Auto-Submitted: auto-replied`, In-Reply-To, from the address written to;
 * rude — no automation headers, no threading headers, always from the same address, to the From;
 * rude-threaded — no automation headers, but answers the Reply-To and keeps In-Reply-To.
 */
const startResponder = async (): Promise<Responder> => {
  const received = new Map<string, number>();
  const answered = new Map<string, number>();
  let mailroomPort = 0;
  const answer = async (raw: Buffer, rcpt: string) => {
    const style = rcpt.split('@')[0] as Style;
    if (!['polite', 'rude', 'rude-threaded'].includes(style)) return;
    received.set(style, (received.get(style) ?? 0) + 1);
    const mail = await simpleParser(raw);
    const from = mail.from?.value[0]?.address ?? 'support@mailroom.test';
    const replyTo = mail.replyTo?.value[0]?.address ?? from;
    const transport = createTransport({ host: '127.0.0.1', port: mailroomPort, secure: false, ignoreTLS: true });
    const base = { from: `Robot <${style}@robots.test>`, text: 'Thank you for your message. This mailbox is not monitored.' };
    const message =
      style === 'polite'
        ? { ...base, to: replyTo, subject: `Auto: ${mail.subject}`, inReplyTo: mail.messageId, references: mail.messageId, headers: { 'Auto-Submitted': 'auto-replied' } }
        : style === 'rude'
          ? { ...base, to: from, subject: 'Thank you for your message' }
          : { ...base, to: replyTo, subject: `Re: ${mail.subject}`, inReplyTo: mail.messageId, references: mail.messageId };
    await transport.sendMail(message);
    answered.set(style, (answered.get(style) ?? 0) + 1);
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      // Taken now: smtp-server clears the envelope for the next transaction once DATA is answered.
      const recipients = session.envelope.rcptTo.map((r) => r.address);
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const c of stream) chunks.push(c as Buffer);
        callback(null);
        // Answer after accepting, as a real robot does (out of band, not inside the SMTP dialogue).
        for (const r of recipients) await answer(Buffer.concat(chunks), r).catch(() => undefined);
      })();
    },
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port)));
  server.on('error', () => undefined);
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    answered,
    connect: (p) => {
      mailroomPort = p;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

describe('mail loop protection with an auto-responder on the other side', () => {
  let database: TestDatabase;
  let responder: Responder;
  let sys: LocalSystem;

  beforeAll(async () => {
    database = await createTestDatabase();
    responder = await startResponder();
    sys = await startLocalSystem({
      database: { url: database.url, migrate: false },
      amqp: { url: TEST_AMQP_URL, namespace: testNamespace(), deleteOnClose: true },
      relay: { url: responder.url },
      log: process.env.MAILROOM_TEST_LOG ? 'verbose' : 'quiet',
      env: { MAILROOM_SENDER_RATE_LIMIT: String(RATE_LIMIT), MAILROOM_SENDER_SUSPEND_LIMIT: String(SUSPEND_LIMIT), MAILROOM_SMTP_MESSAGES_PER_MINUTE_PER_IP: '0' },
    });
    responder.connect(sys.smtpPort);
  });
  afterAll(async () => {
    await sys?.close();
    await responder?.close();
    await database?.drop();
  });

  /** Waits until neither side has sent anything for `quietMs`. */
  const untilQuiet = async (style: Style, quietMs = 4000, timeoutMs = 60000) => {
    const until = Date.now() + timeoutMs;
    // The first acknowledgement goes out through the rules and the notifier: give it time.
    while (!responder.received.get(style) && Date.now() < until) await sleep(100);
    let last = '';
    let since = Date.now();
    while (Date.now() < until) {
      const now = `${responder.received.get(style) ?? 0}/${responder.answered.get(style) ?? 0}`;
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return;
      await sleep(100);
    }
    throw new Error(`the exchange with the ${style} robot did not stop within ${timeoutMs} ms (${last})`);
  };

  const start = async (style: Style) => {
    // A customer-looking first mail from the robot's address opens the conversation.
    await createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({
      from: `${style}@robots.test`,
      to: 'support@mailroom.test',
      subject: `Question from ${style}`,
      text: 'Hello, can you help me?',
    });
  };

  const suspendedCauses = async (style: Style) =>
    (await database.db.query<{ cause: string }>(`SELECT cause FROM ingest.suspended_tickets WHERE author_email = $1 ORDER BY id`, [`${style}@robots.test`])).map((r) => r.cause);

  it('stops a polite RFC 3834 responder after its first answer', async () => {
    await start('polite');
    await untilQuiet('polite');
    // One acknowledgement out, one auto-reply back, suspended: no second acknowledgement.
    expect(responder.received.get('polite')).toBe(1);
    expect(responder.answered.get('polite')).toBe(1);
    expect(await suspendedCauses('polite')).toEqual(['auto_mailer']);
    await sleep(3000);
    expect(responder.received.get('polite')).toBe(1);
  });

  it('stops a rude responder (no headers, fixed address, new subject each time) at the per-sender rate limit', async () => {
    await start('rude');
    await untilQuiet('rude');
    const out = responder.received.get('rude') ?? 0;
    // Every processed mail from the robot is a new ticket and gets one acknowledgement; past the
    // rate limit its mail is suspended as a loop and nothing goes back.
    expect(out).toBe(RATE_LIMIT);
    expect(responder.answered.get('rude')).toBe(RATE_LIMIT);
    expect(await suspendedCauses('rude')).toEqual(['loop']);
    await sleep(3000);
    expect(responder.received.get('rude')).toBe(out);
  });

  it('stops a rude responder that answers the Reply-To and so threads into the ticket', async () => {
    await start('rude-threaded');
    await untilQuiet('rude-threaded');
    const out = responder.received.get('rude-threaded') ?? 0;
    // Its answers become comments by the requester, which notify nobody: the acknowledgement is all.
    expect(out).toBeGreaterThanOrEqual(1);
    expect(out).toBeLessThanOrEqual(RATE_LIMIT);
    await sleep(3000);
    expect(responder.received.get('rude-threaded')).toBe(out);
  });
});

// A local SMTP mail catcher: accepts every mail on loopback, keeps it in memory, and shows it on
// a small web page. Used by `npm start` as Mailroom's outgoing relay and by the integration and
// e2e tests as the relay that receives Mailroom's notifications (our replacement for maildev).
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { startWebServer, type WebServer } from './web';

export interface MailCatcherOptions {
  /** Interface to listen on, both SMTP and HTTP. Default 127.0.0.1. */
  host?: string;
  /** SMTP port; 0 picks a free port. */
  smtpPort: number;
  /** Web page port; 0 picks a free port; null or undefined: no web page. */
  httpPort?: number | null;
  /** Keep at most this many mails, dropping the oldest. Default 1000. */
  maxMessages?: number;
}

export interface CaughtMail {
  id: string;
  receivedAt: Date;
  /** The SMTP envelope (MAIL FROM, RCPT TO), which is where the mail was really sent. */
  envelope: { from: string; to: string[] };
  /** The bytes received after DATA, as sent. */
  raw: Buffer;
  parsed: ParsedMail;
  /** Decoded Subject header, '' when missing. */
  subject: string;
  /** Address of the From header (envelope sender when the header has none). */
  from: string;
  /** Addresses of the To header(s). */
  to: string[];
  /** Addresses of the Cc header(s). */
  cc: string[];
  /** Addresses of the Reply-To header. */
  replyTo: string[];
  /** Message-ID with angle brackets, as mailparser gives it. */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /**
   * Lower-case header name → value, unfolded. Where mailparser decodes a header that occurs once
   * to a string (Subject, for one) that decoded value is used; other headers (X-*, addresses,
   * Date, Content-Type, …) keep their raw text. Repeated headers are joined by '\n', raw.
   */
  headers: Record<string, string>;
  text: string;
  html: string | null;
  /** What the catcher answered to DATA, e.g. `250 OK: queued as <id>`. */
  smtpResponse: string;
}

export interface MailCatcher {
  readonly host: string;
  readonly smtpPort: number;
  readonly httpPort: number | null;
  /** Caught mails, oldest first. */
  readonly messages: CaughtMail[];
  /** The first caught mail (already there or still to come) that matches; rejects after timeoutMs (default 10 s). */
  waitFor(predicate: (m: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  /** Resolves with all caught mails once there are at least n. */
  waitForCount(n: number, timeoutMs?: number): Promise<CaughtMail[]>;
  clear(): void;
  /** Answer the next `count` DATA commands with this SMTP error (default 451) instead of accepting the mail. */
  failNext(count: number, code?: number, message?: string): void;
  close(): Promise<void>;
}

const DEFAULT_WAIT_MS = 10_000;
const DEFAULT_MAX_MESSAGES = 1000;
const MAX_SIZE_BYTES = 100 * 1024 * 1024;

interface Waiter {
  check(): boolean;
  reject(err: Error): void;
}

interface Failure {
  code: number;
  message: string;
}

class SmtpError extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

export async function startMailCatcher(opts: MailCatcherOptions): Promise<MailCatcher> {
  const host = opts.host ?? '127.0.0.1';
  const maxMessages = Math.max(1, opts.maxMessages ?? DEFAULT_MAX_MESSAGES);
  const messages: CaughtMail[] = [];
  const waiters = new Set<Waiter>();
  const failures: Failure[] = [];
  let closed = false;

  const clear = (): void => {
    messages.length = 0;
  };

  const notify = (): void => {
    for (const w of [...waiters]) w.check();
  };

  const receive = async (stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    // smtp-server itself answers 552 for an oversized message whatever we return.
    if (stream.sizeExceeded) throw new SmtpError('Message too big', 552);
    const failure = failures.shift();
    if (failure) throw new SmtpError(failure.message, failure.code);
    const raw = Buffer.concat(chunks);
    const parsed = await simpleParser(raw);
    const id = randomUUID();
    const reply = `OK: queued as ${id}`;
    const envelope = {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map((r) => r.address),
    };
    messages.push(toCaughtMail(id, raw, parsed, envelope, `250 ${reply}`));
    if (messages.length > maxMessages) messages.splice(0, messages.length - maxMessages);
    notify();
    return reply;
  };

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    size: MAX_SIZE_BYTES,
    logger: false,
    banner: 'Mailroom mail catcher',
    closeTimeout: 250,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'catcher' }); // any credentials are fine
    },
    onData(stream, session, callback) {
      receive(stream, session).then(
        (reply) => callback(null, reply),
        (err: Error & { responseCode?: number }) => {
          if (!err.responseCode) err = new SmtpError(`Could not store the message: ${err.message}`, 451);
          callback(err);
        },
      );
    },
  });

  const smtpPort = await new Promise<number>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(opts.smtpPort, host, () => {
      smtp.off('error', reject);
      resolve((smtp.server.address() as AddressInfo).port);
    });
  });
  // A connection-level error must not crash the process that hosts the catcher.
  smtp.on('error', () => undefined);

  let web: WebServer | null = null;
  if (opts.httpPort !== null && opts.httpPort !== undefined) {
    try {
      web = await startWebServer({ host, port: opts.httpPort, messages: () => messages, clear: () => clear() });
    } catch (err) {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      throw err;
    }
  }

  const wait = <T>(compute: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          const found = compute();
          if (found === undefined) return false;
          done();
          resolve(found);
          return true;
        },
        reject: (err) => {
          done();
          reject(err);
        },
      };
      const timer = setTimeout(() => waiter.reject(new Error(describe())), timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      if (closed) return waiter.reject(new Error('mail catcher is closed'));
      waiters.add(waiter);
      waiter.check();
    });

  const summary = (): string =>
    messages.length === 0
      ? 'no mail caught'
      : `caught ${messages.length}: ` +
        messages.map((m) => `[${m.envelope.to.join(',')}] ${JSON.stringify(m.subject)}`).join('; ');

  return {
    host,
    smtpPort,
    httpPort: web ? web.port : null,
    get messages() {
      return messages;
    },
    waitFor(predicate, timeoutMs = DEFAULT_WAIT_MS) {
      return wait(
        () => messages.find(predicate),
        timeoutMs,
        () => `mail catcher: no matching mail within ${timeoutMs} ms (${summary()})`,
      );
    },
    waitForCount(n, timeoutMs = DEFAULT_WAIT_MS) {
      return wait(
        () => (messages.length >= n ? [...messages] : undefined),
        timeoutMs,
        () => `mail catcher: expected ${n} mails within ${timeoutMs} ms (${summary()})`,
      );
    },
    clear,
    failNext(count, code = 451, message = 'Temporary failure (mail catcher failNext)') {
      for (let i = 0; i < count; i++) failures.push({ code, message });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const w of [...waiters]) w.reject(new Error('mail catcher closed while waiting'));
      await Promise.all([
        new Promise<void>((resolve) => smtp.close(() => resolve())),
        web ? web.close() : Promise.resolve(),
      ]);
    },
  };
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  const walk = (list: AddressObject['value']): void => {
    for (const a of list) {
      if (a.address) out.push(a.address);
      if (a.group) walk(a.group);
    }
  };
  for (const obj of Array.isArray(value) ? value : [value]) walk(obj.value);
  return out;
}

function headerMap(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    const colon = line.indexOf(':');
    const value = (colon >= 0 ? line.slice(colon + 1) : '').replace(/\r?\n[ \t]+/g, ' ').trim();
    headers[key] = key in headers ? `${headers[key]}\n${value}` : value;
  }
  // mailparser decodes (RFC 2047) some headers that occur once, e.g. Subject.
  for (const key of Object.keys(headers)) {
    const decoded = parsed.headers.get(key);
    if (typeof decoded === 'string' && !headers[key].includes('\n')) headers[key] = decoded;
  }
  return headers;
}

function toCaughtMail(
  id: string,
  raw: Buffer,
  parsed: ParsedMail,
  envelope: { from: string; to: string[] },
  smtpResponse: string,
): CaughtMail {
  const refs = parsed.references;
  return {
    id,
    receivedAt: new Date(),
    envelope,
    raw,
    parsed,
    subject: parsed.subject ?? '',
    from: addresses(parsed.from)[0] ?? envelope.from,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    replyTo: addresses(parsed.replyTo),
    messageId: parsed.messageId ?? null,
    inReplyTo: parsed.inReplyTo ?? null,
    references: refs === undefined ? [] : Array.isArray(refs) ? refs : refs.split(/\s+/).filter(Boolean),
    headers: headerMap(parsed),
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : null,
    smtpResponse,
  };
}

// Benchmark: customer mail in over SMTP → ticket → acknowledgement out at the relay, with the five
// services running in this process on real PostgreSQL and RabbitMQ. Compared, in the same run, with
// Postfix's smtp-source blasting smtp-sink on this machine (the raw SMTP ceiling). See bench/README.md.
//
//   npm run bench                       BENCH_MAILS=1000 BENCH_CONCURRENCY=20 by default
//   BENCH_MAILS=200 npm run bench       a quicker run
//
// Settings (environment): BENCH_MAILS, BENCH_CONCURRENCY, BENCH_TIMEOUT_S (default 300),
// BENCH_DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432), AMQP_URL
// (default amqp://guest:guest@127.0.0.1:5672), BENCH_LOG (quiet|verbose|info|warn|error, default warn),
// BENCH_RESULTS_DIR (default bench/results).
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect as amqpConnect } from 'amqplib';
import { createTransport } from 'nodemailer';
import { Client } from 'pg';
import { deleteNamespace, dropDatabase, LOCAL_SYSTEM_QUEUES, startLocalSystem, type LocalSystemLog } from '@mailroom/local-system';
import type { MailCatcher } from '@mailroom/mail-catcher';
import { startSeparateProcesses } from './separate-processes';

const int = (name: string, fallback: number, min = 1): number => {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return n;
};

const MAILS = int('BENCH_MAILS', 1000);
const CONCURRENCY = int('BENCH_CONCURRENCY', 20);
const TIMEOUT_MS = int('BENCH_TIMEOUT_S', 300) * 1000;
const DB_SERVER = (process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const LOG = (process.env.BENCH_LOG ?? 'warn') as LocalSystemLog;
/** `one`: the five services in this process (one event loop); `separate`: a process each, as deployed. */
const PROCESSES = (process.env.BENCH_PROCESSES ?? 'one').trim();
if (PROCESSES !== 'one' && PROCESSES !== 'separate') throw new Error(`BENCH_PROCESSES must be one or separate, got "${PROCESSES}"`);
const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? path.join(__dirname, '..', '..', 'bench', 'results');
const RAW_RUNS = 5;
const SUPPORT = 'support@mailroom.test';

const RUN_ID = `${process.pid}_${randomBytes(3).toString('hex')}`;
const DATABASE_URL = `${DB_SERVER}/mailroom_bench_${process.pid}`;
const NAMESPACE = `mrbench.${RUN_ID}`;

const say = (line: string): void => void process.stdout.write(`[bench] ${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

// ---- the mails ------------------------------------------------------------------------------------

const BODY = [
  'Hello,',
  '',
  'since this morning the invoices we download from the customer portal are empty: the PDF opens,',
  'shows the header with our company name, and then nothing. Yesterday they were fine. We tried two',
  'browsers and two machines. Our accounting closes the month on Friday, so this is fairly urgent.',
  '',
  'Order numbers affected so far: 10431, 10433, 10440. Could you have a look and tell us whether we',
  'should wait for a fix or whether there is another way to get the invoices in the meantime?',
  '',
  'Thanks in advance,',
].join('\n');

const mailFor = (i: number) => ({
  from: `Customer ${i} <customer${i}@bench.test>`,
  to: `Acme Support <${SUPPORT}>`,
  subject: `Invoices empty since this morning (#${i})`,
  text: `${BODY}\nCustomer ${i}\n`,
  messageId: `<bench-${RUN_ID}-${i}@bench.test>`,
});

/** Size in bytes of one mail as sent over SMTP, for smtp-source's -l. */
const mailSize = async (): Promise<number> => {
  const info = await createTransport({ streamTransport: true, buffer: true }).sendMail(mailFor(0));
  return (info.message as Buffer).length;
};

// ---- statistics -----------------------------------------------------------------------------------

interface LatencyStats {
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

const stats = (values: number[]): LatencyStats | null => {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return {
    min: round(s[0]),
    p50: round(percentile(s, 50)),
    p95: round(percentile(s, 95)),
    p99: round(percentile(s, 99)),
    max: round(s[s.length - 1]),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
};

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---- machine --------------------------------------------------------------------------------------

const machineInfo = async () => {
  const cpus = os.cpus();
  let postgres: string | null = null;
  let rabbitmq: string | null = null;
  try {
    const c = new Client({ connectionString: `${DB_SERVER}/postgres`, connectionTimeoutMillis: 3000 });
    await c.connect();
    postgres = ((await c.query('SHOW server_version')).rows[0] as { server_version: string }).server_version;
    await c.end();
  } catch {
    /* reported as null */
  }
  try {
    const conn = await amqpConnect(AMQP_URL);
    const props = (conn as unknown as { connection: { serverProperties?: Record<string, unknown> } }).connection.serverProperties;
    rabbitmq = props?.version ? String(props.version) : null;
    await conn.close();
  } catch {
    /* reported as null */
  }
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((l) => round(l, 2)),
    postgres,
    rabbitmq,
  };
};

// ---- raw SMTP: smtp-source → smtp-sink --------------------------------------------------------------

const findTool = (name: string): string | null => {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')]) {
    const p = path.join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return null;
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });

const waitForListener = async (port: number, timeoutMs: number): Promise<void> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
};

const run = (cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; ms: number; stderr: string }> =>
  new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('error', (err) => (clearTimeout(timer), reject(err)));
    p.once('exit', (code) => (clearTimeout(timer), resolve({ code, ms: performance.now() - t0, stderr })));
  });

interface RawResult {
  available: boolean;
  note?: string;
  tool?: string;
  version?: string | null;
  command?: string;
  runsMs?: number[];
  durationMs?: number;
  mailsPerSec?: number;
}

const rawSmtp = async (size: number, deadline: number): Promise<RawResult> => {
  const source = findTool('smtp-source');
  const sink = findTool('smtp-sink');
  if (!source || !sink) {
    return { available: false, note: 'smtp-source/smtp-sink not installed (Debian/Ubuntu: apt-get install postfix, without starting the daemon)' };
  }
  let version: string | null = null;
  try {
    version = execFileSync('postconf', ['-d', '-h', 'mail_version'], { encoding: 'utf8', timeout: 5000 }).trim();
  } catch {
    /* unknown */
  }
  const port = await freePort();
  // smtp-sink: accept everything and throw it away; 1000 = listen backlog. Run as the invoking user (-u).
  const sinkArgs = ['-u', os.userInfo().username, `127.0.0.1:${port}`, '1000'];
  const sinkProc = spawn(sink, sinkArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  let sinkErr = '';
  sinkProc.stderr.on('data', (d: Buffer) => (sinkErr = (sinkErr + d.toString()).slice(-2000)));
  try {
    await waitForListener(port, 5000).catch((err: Error) => {
      throw new Error(`${err.message}; smtp-sink said: ${sinkErr.trim() || '(nothing)'}`);
    });
    // -d: keep the connection and send the next mail on it (several mails per connection, like Mailroom's load).
    const args = ['-d', '-s', String(CONCURRENCY), '-m', String(MAILS), '-l', String(size), '-f', 'customer@bench.test', '-t', SUPPORT, `127.0.0.1:${port}`];
    const runsMs: number[] = [];
    for (let i = 0; i < RAW_RUNS; i++) {
      const r = await run(source, args, Math.max(1000, deadline - Date.now()));
      if (r.code !== 0) throw new Error(`smtp-source exited ${r.code}: ${r.stderr.trim()}`);
      runsMs.push(round(r.ms));
    }
    const durationMs = median(runsMs);
    return {
      available: true,
      tool: 'smtp-source → smtp-sink',
      version,
      command: `smtp-sink ${sinkArgs.join(' ')} & smtp-source ${args.join(' ')}`,
      runsMs,
      durationMs,
      mailsPerSec: round((MAILS / durationMs) * 1000),
    };
  } finally {
    sinkProc.kill('SIGTERM');
  }
};

// ---- Mailroom: SMTP in → acknowledgement at the relay --------------------------------------------

interface MailroomResult {
  completed: boolean;
  sent: number;
  accepted: number;
  failed: number;
  firstError?: string;
  acknowledged: number;
  unmatchedAcks: number;
  /** First SMTP connection → last acknowledgement at the relay. */
  durationMs: number;
  mailsPerSec: number;
  /** First SMTP connection → last 250. */
  smtpAcceptDurationMs: number;
  smtpAcceptMailsPerSec: number;
  /** Per mail: its 250 → its acknowledgement caught by the relay. */
  latencyMs: LatencyStats | null;
  /** Last ack → every delivery recorded on its ticket and the queues empty (null: did not settle in time). */
  settleMs: number | null;
}

/**
 * After the last acknowledgement the notifier still reports each delivery back to the ticket
 * service; waits (bounded) until those are all recorded and no queue has messages waiting, so
 * that stopping the services does not cut work in flight.
 */
/** What the benchmark needs of the system it loads, however it runs. */
interface SystemUnderTest {
  smtpPort: number;
  namespace: string;
  relay: MailCatcher;
  close(): Promise<void>;
}

const settle = async (sys: SystemUnderTest, expected: number, timeoutMs: number): Promise<number | null> => {
  const t0 = Date.now();
  const db = new Client({ connectionString: DATABASE_URL });
  const conn = await amqpConnect(AMQP_URL);
  try {
    await db.connect();
    const ch = await conn.createChannel();
    const queues = LOCAL_SYSTEM_QUEUES.map((q) => `${sys.namespace}.${q.name}`);
    let quiet = 0;
    while (Date.now() - t0 < timeoutMs) {
      const delivered = Number(
        ((await db.query(`SELECT count(*) AS n FROM mailroom_events.messages WHERE type = 'ticket.notification_delivered'`)).rows[0] as { n: string }).n,
      );
      let waiting = 0;
      for (const q of queues) waiting += (await ch.checkQueue(q)).messageCount;
      quiet = delivered >= expected && waiting === 0 ? quiet + 1 : 0;
      if (quiet >= 3) return Date.now() - t0;
      await sleep(100);
    }
    return null;
  } finally {
    await db.end().catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
};

let system: SystemUnderTest | null = null;

const benchMailroom = async (deadline: number): Promise<MailroomResult> => {
  const where = PROCESSES === 'separate' ? 'as five processes' : 'in-process';
  say(`starting the five services ${where} (database ${new URL(DATABASE_URL).pathname.slice(1)}, namespace ${NAMESPACE})`);
  const common = { adminToken: 'bench-admin-token-0123456789', secret: 'bench-secret' };
  if (PROCESSES === 'separate') {
    const level = typeof LOG === 'string' && ['debug', 'info', 'warn', 'error'].includes(LOG) ? (LOG as 'debug' | 'info' | 'warn' | 'error') : LOG === 'verbose' ? 'debug' : 'error';
    system = await startSeparateProcesses({ databaseUrl: DATABASE_URL, amqpUrl: AMQP_URL, namespace: NAMESPACE, maxCaughtMails: MAILS * 2 + 100, logLevel: level, ...common });
  } else {
    const local = await startLocalSystem({
      database: { url: DATABASE_URL, dropOnClose: true },
      amqp: { url: AMQP_URL, namespace: NAMESPACE, deleteOnClose: true },
      relay: { catcher: { maxMessages: MAILS * 2 + 100 } },
      log: LOG,
      ...common,
    });
    system = { smtpPort: local.smtpPort, namespace: local.namespace, relay: local.relay!, close: () => local.close() };
  }
  const relay = system.relay;
  say(`sending ${MAILS} mails over ${CONCURRENCY} SMTP connections to 127.0.0.1:${system.smtpPort}`);

  const transport = createTransport({
    pool: true,
    host: '127.0.0.1',
    port: system.smtpPort,
    secure: false,
    ignoreTLS: true,
    maxConnections: CONCURRENCY,
    maxMessages: Infinity,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  const acceptedAt = new Map<string, number>(); // Message-ID → epoch ms of its 250
  let failed = 0;
  let firstError: string | undefined;
  let lastAccept = 0;
  const t0 = Date.now(); // the pool opens its first connection on the first sendMail
  const sends = Array.from({ length: MAILS }, (_, i) => {
    const mail = mailFor(i);
    return transport.sendMail(mail).then(
      () => {
        const now = Date.now();
        acceptedAt.set(mail.messageId, now);
        lastAccept = now;
      },
      (err: Error) => {
        failed++;
        firstError ??= err.message;
      },
    );
  });
  const allSent = Promise.all(sends);
  const sendTimedOut = await Promise.race([allSent.then(() => false), sleep(Math.max(0, deadline - Date.now())).then(() => true)]);
  transport.close();
  const smtpAcceptDurationMs = (lastAccept || Date.now()) - t0;
  say(`${acceptedAt.size} accepted (250), ${failed} failed, in ${smtpAcceptDurationMs} ms${sendTimedOut ? ' — timed out' : ''}; waiting for the acknowledgements`);

  // Acknowledgements: matched to the mails by In-Reply-To = the mail's Message-ID.
  const latencies: number[] = [];
  const seen = new Set<string>();
  let unmatched = 0;
  let scanned = 0;
  let lastAck = 0;
  let lastReport = Date.now();
  for (;;) {
    const msgs = relay.messages;
    for (; scanned < msgs.length; scanned++) {
      const ack = msgs[scanned];
      const sentAt = ack.inReplyTo ? acceptedAt.get(ack.inReplyTo) : undefined;
      if (sentAt === undefined || seen.has(ack.inReplyTo!)) {
        unmatched++;
        continue;
      }
      seen.add(ack.inReplyTo!);
      const at = ack.receivedAt.getTime();
      latencies.push(at - sentAt);
      lastAck = Math.max(lastAck, at);
    }
    if (seen.size >= acceptedAt.size || Date.now() > deadline) break;
    if (Date.now() - lastReport > 5000) {
      say(`  ${seen.size}/${acceptedAt.size} acknowledged`);
      lastReport = Date.now();
    }
    await sleep(20);
  }
  const completed = !sendTimedOut && failed === 0 && seen.size === MAILS;
  const durationMs = (lastAck || Date.now()) - t0;
  say(`${seen.size} acknowledged in ${durationMs} ms; letting the deliveries be recorded before stopping`);
  const settleMs = await settle(system, seen.size, Math.min(15_000, Math.max(1000, deadline + 30_000 - Date.now()))).catch((err: Error) => {
    say(`  could not check: ${err.message}`);
    return null;
  });
  return {
    completed,
    sent: MAILS,
    accepted: acceptedAt.size,
    failed,
    ...(firstError ? { firstError } : {}),
    acknowledged: seen.size,
    unmatchedAcks: unmatched,
    durationMs,
    mailsPerSec: round((seen.size / durationMs) * 1000),
    smtpAcceptDurationMs,
    smtpAcceptMailsPerSec: round((acceptedAt.size / smtpAcceptDurationMs) * 1000),
    latencyMs: stats(latencies),
    settleMs,
  };
};

// ---- report ---------------------------------------------------------------------------------------

const markdown = (r: Awaited<ReturnType<typeof main>>): string => {
  const m = r.mailroom;
  const raw = r.raw;
  const l = m?.latencyMs;
  const lines = [
    '# ingest-to-ack benchmark',
    '',
    `${r.date} · ${r.machine.cores} cores (${r.machine.cpuModel}) · ${r.machine.memoryGiB} GiB · Node ${r.machine.node} · PostgreSQL ${r.machine.postgres ?? '?'} · RabbitMQ ${r.machine.rabbitmq ?? '?'} · load average at start ${r.machine.loadAverageAtStart.join(' ')}`,
    '',
    `N = ${r.params.mails} mails of ${r.params.mailBytes} bytes, C = ${r.params.concurrency} SMTP connections (several mails per connection); services ${r.params.processes === 'separate' ? 'as five separate processes' : 'in one process'}. See bench/README.md.`,
    '',
    '| measure | value |',
    '|---|---|',
  ];
  if (m) {
    lines.push(
      `| Mailroom throughput, first SMTP connection → last ack at the relay | **${m.mailsPerSec} mails/s** (${m.acknowledged}/${m.sent} acknowledged in ${round(m.durationMs / 1000, 2)} s${m.completed ? '' : ', INCOMPLETE'}) |`,
      `| Mailroom SMTP acceptance alone, first connection → last 250 | ${m.smtpAcceptMailsPerSec} mails/s (${m.accepted} accepted, ${m.failed} failed) |`,
      `| Latency 250 → ack at the relay: p50 / p95 / p99 / max | ${l ? `${l.p50} / ${l.p95} / ${l.p99} / ${l.max} ms` : 'n/a'} |`,
      `| After the last ack: deliveries recorded, queues empty | ${m.settleMs === null ? 'did not settle within the bound' : `${m.settleMs} ms`} |`,
    );
  } else {
    lines.push(`| Mailroom | failed: ${r.error ?? 'unknown error'} |`);
  }
  if (raw.available) {
    lines.push(
      `| Raw SMTP: smtp-source → smtp-sink (median of ${raw.runsMs!.length}) | ${raw.mailsPerSec} mails/s (${raw.runsMs!.join(', ')} ms) |`,
      `| Ratio Mailroom end-to-end / raw SMTP | ${r.ratio.endToEndVsRaw ?? 'n/a'} |`,
      `| Ratio Mailroom SMTP acceptance / raw SMTP | ${r.ratio.smtpAcceptVsRaw ?? 'n/a'} |`,
    );
  } else {
    lines.push(`| Raw SMTP: smtp-source → smtp-sink | not measured: ${raw.note} |`);
  }
  lines.push('');
  return lines.join('\n');
};

const main = async () => {
  const started = Date.now();
  const deadline = started + TIMEOUT_MS;
  const machine = await machineInfo();
  const size = await mailSize();
  say(`${MAILS} mails × ${size} bytes, ${CONCURRENCY} connections, timeout ${TIMEOUT_MS / 1000} s; ${machine.cores} cores, Node ${machine.node}`);

  say('raw SMTP baseline: smtp-source → smtp-sink');
  let raw: RawResult;
  try {
    raw = await rawSmtp(size, deadline);
  } catch (err) {
    raw = { available: false, note: `failed: ${(err as Error).message}` };
  }
  say(raw.available ? `  ${raw.mailsPerSec} mails/s (runs: ${raw.runsMs!.join(', ')} ms)` : `  ${raw.note}`);

  let mailroom: MailroomResult | null = null;
  let error: string | undefined;
  try {
    mailroom = await benchMailroom(deadline);
  } catch (err) {
    error = (err as Error).stack ?? String(err);
  }
  return {
    benchmark: 'ingest-to-ack',
    date: new Date(started).toISOString(),
    machine,
    params: { mails: MAILS, concurrency: CONCURRENCY, mailBytes: size, timeoutS: TIMEOUT_MS / 1000, processes: PROCESSES },
    mailroom,
    ...(error ? { error } : {}),
    raw,
    ratio: {
      endToEndVsRaw: mailroom && raw.mailsPerSec ? round(mailroom.mailsPerSec / raw.mailsPerSec, 4) : null,
      smtpAcceptVsRaw: mailroom && raw.mailsPerSec ? round(mailroom.smtpAcceptMailsPerSec / raw.mailsPerSec, 4) : null,
    },
  };
};

const cleanup = async (): Promise<void> => {
  if (system) {
    const s = system;
    system = null;
    say('stopping the services, dropping the database, deleting the namespace');
    await s.close().catch((err: Error) => say(`cleanup: ${err.message}`));
  } else {
    // Nothing running (or it never started): make sure nothing is left behind either way.
    await dropDatabase(DATABASE_URL).catch(() => undefined);
    await deleteNamespace(AMQP_URL, NAMESPACE).catch(() => undefined);
  }
};

// A hard stop in case something hangs past the timeout, cleanup included.
const hardStop = setTimeout(() => {
  say(`hard timeout after ${TIMEOUT_MS / 1000 + 60} s; exiting`);
  process.exit(2);
}, TIMEOUT_MS + 60_000);
hardStop.unref();

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    say(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(async (result) => {
    await cleanup();
    mkdirSync(RESULTS_DIR, { recursive: true });
    const name = PROCESSES === 'separate' ? 'ingest-to-ack-separate' : 'ingest-to-ack';
    const json = path.join(RESULTS_DIR, `${name}.json`);
    const md = path.join(RESULTS_DIR, `${name}.md`);
    writeFileSync(json, JSON.stringify(result, null, 2) + '\n');
    writeFileSync(md, markdown(result));
    process.stdout.write('\n' + markdown(result) + '\n');
    say(`wrote ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), md)}`);
    process.exit(result.mailroom?.completed ? 0 : 1);
  })
  .catch(async (err: Error) => {
    say(`failed: ${err.stack ?? err.message}`);
    await cleanup();
    process.exit(1);
  });

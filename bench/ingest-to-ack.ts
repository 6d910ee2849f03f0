// Benchmark: customer mail in over SMTP → ticket → acknowledgement out at the relay, on real
// PostgreSQL and RabbitMQ, told whole (issue 8): in one invocation and under one load generator,
// Postfix's smtp-source → smtp-sink (the raw SMTP ceiling), a naive single-process email channel
// (bench/naive-baseline.ts, nothing durable), Mailroom with one process per service, and Mailroom
// with three replicas of each. For Mailroom it counts, per new-ticket mail, PostgreSQL
// transactions, log rows, broker messages and CPU seconds per process. See bench/README.md.
//
//   npm run bench                        N=1000 mails from 100 senders over 20 connections
//   BENCH_MAILS=100 npm run bench        a quick try-out
//
// Settings (environment): BENCH_MAILS (1000), BENCH_SENDERS (100), BENCH_CONCURRENCY (20),
// BENCH_AGENTS (4), BENCH_REPLICAS (3; 1 skips the replica run), BENCH_PACED_MAILS (= BENCH_MAILS;
// 0 skips the paced runs), BENCH_PROCESSES (separate|one, default separate), BENCH_TIMEOUT_S (900,
// the whole run), BENCH_DATABASE_SERVER (postgres://postgres@127.0.0.1:5432), AMQP_URL
// (amqp://guest:guest@127.0.0.1:5672), BENCH_LOG (quiet|verbose|info|warn|error, default warn),
// BENCH_RESULTS_DIR (bench/results), BENCH_RESULTS_NAME (ingest-to-ack).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect as amqpConnect } from 'amqplib';
import { Client } from 'pg';
import { deleteNamespace, dropDatabase, LOCAL_SYSTEM_QUEUES, startLocalSystem, type LocalSystemLog } from '@mailroom/local-system';
import { startMailCatcher, type MailCatcher } from '@mailroom/mail-catcher';
import { brokerCounters } from '@mailroom/messaging';
import { delta, median, orderViolations, pacedRate, perMail, round, shares, type LatencyStats } from './lib/figures';
import { collectAcks, endToEndRate, mailSize, sendLoad, SUPPORT, type LoadResult } from './lib/load';
import { cpuSeconds, postgresCpuSeconds, rabbitmqCpuSeconds } from './lib/proc';
import { startSeparateProcesses, type BrokerCounts, type ServiceProcess } from './separate-processes';

const int = (name: string, fallback: number, min = 1): number => {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return n;
};

const MAILS = int('BENCH_MAILS', 1000);
const SENDERS = Math.min(MAILS, int('BENCH_SENDERS', 100));
const CONCURRENCY = int('BENCH_CONCURRENCY', 20);
const AGENTS = int('BENCH_AGENTS', 4, 0);
const REPLICAS = int('BENCH_REPLICAS', 3);
const PACED_MAILS = int('BENCH_PACED_MAILS', MAILS, 0);
const TIMEOUT_MS = int('BENCH_TIMEOUT_S', 900) * 1000;
const DB_SERVER = (process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const LOG = (process.env.BENCH_LOG ?? 'warn') as LocalSystemLog;
/** `separate`: a process per service, as deployed (default); `one`: the five services in this process. */
const PROCESSES = (process.env.BENCH_PROCESSES ?? 'separate').trim();
if (PROCESSES !== 'one' && PROCESSES !== 'separate') throw new Error(`BENCH_PROCESSES must be one or separate, got "${PROCESSES}"`);
const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? path.join(__dirname, '..', '..', 'bench', 'results');
const RESULTS_NAME = process.env.BENCH_RESULTS_NAME ?? (PROCESSES === 'one' ? 'ingest-to-ack-one-process' : 'ingest-to-ack');
const RAW_RUNS = 5;
/** Half the sustained rate: the paced runs' offered load. */
const PACED_FRACTION = 0.5;
/**
 * PostgreSQL 15 flushes an idle backend's transaction counts to pg_stat_database up to 10 s late
 * (PGSTAT_IDLE_INTERVAL): counts are read that long after the work stopped.
 */
const STATS_FLUSH_MS = 11_000;
/** Before the load: how long the idle system's own transactions (pollers) are counted, to net them out. */
const IDLE_WINDOW_MS = 5_000;

const RUN_ID = `${process.pid}_${randomBytes(3).toString('hex')}`;
const ADMIN_EMAIL = 'admin@mailroom.test';
const ADMIN_TOKEN = 'bench-admin-token-0123456789';

const say = (line: string): void => void process.stdout.write(`[bench] ${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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

// ---- phases: one load, measured at the relay --------------------------------------------------------

interface PhaseResult {
  completed: boolean;
  offeredMailsPerSec: number | null;
  sent: number;
  accepted: number;
  failed: number;
  firstError?: string;
  acknowledged: number;
  /** First SMTP connection → last acknowledgement at the relay. */
  durationMs: number;
  mailsPerSec: number;
  /** First SMTP connection → last 250. */
  smtpAcceptMailsPerSec: number;
  /** Per mail: its 250 → its acknowledgement caught by the relay. */
  latencyMs: LatencyStats | null;
}

/** Sends one phase's mails (a burst when rate is null, else paced) and waits for their acknowledgements. */
const runPhase = async (name: string, ports: number[], relay: MailCatcher, mails: number, rate: number | null, deadline: number): Promise<PhaseResult & { load: LoadResult }> => {
  const fromIndex = relay.messages.length;
  say(`${name}: ${mails} mails ${rate === null ? 'at once' : `at ${rate}/s`} over ${CONCURRENCY} connections to ${ports.map((p) => `:${p}`).join(' ')}`);
  const load = await sendLoad({ run: `${RUN_ID}-${name.replace(/[^a-z0-9]+/gi, '-')}`, mails, senders: SENDERS, concurrency: CONCURRENCY, ports, ratePerSec: rate, deadline });
  const acceptMs = Math.max(1, (load.lastAcceptAt || Date.now()) - load.startedAt);
  say(`  ${load.acceptedAt.size} accepted, ${load.failed} failed in ${acceptMs} ms; waiting for the acknowledgements`);
  const acks = await collectAcks(relay, load, fromIndex, deadline, say);
  const { durationMs, mailsPerSec } = endToEndRate(load, acks);
  say(`  ${acks.acknowledged} acknowledged in ${durationMs} ms: ${mailsPerSec} mails/s`);
  return {
    load,
    completed: !load.timedOut && load.failed === 0 && acks.acknowledged === mails,
    offeredMailsPerSec: rate,
    sent: mails,
    accepted: load.acceptedAt.size,
    failed: load.failed,
    ...(load.firstError ? { firstError: load.firstError } : {}),
    acknowledged: acks.acknowledged,
    durationMs,
    mailsPerSec,
    smtpAcceptMailsPerSec: round((load.acceptedAt.size / acceptMs) * 1000),
    latencyMs: acks.latencyMs,
  };
};

const strip = ({ load: _load, ...phase }: PhaseResult & { load: LoadResult }): PhaseResult => phase;

// ---- the naive baseline -------------------------------------------------------------------------------

interface NaiveResult {
  burst: PhaseResult;
  paced: PhaseResult | null;
  /** CPU seconds of the naive process during the burst, and per mail. */
  cpuSeconds: number | null;
  cpuMsPerMail: number | null;
}

let naiveProc: ChildProcess | null = null;

const benchNaive = async (deadline: number): Promise<NaiveResult> => {
  const relay = await startMailCatcher({ smtpPort: 0, maxMessages: (MAILS + PACED_MAILS) * 2 + 100 });
  try {
    const proc = spawn(process.execPath, ['-r', './scripts/runtime-paths.js', 'dist/bench/naive-baseline.js'], {
      cwd: path.join(__dirname, '..', '..'),
      env: { ...process.env, NAIVE_RELAY: `smtp://127.0.0.1:${relay.smtpPort}` },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    naiveProc = proc;
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the naive baseline did not start in 30 s')), 30_000);
      proc.once('exit', (code) => reject(new Error(`the naive baseline exited with ${code}`)));
      proc.on('message', (m: { type?: string; port?: number }) => m?.type === 'listening' && (clearTimeout(t), resolve(m.port!)));
    });
    const cpu0 = cpuSeconds(proc.pid!);
    const burst = await runPhase('naive burst', [port], relay, MAILS, null, deadline);
    const cpu1 = cpuSeconds(proc.pid!);
    const cpu = cpu0 !== null && cpu1 !== null ? round(cpu1 - cpu0, 2) : null;
    const paced = PACED_MAILS > 0 ? strip(await runPhase('naive paced', [port], relay, PACED_MAILS, pacedRate(burst.mailsPerSec, PACED_FRACTION), deadline)) : null;
    return { burst: strip(burst), paced, cpuSeconds: cpu, cpuMsPerMail: cpu === null ? null : perMail(cpu * 1000, burst.acknowledged, 2) };
  } finally {
    naiveProc?.kill('SIGTERM');
    naiveProc = null;
    await relay.close();
  }
};

// ---- Mailroom -------------------------------------------------------------------------------------

/** What the benchmark needs of the system it loads, however it runs. */
interface SystemUnderTest {
  databaseUrl: string;
  smtpPorts: number[];
  apiBase: string;
  namespace: string;
  relay: MailCatcher;
  processes: ServiceProcess[];
  brokerCounts(): Promise<Record<string, BrokerCounts>>;
  close(): Promise<void>;
}

const systems = new Set<SystemUnderTest>();

const startSystem = async (replicas: number, tag: string): Promise<SystemUnderTest> => {
  const databaseUrl = `${DB_SERVER}/mailroom_bench_${process.pid}_${tag}`;
  const namespace = `mrbench.${RUN_ID}.${tag}`;
  const maxCaughtMails = (MAILS + PACED_MAILS) * (AGENTS + 3) + 100;
  say(`starting Mailroom: ${replicas === 1 ? 'one process per service' : `${replicas} processes per service`}${PROCESSES === 'one' ? ' (all in this process)' : ''} — database ${new URL(databaseUrl).pathname.slice(1)}, namespace ${namespace}`);
  const common = { adminToken: ADMIN_TOKEN, secret: 'bench-secret' };
  let sys: SystemUnderTest;
  if (PROCESSES === 'separate') {
    const level = typeof LOG === 'string' && ['debug', 'info', 'warn', 'error'].includes(LOG) ? (LOG as 'debug' | 'info' | 'warn' | 'error') : LOG === 'verbose' ? 'debug' : 'error';
    const s = await startSeparateProcesses({ databaseUrl, amqpUrl: AMQP_URL, namespace, maxCaughtMails, logLevel: level, replicas, ...common });
    sys = { databaseUrl, ...s };
  } else {
    const local = await startLocalSystem({
      database: { url: databaseUrl, dropOnClose: true },
      amqp: { url: AMQP_URL, namespace, deleteOnClose: true },
      relay: { catcher: { maxMessages: maxCaughtMails } },
      log: LOG,
      ...common,
    });
    sys = {
      databaseUrl,
      smtpPorts: [local.smtpPort],
      apiBase: local.apiBase,
      namespace: local.namespace,
      relay: local.relay!,
      // One process: the services, the load generator and the relay share this pid and its CPU.
      processes: [{ name: 'bench (services + load + relay)', service: 'all', replica: 1, pid: process.pid }],
      brokerCounts: async () => ({ 'bench (services + load + relay)': { published: brokerCounters.published, delivered: { ...brokerCounters.delivered } } }),
      close: () => local.close(),
    };
  }
  systems.add(sys);
  // 4 agents and the admin, as the load's account has: "Notify all agents of received request" mails each.
  const auth = 'Basic ' + Buffer.from(`${ADMIN_EMAIL}/token:${ADMIN_TOKEN}`).toString('base64');
  for (let a = 1; a <= AGENTS; a++) {
    const res = await fetch(`${sys.apiBase}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ user: { name: `Agent ${a}`, email: `agent${a}@mailroom.test`, role: 'agent' } }),
    });
    if (res.status !== 201 && res.status !== 200) throw new Error(`creating agent ${a}: HTTP ${res.status} ${await res.text()}`);
  }
  return sys;
};

const stopSystem = async (sys: SystemUnderTest): Promise<void> => {
  systems.delete(sys);
  await sys.close().catch((err: Error) => say(`cleanup: ${err.message}`));
};

/** Reads of the system's database by the benchmark itself: counted, so its own transactions are taken out. */
class Observer {
  private readonly db: Client;
  private readonly server: Client;
  /** Transactions this observer ran on the bench database (each query outside a transaction is one). */
  ownTransactions = 0;

  constructor(private readonly sys: SystemUnderTest) {
    this.db = new Client({ connectionString: sys.databaseUrl });
    // pg_stat_database is read from another database, so reading it adds nothing to the count.
    this.server = new Client({ connectionString: `${DB_SERVER}/postgres` });
    // Dropping the database at the end ends these connections: expected, not a crash.
    this.db.on('error', () => undefined);
    this.server.on('error', () => undefined);
  }

  async open(): Promise<void> {
    await this.db.connect();
    await this.server.connect();
  }

  async close(): Promise<void> {
    await this.db.end().catch(() => undefined);
    await this.server.end().catch(() => undefined);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.ownTransactions++;
    return (await this.db.query(sql, params)).rows as T[];
  }

  /** xact_commit + xact_rollback of the bench database, and its backends' pids (for their CPU). */
  async transactions(): Promise<{ xacts: number; backends: number[] }> {
    await this.server.query('SELECT pg_stat_clear_snapshot()');
    const name = new URL(this.sys.databaseUrl).pathname.slice(1);
    const [row] = (await this.server.query(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1`, [name])).rows as { n: string }[];
    const pids = (await this.server.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name])).rows as { pid: number }[];
    return { xacts: Number(row?.n ?? 0), backends: pids.map((p) => p.pid).filter((p) => p !== this.dbPid) };
  }

  private dbPid = 0;
  async rememberOwnPid(): Promise<void> {
    const [r] = (await this.db.query('SELECT pg_backend_pid() AS pid')).rows as { pid: number }[];
    this.ownTransactions++;
    this.dbPid = r.pid;
  }

  async logRows(): Promise<{ rows: number; ticketsCreated: number }> {
    const [r] = await this.query<{ rows: string; created: string }>(
      `SELECT count(*) AS rows, count(*) FILTER (WHERE type = 'ticket.created') AS created FROM mailroom_events.messages`,
    );
    return { rows: Number(r.rows), ticketsCreated: Number(r.created) };
  }

  /** Waits (bounded) until every delivery is recorded and no queue has messages waiting, so stopping cuts no work in flight. */
  async settle(timeoutMs: number): Promise<number | null> {
    const t0 = Date.now();
    const conn = await amqpConnect(AMQP_URL);
    try {
      const ch = await conn.createChannel();
      const queues = LOCAL_SYSTEM_QUEUES.map((q) => `${this.sys.namespace}.${q.name}`);
      let quiet = 0;
      let last = -1;
      while (Date.now() - t0 < timeoutMs) {
        const [r] = await this.query<{ n: string }>(`SELECT count(*) AS n FROM mailroom_events.messages WHERE type = 'ticket.notification_delivered'`);
        let waiting = 0;
        for (const q of queues) waiting += (await ch.checkQueue(q)).messageCount;
        const delivered = Number(r.n);
        quiet = waiting === 0 && delivered === last ? quiet + 1 : 0;
        last = delivered;
        if (quiet >= 5) return Date.now() - t0;
        await sleep(200);
      }
      return null;
    } finally {
      await conn.close().catch(() => undefined);
    }
  }
}

interface Snapshot {
  at: number;
  cpu: Record<string, number | null>;
  backends: Record<string, number | null>;
  postgres: number | null;
  rabbitmq: number | null;
  broker: Record<string, BrokerCounts>;
}

const snapshot = async (sys: SystemUnderTest, obs: Observer): Promise<Snapshot> => {
  const { backends } = await obs.transactions();
  return {
    at: Date.now(),
    cpu: Object.fromEntries(sys.processes.map((p) => [p.name, cpuSeconds(p.pid)])),
    backends: Object.fromEntries(backends.map((p) => [String(p), cpuSeconds(p)])),
    postgres: postgresCpuSeconds(),
    rabbitmq: rabbitmqCpuSeconds(),
    broker: await sys.brokerCounts(),
  };
};

interface Counters {
  /** Tickets the burst created (ticket.created in the log): the denominator of every per-mail figure. */
  newTickets: number;
  postgres: {
    /** Δ(xact_commit + xact_rollback) of the bench database, the benchmark's own reads taken out. */
    transactions: number;
    perMail: number | null;
    /** The same less what the idle system's pollers commit over as long (measured before the load). */
    netOfIdlePerMail: number | null;
    idleTransactionsPerSec: number;
  };
  logRows: { total: number; perMail: number | null };
  broker: { published: number; delivered: number; publishedPerMail: number | null; deliveredPerMail: number | null; deliveredByConsumer: Record<string, number> };
  cpuSeconds: {
    /** Per Mailroom process. */
    processes: Record<string, number | null>;
    mailroomTotal: number;
    mailroomMsPerMail: number | null;
    /** The bench database's backends alive at the end (pg_stat_activity), the part of PostgreSQL this run used. */
    postgresBackendsOfThisDatabase: number;
    /** Every postgres process, ended backends included: the whole server, other users' work too. */
    postgresAll: number | null;
    /** beam.smp: the whole broker, other users' queues too. */
    rabbitmqAll: number | null;
  };
  perProcess: Record<string, { published: number; delivered: number; deliveredByConsumer: Record<string, number> }>;
}

const counters = (before: Snapshot, after: Snapshot, xacts: number, idleRate: number, xactWindowMs: number, logRows: number, newTickets: number): Counters => {
  const perProcess: Counters['perProcess'] = {};
  const byConsumer: Record<string, number> = {};
  let published = 0;
  for (const [name, c] of Object.entries(after.broker)) {
    const d = delta(before.broker[name]?.delivered ?? {}, c.delivered);
    const pub = c.published - (before.broker[name]?.published ?? 0);
    perProcess[name] = { published: pub, delivered: Object.values(d).reduce((a, b) => a + b, 0), deliveredByConsumer: d };
    published += pub;
    for (const [k, v] of Object.entries(d)) byConsumer[k] = (byConsumer[k] ?? 0) + v;
  }
  const delivered = Object.values(byConsumer).reduce((a, b) => a + b, 0);
  const cpu = Object.fromEntries(Object.entries(after.cpu).map(([k, v]) => [k, v !== null && before.cpu[k] !== null ? round(v - before.cpu[k]!, 2) : null]));
  const mailroomTotal = round(Object.values(cpu).reduce<number>((a, b) => a + (b ?? 0), 0), 2);
  const backends = round(Object.entries(after.backends).reduce((a, [pid, v]) => a + (v ?? 0) - (before.backends[pid] ?? 0), 0), 2);
  const diff = (a: number | null, b: number | null): number | null => (a !== null && b !== null ? round(a - b, 2) : null);
  return {
    newTickets,
    postgres: {
      transactions: xacts,
      perMail: perMail(xacts, newTickets),
      netOfIdlePerMail: perMail(xacts - idleRate * (xactWindowMs / 1000), newTickets),
      idleTransactionsPerSec: round(idleRate),
    },
    logRows: { total: logRows, perMail: perMail(logRows, newTickets) },
    broker: { published, delivered, publishedPerMail: perMail(published, newTickets), deliveredPerMail: perMail(delivered, newTickets), deliveredByConsumer: byConsumer },
    cpuSeconds: {
      processes: cpu,
      mailroomTotal,
      mailroomMsPerMail: perMail(mailroomTotal * 1000, newTickets),
      postgresBackendsOfThisDatabase: backends,
      postgresAll: diff(after.postgres, before.postgres),
      rabbitmqAll: diff(after.rabbitmq, before.rabbitmq),
    },
    perProcess,
  };
};

interface OrderCheck {
  /** Consumer → tickets (streams) it handled, messages it handled, streams seen out of version order, streams with ties. */
  byConsumer: Record<string, { streams: number; messages: number; outOfOrder: number; ambiguous: number }>;
  held: boolean;
  method: string;
}

/**
 * Per-ticket order from the inbox: every consumer writes its inbox row in the transaction that
 * handles the message, stamped with that transaction's start time; a stream's next message is only
 * begun once the previous one committed, so in handling order the stream versions must increase.
 */
const checkOrder = async (obs: Observer): Promise<OrderCheck> => {
  const rows = await obs.query<{ consumer: string; stream_id: string; stream_version: string; at: number }>(
    `SELECT i.consumer, m.stream_id, m.stream_version, extract(epoch FROM i.processed_at) * 1000000 AS at
       FROM mailroom_events.inbox i JOIN mailroom_events.messages m ON m.message_id = i.message_id
      ORDER BY i.consumer, i.processed_at, m.global_position`,
  );
  const groups = new Map<string, { stream: string; version: number; at: number }[]>();
  for (const r of rows) {
    const list = groups.get(r.consumer) ?? [];
    list.push({ stream: r.stream_id, version: Number(r.stream_version), at: Number(r.at) });
    groups.set(r.consumer, list);
  }
  const byConsumer: OrderCheck['byConsumer'] = {};
  for (const [consumer, list] of groups) {
    const v = orderViolations(list);
    byConsumer[consumer] = { streams: new Set(list.map((l) => l.stream)).size, messages: list.length, outOfOrder: v.outOfOrder.length, ambiguous: v.ambiguous.length };
  }
  return {
    byConsumer,
    held: Object.values(byConsumer).every((c) => c.outOfOrder === 0),
    method: "inbox rows (one per handled message, in the handling transaction) joined to the log; per consumer and ticket, ordered by processed_at (the transaction's start): stream_version must increase",
  };
};

interface MailroomResult {
  replicas: number;
  burst: PhaseResult;
  settleMs: number | null;
  counters: Counters;
  paced: PhaseResult | null;
  /** Replica runs: each process's share of the deliveries of its service, in percent. */
  shares?: Record<string, Record<string, number>>;
  order?: OrderCheck;
}

const benchMailroom = async (replicas: number, paced: boolean, deadline: number): Promise<MailroomResult> => {
  const sys = await startSystem(replicas, replicas === 1 ? 'r1' : `r${replicas}`);
  const obs = new Observer(sys);
  try {
    await obs.open();
    await obs.rememberOwnPid();
    // Let start-up's counts reach pg_stat_database, then measure what the idle system commits.
    await sleep(STATS_FLUSH_MS);
    const idle0 = await obs.transactions();
    const own0 = obs.ownTransactions;
    await sleep(IDLE_WINDOW_MS);
    const idle1 = await obs.transactions();
    const idleRate = Math.max(0, idle1.xacts - idle0.xacts - (obs.ownTransactions - own0)) / (IDLE_WINDOW_MS / 1000);
    const log0 = await obs.logRows();
    const before = await snapshot(sys, obs);
    const xact0 = { xacts: idle1.xacts, own: obs.ownTransactions, at: Date.now() };

    const burst = await runPhase(replicas === 1 ? 'mailroom burst' : `mailroom ×${replicas} burst`, sys.smtpPorts, sys.relay, MAILS, null, deadline);
    say('  letting the deliveries be recorded and the queues drain');
    const settleMs = await obs.settle(Math.min(60_000, Math.max(1000, deadline + 30_000 - Date.now())));
    const after = await snapshot(sys, obs);
    const log1 = await obs.logRows();
    say(`  waiting ${STATS_FLUSH_MS / 1000} s for PostgreSQL's transaction counts`);
    await sleep(STATS_FLUSH_MS);
    const xact1 = await obs.transactions();
    const xacts = xact1.xacts - xact0.xacts - (obs.ownTransactions - xact0.own);
    const c = counters(before, after, xacts, idleRate, Date.now() - xact0.at, log1.rows - log0.rows, log1.ticketsCreated - log0.ticketsCreated);
    say(`  per new ticket: ${c.postgres.perMail} transactions, ${c.logRows.perMail} log rows, ${c.broker.publishedPerMail} published / ${c.broker.deliveredPerMail} delivered, ${c.cpuSeconds.mailroomMsPerMail} ms Mailroom CPU`);

    const result: MailroomResult = { replicas, burst: strip(burst), settleMs, counters: c, paced: null };
    if (replicas > 1) {
      const byService = new Map<string, Record<string, number>>();
      for (const p of sys.processes) {
        const m = byService.get(p.service) ?? {};
        m[p.name] = c.perProcess[p.name]?.delivered ?? 0;
        byService.set(p.service, m);
      }
      result.shares = Object.fromEntries([...byService].map(([s, m]) => [s, shares(m)]));
      result.order = await checkOrder(obs);
      say(`  shares of deliveries: ${JSON.stringify(result.shares)}; per-ticket order ${result.order.held ? 'held' : 'BROKEN'}`);
    }
    if (paced && PACED_MAILS > 0) {
      result.paced = strip(await runPhase('mailroom paced', sys.smtpPorts, sys.relay, PACED_MAILS, pacedRate(burst.mailsPerSec, PACED_FRACTION), deadline));
      await obs.settle(Math.min(60_000, Math.max(1000, deadline + 30_000 - Date.now())));
    }
    return result;
  } finally {
    await obs.close();
    say('stopping Mailroom, dropping its database and namespace');
    await stopSystem(sys);
  }
};

// ---- report ---------------------------------------------------------------------------------------

const ms = (l: LatencyStats | null | undefined): string => (l ? `${l.p50} / ${l.p95} / ${l.p99} / ${l.max} ms` : 'n/a');
const n = (v: number | null | undefined, unit = ''): string => (v === null || v === undefined ? 'n/a' : `${v}${unit}`);

const markdown = (r: Awaited<ReturnType<typeof main>>): string => {
  const m = r.mailroom;
  const nv = r.naive;
  const raw = r.raw;
  const x = r.replicated;
  const lines = [
    '# ingest-to-ack benchmark',
    '',
    `${r.date} · ${r.machine.cores} cores (${r.machine.cpuModel}) · ${r.machine.memoryGiB} GiB · Node ${r.machine.node} · PostgreSQL ${r.machine.postgres ?? '?'} · RabbitMQ ${r.machine.rabbitmq ?? '?'} · load average at start ${r.machine.loadAverageAtStart.join(' ')}, at end ${r.loadAverageAtEnd.join(' ')}`,
    '',
    `Load: ${r.params.mails} mails (${r.params.mailBytes} bytes) from ${r.params.senders} senders, each a new ticket, over ${r.params.concurrency} SMTP connections (several mails per connection); ${r.params.agents} agents and the admin; the standard triggers as shipped. Mailroom ${r.params.processes === 'separate' ? 'as one process per service' : 'in one process'}. The same load generator, in this process, for every system. See bench/README.md.`,
    '',
    '## Throughput (burst: all mails queued at once)',
    '',
    '| system | mails/s end to end | SMTP acceptance | vs naive | vs smtp-sink |',
    '|---|---|---|---|---|',
  ];
  if (raw.available) lines.push(`| smtp-source → smtp-sink (median of ${raw.runsMs!.length}) | ${raw.mailsPerSec} | — | — | 1 |`);
  else lines.push(`| smtp-source → smtp-sink | not measured: ${raw.note} | | | |`);
  if (nv) lines.push(`| naive single process (nothing durable) | **${nv.burst.mailsPerSec}**${nv.burst.completed ? '' : ' INCOMPLETE'} | ${nv.burst.smtpAcceptMailsPerSec} | 1 | ${n(r.ratio.naiveVsRaw)} |`);
  else lines.push(`| naive single process | failed: ${r.naiveError ?? '?'} | | | |`);
  if (m) lines.push(`| Mailroom, one process per service | **${m.burst.mailsPerSec}**${m.burst.completed ? '' : ' INCOMPLETE'} | ${m.burst.smtpAcceptMailsPerSec} | ${n(r.ratio.mailroomVsNaive)} | ${n(r.ratio.mailroomVsRaw)} |`);
  else lines.push(`| Mailroom | failed: ${r.error ?? '?'} | | | |`);
  if (x) lines.push(`| Mailroom, ${x.replicas} replicas of each service | **${x.burst.mailsPerSec}**${x.burst.completed ? '' : ' INCOMPLETE'} | ${x.burst.smtpAcceptMailsPerSec} | ${n(r.ratio.replicatedVsNaive)} | ${n(r.ratio.replicatedVsRaw)} |`);
  else if (r.replicatedError) lines.push(`| Mailroom, replicas | failed: ${r.replicatedError} | | | |`);
  lines.push('', `## Latency at half the sustained rate (paced; 250 → acknowledgement at the relay: p50 / p95 / p99 / max)`, '');
  lines.push('| system | offered | latency |', '|---|---|---|');
  if (nv?.paced) lines.push(`| naive | ${nv.paced.offeredMailsPerSec}/s, ${nv.paced.acknowledged}/${nv.paced.sent} acknowledged | ${ms(nv.paced.latencyMs)} |`);
  if (m?.paced) lines.push(`| Mailroom | ${m.paced.offeredMailsPerSec}/s, ${m.paced.acknowledged}/${m.paced.sent} acknowledged | ${ms(m.paced.latencyMs)} |`);
  lines.push('', `Under the burst (mostly queueing): naive ${ms(nv?.burst.latencyMs)}; Mailroom ${ms(m?.burst.latencyMs)}.`);
  if (m) {
    const c = m.counters;
    lines.push(
      '',
      `## Work per new-ticket mail (Mailroom burst, ${c.newTickets} tickets created)`,
      '',
      '| counter | total | per mail | source |',
      '|---|---|---|---|',
      `| PostgreSQL transactions | ${c.postgres.transactions} | **${n(c.postgres.perMail)}** (${n(c.postgres.netOfIdlePerMail)} without the idle pollers' ${c.postgres.idleTransactionsPerSec}/s) | pg_stat_database xact_commit + xact_rollback of the bench database, before/after, the benchmark's own reads taken out |`,
      `| log rows | ${c.logRows.total} | **${n(c.logRows.perMail)}** | count of mailroom_events.messages |`,
      `| broker messages published | ${c.broker.published} | **${n(c.broker.publishedPerMail)}** | each process's Broker (confirmed publishes, retries included), over IPC |`,
      `| broker messages delivered | ${c.broker.delivered} | **${n(c.broker.deliveredPerMail)}** | each process's Broker: ${Object.entries(c.broker.deliveredByConsumer).map(([k, v]) => `${k} ${v}`).join(', ')} |`,
      `| CPU, Mailroom processes | ${c.cpuSeconds.mailroomTotal} s | **${n(c.cpuSeconds.mailroomMsPerMail)} ms** | /proc/<pid>/stat utime + stime |`,
      `| CPU, PostgreSQL backends of the bench database | ${c.cpuSeconds.postgresBackendsOfThisDatabase} s | ${n(perMail(c.cpuSeconds.postgresBackendsOfThisDatabase * 1000, c.newTickets))} ms | /proc of pg_stat_activity's pids |`,
      `| CPU, all of PostgreSQL | ${n(c.cpuSeconds.postgresAll, ' s')} | ${n(c.cpuSeconds.postgresAll === null ? null : perMail(c.cpuSeconds.postgresAll * 1000, c.newTickets))} ms | every postgres process + the postmaster's ended children (includes other users of the server) |`,
      `| CPU, all of RabbitMQ | ${n(c.cpuSeconds.rabbitmqAll, ' s')} | ${n(c.cpuSeconds.rabbitmqAll === null ? null : perMail(c.cpuSeconds.rabbitmqAll * 1000, c.newTickets))} ms | beam.smp (includes other users of the broker) |`,
      '',
      `CPU seconds per Mailroom process during the burst: ${Object.entries(c.cpuSeconds.processes).map(([k, v]) => `${k} ${n(v)}`).join(', ')}. Naive process: ${n(nv?.cpuSeconds, ' s')} (${n(nv?.cpuMsPerMail)} ms per mail).`,
    );
  }
  if (x) {
    const c = x.counters;
    lines.push('', `## ${x.replicas} replicas of each service`, '', `${x.burst.mailsPerSec} mails/s end to end, ${c.newTickets} tickets; per mail ${n(c.postgres.perMail)} transactions, ${n(c.logRows.perMail)} log rows, ${n(c.broker.publishedPerMail)} published / ${n(c.broker.deliveredPerMail)} delivered, ${n(c.cpuSeconds.mailroomMsPerMail)} ms Mailroom CPU.`, '');
    lines.push('| process | deliveries | share of its service | published | CPU s |', '|---|---|---|---|---|');
    for (const sh of Object.values(x.shares ?? {})) {
      for (const [proc, pct] of Object.entries(sh)) lines.push(`| ${proc} | ${c.perProcess[proc]?.delivered ?? 0} | ${pct}% | ${c.perProcess[proc]?.published ?? 0} | ${n(c.cpuSeconds.processes[proc])} |`);
    }
    if (x.order) {
      lines.push('', `Per-ticket order ${x.order.held ? '**held**' : '**BROKEN**'} (${x.order.method}):`, '');
      lines.push('| consumer | tickets | messages | out of order | same timestamp |', '|---|---|---|---|---|');
      for (const [k, v] of Object.entries(x.order.byConsumer)) lines.push(`| ${k} | ${v.streams} | ${v.messages} | ${v.outOfOrder} | ${v.ambiguous} |`);
    }
  }
  lines.push('');
  return lines.join('\n');
};

const main = async () => {
  const started = Date.now();
  const deadline = started + TIMEOUT_MS;
  const machine = await machineInfo();
  const size = await mailSize(RUN_ID);
  say(`${MAILS} mails × ${size} bytes from ${SENDERS} senders, ${CONCURRENCY} connections, ${AGENTS} agents; timeout ${TIMEOUT_MS / 1000} s; ${machine.cores} cores, load ${machine.loadAverageAtStart.join(' ')}`);

  say('raw SMTP baseline: smtp-source → smtp-sink');
  let raw: RawResult;
  try {
    raw = await rawSmtp(size, deadline);
  } catch (err) {
    raw = { available: false, note: `failed: ${(err as Error).message}` };
  }
  say(raw.available ? `  ${raw.mailsPerSec} mails/s (runs: ${raw.runsMs!.join(', ')} ms)` : `  ${raw.note}`);

  let naive: NaiveResult | null = null;
  let naiveError: string | undefined;
  try {
    naive = await benchNaive(deadline);
  } catch (err) {
    naiveError = (err as Error).stack ?? String(err);
  }
  let mailroom: MailroomResult | null = null;
  let error: string | undefined;
  try {
    mailroom = await benchMailroom(1, true, deadline);
  } catch (err) {
    error = (err as Error).stack ?? String(err);
  }
  let replicated: MailroomResult | null = null;
  let replicatedError: string | undefined;
  if (REPLICAS > 1 && PROCESSES === 'separate') {
    try {
      replicated = await benchMailroom(REPLICAS, false, deadline);
    } catch (err) {
      replicatedError = (err as Error).stack ?? String(err);
    }
  }
  const ratio = (a: number | undefined | null, b: number | undefined | null): number | null => (a && b ? round(a / b, 4) : null);
  return {
    benchmark: 'ingest-to-ack',
    date: new Date(started).toISOString(),
    machine,
    loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)),
    params: { mails: MAILS, senders: SENDERS, concurrency: CONCURRENCY, agents: AGENTS, replicas: REPLICAS, pacedMails: PACED_MAILS, pacedFraction: PACED_FRACTION, mailBytes: size, timeoutS: TIMEOUT_MS / 1000, processes: PROCESSES },
    raw,
    naive,
    ...(naiveError ? { naiveError } : {}),
    mailroom,
    ...(error ? { error } : {}),
    replicated,
    ...(replicatedError ? { replicatedError } : {}),
    ratio: {
      mailroomVsNaive: ratio(mailroom?.burst.mailsPerSec, naive?.burst.mailsPerSec),
      mailroomVsRaw: ratio(mailroom?.burst.mailsPerSec, raw.mailsPerSec),
      naiveVsRaw: ratio(naive?.burst.mailsPerSec, raw.mailsPerSec),
      replicatedVsNaive: ratio(replicated?.burst.mailsPerSec, naive?.burst.mailsPerSec),
      replicatedVsRaw: ratio(replicated?.burst.mailsPerSec, raw.mailsPerSec),
    },
  };
};

const cleanup = async (): Promise<void> => {
  naiveProc?.kill('SIGTERM');
  for (const s of [...systems]) await stopSystem(s);
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
    const json = path.join(RESULTS_DIR, `${RESULTS_NAME}.json`);
    const md = path.join(RESULTS_DIR, `${RESULTS_NAME}.md`);
    writeFileSync(json, JSON.stringify(result, null, 2) + '\n');
    writeFileSync(md, markdown(result));
    process.stdout.write('\n' + markdown(result) + '\n');
    say(`wrote ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), md)}`);
    const ok = result.mailroom?.burst.completed && result.naive?.burst.completed && (!result.replicated || result.replicated.burst.completed) && (!result.replicated?.order || result.replicated.order.held) && (!result.mailroom?.paced || result.mailroom.paced.completed);
    process.exit(ok ? 0 : 1);
  })
  .catch(async (err: Error) => {
    say(`failed: ${err.stack ?? err.message}`);
    await cleanup();
    process.exit(1);
  });

// Benchmark: SMTP acceptance at the edge alone — every mail durable in PostgreSQL before its 250 —
// loaded like a relaying MTA (C connections, several mails each, PIPELINING), with group commit on
// and, in the same invocation, off (one transaction per mail: the baseline). A third run puts the
// same load on a bare smtp-server that stores nothing: the ceiling of the protocol handling and of
// the load generator on this machine. See bench/README.md.
//
//   npm run bench:accept                      BENCH_MAILS=5000 BENCH_CONNECTIONS=20 BENCH_MAIL_BYTES=4096
//
// Settings (environment): BENCH_MAILS, BENCH_CONNECTIONS, BENCH_MAIL_BYTES, BENCH_WARMUP_MAILS
// (default 500), BENCH_RUNS (group-commit,one-per-mail,no-storage: which runs, in that order),
// BENCH_DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432), BENCH_RESULTS_DIR.
// The load generator runs on a worker thread, so its event loop is not the edge's.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';

const SUPPORT = 'support@mailroom.test';

// ---- the load generator (worker thread) -----------------------------------------------------------

interface LoadSpec {
  port: number;
  mails: number;
  connections: number;
  mailBytes: number;
  tag: string;
  helo: string;
}

interface LoadResult {
  accepted: number;
  refused: Record<string, number>;
  seconds: number;
  /** ms from the end-of-data dot written to the reply read, per accepted mail. */
  latencies: number[];
}

/** One SMTP client connection that sends mails back to back, MAIL/RCPT/DATA pipelined. */
const runConnection = (spec: LoadSpec, take: () => number | null, out: LoadResult): Promise<void> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(spec.port, '127.0.0.1');
    socket.setNoDelay(true);
    let buffer = '';
    const waiting: ((code: number) => void)[] = [];
    const replies: number[] = [];
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (line[3] === '-') continue;
        const code = Number(line.slice(0, 3));
        const w = waiting.shift();
        if (w) w(code);
        else replies.push(code);
      }
    });
    socket.on('error', reject);
    const reply = (): Promise<number> => (replies.length ? Promise.resolve(replies.shift() as number) : new Promise((r) => waiting.push(r)));
    const filler = 'The invoices we download from the customer portal are empty since this morning. ';
    const mail = (n: number): string => {
      const head = [
        `From: Customer ${n} <customer${n}@bench.test>`,
        `To: Acme Support <${SUPPORT}>`,
        `Subject: Invoices empty since this morning (#${n})`,
        `Message-ID: <accept-${spec.tag}-${n}@bench.test>`,
        'Date: Tue, 25 Nov 2026 06:00:00 +0000',
        'Content-Type: text/plain; charset=utf-8',
        '',
        '',
      ].join('\r\n');
      let body = '';
      while (head.length + body.length < spec.mailBytes - 80) body += filler.slice(0, 76) + '\r\n';
      return head + body;
    };
    socket.once('connect', async () => {
      try {
        if ((await reply()) !== 220) throw new Error('no greeting');
        socket.write(`EHLO ${spec.helo}\r\n`);
        if ((await reply()) !== 250) throw new Error('EHLO refused');
        for (let n = take(); n !== null; n = take()) {
          socket.write(`MAIL FROM:<customer${n}@bench.test> SIZE=${spec.mailBytes}\r\nRCPT TO:<${SUPPORT}>\r\nDATA\r\n`);
          const codes = [await reply(), await reply(), await reply()];
          if (codes[2] !== 354) {
            out.refused[codes.join('/')] = (out.refused[codes.join('/')] ?? 0) + 1;
            if (codes[2] < 400) socket.write('RSET\r\n'), await reply();
            continue;
          }
          socket.write(mail(n) + '.\r\n');
          const t0 = performance.now();
          const code = await reply();
          if (code === 250) {
            out.accepted++;
            out.latencies.push(performance.now() - t0);
          } else out.refused[String(code)] = (out.refused[String(code)] ?? 0) + 1;
        }
        socket.end('QUIT\r\n');
        resolve();
      } catch (err) {
        reject(err as Error);
      }
    });
  });

const generate = async (spec: LoadSpec): Promise<LoadResult> => {
  let next = 0;
  const take = (): number | null => (next < spec.mails ? next++ : null);
  const out: LoadResult = { accepted: 0, refused: {}, seconds: 0, latencies: [] };
  const start = performance.now();
  await Promise.all(Array.from({ length: spec.connections }, () => runConnection(spec, take, out)));
  out.seconds = (performance.now() - start) / 1000;
  return out;
};

if (!isMainThread) {
  void generate(workerData as LoadSpec).then(
    (r) => parentPort?.postMessage({ ok: true, result: r }),
    (err: Error) => parentPort?.postMessage({ ok: false, error: err.message }),
  );
}

const load = (spec: LoadSpec): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: spec });
    worker.once('message', (m: { ok: boolean; result?: LoadResult; error?: string }) => (m.ok ? resolve(m.result as LoadResult) : reject(new Error(m.error))));
    worker.once('error', reject);
  });

// ---- the runs (main thread) -----------------------------------------------------------------------

const int = (name: string, fallback: number, min = 1): number => {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return n;
};
const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
const say = (line: string): void => void process.stdout.write(`[bench] ${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

type RunName = 'group-commit' | 'one-per-mail' | 'no-storage';

interface RunFigures {
  run: RunName;
  description: string;
  mails: number;
  accepted: number;
  refused: Record<string, number>;
  seconds: number;
  mailsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** pg_stat_database xact_commit delta over the measured mails (null without a database). */
  transactions: number | null;
  transactionsPerMail: number | null;
  /** As the edge counted them: mails per committing transaction, and the largest batch. */
  mailsPerCommit: number | null;
  largestBatch: number | null;
  storedRows: number | null;
  loadAverage: { before: number[]; after: number[] };
}

const main = async (): Promise<void> => {
  // Imported here, so the worker thread (same file) does not load the service code.
  const { connectDatabase, migrate } = await import('@mailroom/database');
  const { EventStore } = await import('@mailroom/event-store');
  const { startSmtpEdge, fixedAddressBook } = await import('@mailroom/ingest');
  const { parseSupportAddresses } = await import('@mailroom/mail-domain');
  const { silentLogger } = await import('@mailroom/observability');

  const MAILS = int('BENCH_MAILS', 5000);
  const CONNECTIONS = int('BENCH_CONNECTIONS', 20);
  const MAIL_BYTES = int('BENCH_MAIL_BYTES', 4096, 512);
  const WARMUP = int('BENCH_WARMUP_MAILS', 500, 0);
  const RUNS = (process.env.BENCH_RUNS ?? 'group-commit,one-per-mail,no-storage').split(',').map((r) => r.trim()) as RunName[];
  for (const r of RUNS) if (!['group-commit', 'one-per-mail', 'no-storage'].includes(r)) throw new Error(`BENCH_RUNS: unknown run "${r}"`);
  const DB_SERVER = (process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
  const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? path.join(__dirname, '..', '..', 'bench', 'results');
  const dbName = `mailroom_bench_accept_${process.pid}`;
  const url = `${DB_SERVER}/${dbName}`;
  const tag = randomBytes(3).toString('hex');

  const admin = new Client({ connectionString: `${DB_SERVER}/postgres` });
  await admin.connect();
  const setting = async (name: string): Promise<string> => ((await admin.query(`SELECT current_setting($1) AS v`, [name])).rows[0] as { v: string }).v;
  const postgres = { version: await setting('server_version'), synchronousCommit: await setting('synchronous_commit'), fsync: await setting('fsync'), walSyncMethod: await setting('wal_sync_method') };
  if (postgres.synchronousCommit !== 'on' || postgres.fsync !== 'on') say(`warning: synchronous_commit=${postgres.synchronousCommit}, fsync=${postgres.fsync}: a 250 is not durable on this server`);
  const xactCommit = async (): Promise<number> => Number((await admin.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = $1`, [dbName])).rows[0]?.xact_commit ?? 0);
  const rowsFrom = async (prefix: string): Promise<number> => {
    const c = new Client({ connectionString: url });
    await c.connect();
    const n = Number((await c.query(`SELECT count(*) AS n FROM ingest.raw_mail WHERE helo = $1`, [prefix])).rows[0].n);
    await c.end();
    return n;
  };

  say(`database ${dbName}: PostgreSQL ${postgres.version}, synchronous_commit=${postgres.synchronousCommit}, fsync=${postgres.fsync}`);
  await migrate(url);
  const results: RunFigures[] = [];
  try {
    for (const run of RUNS) {
      let port: number;
      let stop: () => Promise<void>;
      let stats: { mails: number; commits: number; largestBatch: number } | null = null;
      // Each run greets with its own HELO, so its rows can be counted apart.
      const helo = `load-${run}.bench.test`;
      if (run === 'no-storage') {
        const server = new SMTPServer({
          logger: false,
          disabledCommands: ['AUTH', 'STARTTLS'],
          disableReverseLookup: true,
          size: 25 * 1024 * 1024,
          onData(stream, _session, callback) {
            stream.on('data', () => undefined);
            stream.on('end', () => callback(null, '2.0.0 accepted and dropped'));
          },
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
        port = (server.server.address() as net.AddressInfo).port;
        stop = () => new Promise((r) => server.close(() => r()));
      } else {
        const db = await connectDatabase({ url, poolSize: 10, applicationName: `mailroom-bench-${run}` });
        const edge = await startSmtpEdge({
          host: '127.0.0.1',
          port: 0,
          maxMessageBytes: 25 * 1024 * 1024,
          addresses: fixedAddressBook(parseSupportAddresses(`Acme Support <${SUPPORT}>`)),
          db,
          store: new EventStore(),
          log: silentLogger,
          // Loopback is a trusted network by default: no per-address limits, as for a relaying MTA.
          settings: { starttls: false, groupCommit: run === 'group-commit' },
        });
        port = edge.port;
        stats = edge.stored;
        stop = async () => {
          await edge.close();
          // Closing the pool ends its sessions, which flushes their counts into pg_stat_database.
          await db.dataSource.destroy();
        };
      }
      const spec = (mails: number, phase: string): LoadSpec => ({ port, mails, connections: CONNECTIONS, mailBytes: MAIL_BYTES, tag: `${tag}-${run}-${phase}`, helo });
      const warm = WARMUP ? await load(spec(WARMUP, 'warmup')) : null;
      const statsBefore = stats ? { ...stats } : null;
      await sleep(1200); // the warm-up's transaction counts reach pg_stat_database
      const xactBefore = await xactCommit();
      const loadBefore = os.loadavg().map((l) => round(l, 2));
      say(`${run}: ${MAILS} mails of ~${MAIL_BYTES} bytes over ${CONNECTIONS} connections (load average ${loadBefore.join(' ')})`);
      const r = await load(spec(MAILS, 'measured'));
      const loadAfter = os.loadavg().map((l) => round(l, 2));
      const statsAfter = stats ? { ...stats } : null;
      await stop();
      await sleep(1200);
      const transactions = run === 'no-storage' ? null : (await xactCommit()) - xactBefore;
      // Every 250 must be a stored row (warm-up included).
      const storedRows = run === 'no-storage' ? null : await rowsFrom(helo);
      if (storedRows !== null && storedRows !== r.accepted + (warm?.accepted ?? 0)) say(`${run}: ${storedRows} rows stored for ${r.accepted + (warm?.accepted ?? 0)} mails answered 250!`);
      const sorted = [...r.latencies].sort((a, b) => a - b);
      const commits = statsAfter && statsBefore ? statsAfter.commits - statsBefore.commits : null;
      const figures: RunFigures = {
        run,
        description:
          run === 'group-commit'
            ? 'SMTP edge, group commit on (default): mails that finish DATA together share one transaction'
            : run === 'one-per-mail'
              ? 'SMTP edge, MAILROOM_SMTP_GROUP_COMMIT=false: one transaction per mail'
              : 'bare smtp-server that stores nothing: protocol + load generator ceiling',
        mails: MAILS,
        accepted: r.accepted,
        refused: r.refused,
        seconds: round(r.seconds, 2),
        mailsPerSecond: round(r.accepted / r.seconds),
        latencyMs: { p50: round(percentile(sorted, 50), 2), p95: round(percentile(sorted, 95), 2), p99: round(percentile(sorted, 99), 2), max: round(sorted[sorted.length - 1] ?? 0, 2) },
        transactions,
        transactionsPerMail: transactions === null ? null : round(transactions / Math.max(1, r.accepted), 3),
        mailsPerCommit: commits ? round((statsAfter!.mails - statsBefore!.mails) / commits, 1) : null,
        largestBatch: statsAfter ? statsAfter.largestBatch : null,
        storedRows,
        loadAverage: { before: loadBefore, after: loadAfter },
      };
      results.push(figures);
      say(
        `${run}: ${figures.mailsPerSecond} mails/s, ${figures.accepted}/${MAILS} accepted, latency p50 ${figures.latencyMs.p50} / p95 ${figures.latencyMs.p95} / p99 ${figures.latencyMs.p99} ms` +
          (transactions === null ? '' : `, ${figures.transactionsPerMail} transactions per mail, ${figures.mailsPerCommit} mails per commit`),
      );
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }

  const cpus = os.cpus();
  const report = {
    benchmark: 'smtp-accept',
    at: new Date().toISOString(),
    load: { mails: MAILS, connections: CONNECTIONS, mailBytes: MAIL_BYTES, warmupMails: WARMUP, pipelining: true, tls: false },
    machine: { cores: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', node: process.version, postgres },
    target: { mailsPerSecond: 1000, durableBefore250: true },
    runs: results,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, 'smtp-accept.json'), JSON.stringify(report, null, 2) + '\n');
  const md = [
    '# smtp-accept',
    '',
    `${report.at} · ${MAILS} mails of ~${MAIL_BYTES} bytes over ${CONNECTIONS} connections (PIPELINING, no TLS), after ${WARMUP} warm-up mails · ` +
      `${report.machine.cores} cores (${report.machine.cpuModel}), Node ${report.machine.node}, PostgreSQL ${postgres.version} (synchronous_commit=${postgres.synchronousCommit}, fsync=${postgres.fsync}, ${postgres.walSyncMethod})`,
    '',
    'Every 250 of the edge runs is answered after its mail (raw bytes + `mail.received`) is committed. Target: ≥ 1,000 mails/s.',
    '',
    '| Run | Mails/s | Accepted (rows stored, warm-up included) | Transactions per mail | Mails per commit (largest) | DATA end → 250 p50 / p95 / p99 (ms) | Load average before → after |',
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.description} | **${r.mailsPerSecond}** | ${r.accepted}/${r.mails}${r.storedRows === null ? '' : ` (${r.storedRows})`}${Object.keys(r.refused).length ? ` (refused ${JSON.stringify(r.refused)})` : ''} | ${r.transactionsPerMail ?? '—'} | ${r.mailsPerCommit ?? '—'} (${r.largestBatch ?? '—'}) | ${r.latencyMs.p50} / ${r.latencyMs.p95} / ${r.latencyMs.p99} | ${r.loadAverage.before.join(' ')} → ${r.loadAverage.after.join(' ')} |`,
    ),
    '',
    'Transactions per mail: `pg_stat_database.xact_commit` of the benchmark database over the measured mails (includes nothing but the edge).',
    'The machine is shared: the load average says how much else ran.',
    '',
  ].join('\n');
  writeFileSync(path.join(RESULTS_DIR, 'smtp-accept.md'), md);
  say(`wrote ${path.join(RESULTS_DIR, 'smtp-accept.{json,md}')}`);
};

if (isMainThread) {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`[bench] failed: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}

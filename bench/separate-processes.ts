// The five services as separate Node processes, as `npm start` and the deployments run them (each
// with its own event loop), for the benchmark's BENCH_PROCESSES=separate mode. Runs the compiled
// entry points under dist/apps, so `npm run build` must have run (the bench script does).
// With `replicas` > 1 each service runs that many times, as a deployment scaling it out would.
// Each process is preloaded with bench/lib/probe.ts, so the benchmark can ask it for its broker
// counters over the IPC channel, and reports its pid for CPU accounting.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { migrate } from '@mailroom/database';
import { deleteNamespace, dropDatabase } from '@mailroom/local-system';
import { startMailCatcher, type MailCatcher } from '@mailroom/mail-catcher';

export interface SeparateProcessesOptions {
  databaseUrl: string;
  amqpUrl: string;
  namespace: string;
  maxCaughtMails: number;
  adminToken: string;
  secret: string;
  /** MAILROOM_LOG_LEVEL of the services (their output goes to this process's stderr, prefixed). */
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Processes per service (default 1). */
  replicas?: number;
}

export interface ServiceProcess {
  /** e.g. `rules-2`. */
  name: string;
  service: string;
  replica: number;
  pid: number;
}

export interface BrokerCounts {
  published: number;
  delivered: Record<string, number>;
}

export interface SeparateProcesses {
  smtpPort: number;
  /** One per ingest replica. */
  smtpPorts: number[];
  /** The first ticket replica's API, e.g. http://127.0.0.1:1234/api/v2. */
  apiBase: string;
  processes: ServiceProcess[];
  /** Each live process's broker counters so far, by process name. */
  brokerCounts(): Promise<Record<string, BrokerCounts>>;
  namespace: string;
  relay: MailCatcher;
  close(): Promise<void>;
}

const ROOT = path.join(__dirname, '..', '..');

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

const waitReady = async (url: string, until: number, proc: ChildProcess, name: string): Promise<void> => {
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode} while starting`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} not ready at ${url} in time`);
};

export const startSeparateProcesses = async (opts: SeparateProcessesOptions): Promise<SeparateProcesses> => {
  const replicas = opts.replicas ?? 1;
  await migrate(opts.databaseUrl);
  const relay = await startMailCatcher({ smtpPort: 0, maxMessages: opts.maxCaughtMails });
  const common: Record<string, string> = {
    DATABASE_URL: opts.databaseUrl,
    AMQP_URL: opts.amqpUrl,
    MAILROOM_AMQP_NAMESPACE: opts.namespace,
    MAILROOM_SECRET: opts.secret,
    MAILROOM_SUPPORT_ADDRESSES: 'Acme Support <support@mailroom.test>',
    MAILROOM_ACCOUNT_NAME: 'Acme',
    MAILROOM_ADMIN_TOKEN: opts.adminToken,
    MAILROOM_SMTP_RELAY: `smtp://127.0.0.1:${relay.smtpPort}`,
    MAILROOM_LOG_LEVEL: opts.logLevel,
    // Enough partitions for every replica to hold its share (with 3 replicas: 2 each).
    MAILROOM_PARTITIONS: process.env.MAILROOM_PARTITIONS ?? String(Math.max(4, 2 * replicas)),
  };
  // The ticket service seeds the admin and the support addresses: ticket-1 starts first, alone.
  const order = ['ticket', 'ingest', 'rules', 'scheduler', 'notifier'];
  const planned: { service: string; replica: number; env: Record<string, string>; ready: string; smtpPort?: number }[] = [];
  for (const service of order) {
    for (let replica = 1; replica <= replicas; replica++) {
      const env: Record<string, string> = {};
      let ready: string;
      if (service === 'ticket') {
        const http = await freePort();
        env.MAILROOM_HTTP_PORT = String(http);
        ready = `http://127.0.0.1:${http}/health/ready`;
      } else {
        const health = await freePort();
        env.MAILROOM_HEALTH_PORT = String(health);
        ready = `http://127.0.0.1:${health}/health/ready`;
      }
      // Every process reads the SMTP port from its config; only ingest listens on it.
      const smtp = await freePort();
      env.MAILROOM_SMTP_PORT = String(smtp);
      // The API's own URL (links in mails) names the first ticket replica, as a load balancer would.
      if (planned.length > 0) env.MAILROOM_HTTP_PORT ??= planned[0].env.MAILROOM_HTTP_PORT;
      planned.push({ service, replica, env, ready, ...(service === 'ingest' ? { smtpPort: smtp } : {}) });
    }
  }
  const children: { name: string; proc: ChildProcess }[] = [];
  const close = async (): Promise<void> => {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGTERM');
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.proc.exitCode !== null) return resolve();
            const killer = setTimeout(() => c.proc.kill('SIGKILL'), 10_000);
            c.proc.once('exit', () => {
              clearTimeout(killer);
              resolve();
            });
          }),
      ),
    );
    await relay.close();
    await dropDatabase(opts.databaseUrl).catch(() => undefined);
    await deleteNamespace(opts.amqpUrl, opts.namespace).catch(() => undefined);
  };
  const nameOf = (p: { service: string; replica: number }) => (replicas > 1 ? `${p.service}-${p.replica}` : p.service);
  try {
    for (const p of planned) {
      const name = nameOf(p);
      // BENCH_CPU_PROF=<dir>: each service writes a V8 CPU profile there when it stops (bench/README.md).
      const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF, '--cpu-prof-name', `${name}.cpuprofile`] : [];
      const proc = spawn(process.execPath, [...prof, '-r', './scripts/runtime-paths.js', '-r', './dist/bench/lib/probe.js', `dist/apps/${p.service}/src/main.js`], {
        cwd: ROOT,
        env: { ...process.env, ...common, ...p.env },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      const forward = (chunk: Buffer) => process.stderr.write(chunk.toString('utf8').replace(/^(?=.)/gm, `${name.padEnd(11)}| `));
      proc.stdout!.on('data', forward);
      proc.stderr!.on('data', forward);
      proc.channel?.unref();
      children.push({ name, proc });
      if (children.length === 1) await waitReady(p.ready, Date.now() + 60_000, proc, name);
    }
    const until = Date.now() + 60_000;
    await Promise.all(planned.map((p, i) => waitReady(p.ready, until, children[i].proc, nameOf(p))));
  } catch (err) {
    await close();
    throw err;
  }
  const brokerCounts = async (): Promise<Record<string, BrokerCounts>> => {
    const answers = await Promise.all(
      children.map(
        (c) =>
          new Promise<[string, BrokerCounts] | null>((resolve) => {
            if (c.proc.exitCode !== null || !c.proc.connected) return resolve(null);
            const timer = setTimeout(() => (c.proc.off('message', onMessage), resolve(null)), 5000);
            const onMessage = (m: { type?: string } & BrokerCounts) => {
              if (m?.type !== 'bench-counters') return;
              clearTimeout(timer);
              c.proc.off('message', onMessage);
              resolve([c.name, { published: m.published, delivered: m.delivered }]);
            };
            c.proc.on('message', onMessage);
            c.proc.send({ type: 'bench-counters?' });
          }),
      ),
    );
    return Object.fromEntries(answers.filter((a): a is [string, BrokerCounts] => a !== null));
  };
  const smtpPorts = planned.filter((p) => p.smtpPort !== undefined).map((p) => p.smtpPort!);
  return {
    smtpPort: smtpPorts[0],
    smtpPorts,
    apiBase: `http://127.0.0.1:${planned[0].env.MAILROOM_HTTP_PORT}/api/v2`,
    namespace: opts.namespace,
    relay,
    processes: planned.map((p, i) => ({ name: nameOf(p), service: p.service, replica: p.replica, pid: children[i].proc.pid! })),
    brokerCounts,
    close,
  };
};

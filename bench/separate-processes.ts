// The five services as separate Node processes, as `npm start` and the deployments run them (each
// with its own event loop), for the benchmark's BENCH_PROCESSES=separate mode. Runs the compiled
// entry points under dist/apps, so `npm run build` must have run (the bench script does).
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
}

export interface SeparateProcesses {
  smtpPort: number;
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
  await migrate(opts.databaseUrl);
  const relay = await startMailCatcher({ smtpPort: 0, maxMessages: opts.maxCaughtMails });
  const [smtpPort, httpPort, ingestHealth, rulesHealth, schedulerHealth, notifierHealth] = await Promise.all(Array.from({ length: 6 }, freePort));
  const common: Record<string, string> = {
    DATABASE_URL: opts.databaseUrl,
    AMQP_URL: opts.amqpUrl,
    MAILROOM_AMQP_NAMESPACE: opts.namespace,
    MAILROOM_SECRET: opts.secret,
    MAILROOM_SUPPORT_ADDRESSES: 'Acme Support <support@mailroom.test>',
    MAILROOM_ACCOUNT_NAME: 'Acme',
    MAILROOM_ADMIN_TOKEN: opts.adminToken,
    MAILROOM_SMTP_PORT: String(smtpPort),
    MAILROOM_HTTP_PORT: String(httpPort),
    MAILROOM_SMTP_RELAY: `smtp://127.0.0.1:${relay.smtpPort}`,
    MAILROOM_LOG_LEVEL: opts.logLevel,
  };
  const services: { name: string; healthPort: number; path: string }[] = [
    { name: 'ticket', healthPort: httpPort, path: '/health/ready' },
    { name: 'ingest', healthPort: ingestHealth, path: '/health/ready' },
    { name: 'rules', healthPort: rulesHealth, path: '/health/ready' },
    { name: 'scheduler', healthPort: schedulerHealth, path: '/health/ready' },
    { name: 'notifier', healthPort: notifierHealth, path: '/health/ready' },
  ];
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
  try {
    for (const s of services) {
      const env = { ...process.env, ...common, ...(s.name === 'ticket' ? {} : { MAILROOM_HEALTH_PORT: String(s.healthPort) }) };
      const proc = spawn(process.execPath, ['-r', './scripts/runtime-paths.js', `dist/apps/${s.name}/src/main.js`], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const forward = (chunk: Buffer) => process.stderr.write(chunk.toString('utf8').replace(/^(?=.)/gm, `${s.name.padEnd(9)}| `));
      proc.stdout!.on('data', forward);
      proc.stderr!.on('data', forward);
      children.push({ name: s.name, proc });
      // The ticket service seeds the admin and the support addresses: the others start after it.
      if (s.name === 'ticket') await waitReady(`http://127.0.0.1:${s.healthPort}${s.path}`, Date.now() + 60_000, proc, s.name);
    }
    const until = Date.now() + 60_000;
    await Promise.all(services.map((s, i) => waitReady(`http://127.0.0.1:${s.healthPort}${s.path}`, until, children[i].proc, s.name)));
  } catch (err) {
    await close();
    throw err;
  }
  return { smtpPort, namespace: opts.namespace, relay, close };
};

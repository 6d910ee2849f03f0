import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ConfigError, DEFAULTS, readCommonConfig, readIngestConfig, readTicketConfig } from '@mailroom/config';
import { migrate } from '@mailroom/database';
import { whereIs } from '@mailroom/observability';
import { firstBusyPort, planStart, reachable, type StartPlan } from './start-plan';
import { declareAll } from './topology';

/**
 * `npm start`: everything in the foreground on this machine — migrations, the RabbitMQ topology,
 * the five services as separate processes, and (unless MAILROOM_SMTP_RELAY points elsewhere) the
 * local mail catcher that shows the outgoing mail on a web page. Ctrl-C stops them all.
 */
const ROOT = path.join(__dirname, '..', '..');
const entry = (name: string) => `dist/apps/${name}/src/main.js`;

/** The environment of each worker: its own health port (MAILROOM_<SERVICE>_HEALTH_PORT) and, with the catcher, the relay. */
const workerEnv = (plan: StartPlan, healthPort: number): Record<string, string> => ({ MAILROOM_HEALTH_PORT: String(healthPort), MAILROOM_SMTP_RELAY: plan.relay });

const children: { name: string; proc: ChildProcess }[] = [];
let stopping = false;

const run = (name: string, entry: string, env: Record<string, string>): void => {
  const proc = spawn(process.execPath, ['-r', './scripts/runtime-paths.js', entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `${name.padEnd(9)}|`;
  // A service that fails to start says why in one line on stderr; it is repeated when everything stops.
  let lastError = '';
  const pipe = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        out.write(`${prefix} ${line}\n`);
        if (out === process.stderr && line.trim()) lastError = line.trim();
      }
    });
  };
  pipe(proc.stdout!, process.stdout);
  pipe(proc.stderr!, process.stderr);
  proc.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`Mailroom stopped: ${name} exited (${signal ?? `code ${code}`})${lastError ? `: ${lastError}` : ''}; the other services were stopped\n`);
    void stop(1);
  });
  children.push({ name, proc });
};

const stop = async (code: number): Promise<void> => {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.proc.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise<void>((r) => (c.proc.exitCode !== null ? r() : c.proc.once('exit', () => r())))));
  process.exit(code);
};

const waitReady = async (url: string, timeoutMs = 60000): Promise<boolean> => {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
};

const main = async (): Promise<void> => {
  // npm start is the development machine: the published development token and secret are
  // accepted here and nowhere else (the services default to production and refuse them).
  process.env.MAILROOM_ENV ??= 'development';
  const common = readCommonConfig();
  const ticket = readTicketConfig();
  const ingest = readIngestConfig();
  const plan = planStart(process.env, ticket, ingest);
  for (const note of plan.notes) process.stderr.write(`Mailroom: note: ${note}\n`);
  // Every port is checked before anything starts: one taken port would otherwise stop one service
  // after the others came up.
  const busy = await firstBusyPort(plan.listeners);
  if (busy) throw new Error(busy);
  process.stdout.write('Mailroom: applying migrations…\n');
  const applied = await migrate(common.databaseUrl).catch((err: Error) => {
    throw new Error(`cannot reach PostgreSQL at ${whereIs(common.databaseUrl)} (DATABASE_URL): ${err.message.split('\n')[0]}`);
  });
  process.stdout.write(applied.length ? `  applied ${applied.join(', ')}\n` : '  database is up to date\n');
  process.stdout.write('Mailroom: declaring the RabbitMQ topology…\n');
  await declareAll(common.amqpUrl, common.amqpNamespace).catch((err: Error) => {
    throw new Error(`cannot reach RabbitMQ at ${whereIs(common.amqpUrl)} (AMQP_URL): ${err.message.split('\n')[0]}`);
  });
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  if (plan.catcher) run('catcher', 'dist/tools/mail-catcher/src/main.js', {});
  run('ticket', entry('ticket'), {});
  for (const w of plan.workers) run(w.name, entry(w.name), workerEnv(plan, w.healthPort));
  const checks = [
    ['ticket', `http://${reachable(ticket.httpHost)}:${ticket.httpPort}/health/ready`],
    ...plan.workers.map((w) => [w.name, `http://${reachable(plan.healthHost)}:${w.healthPort}/health/live`]),
  ];
  const results = await Promise.all(checks.map(async ([name, url]) => [name, await waitReady(url)] as const));
  const down = results.filter(([, ok]) => !ok).map(([n]) => n);
  const token = ticket.adminToken === DEFAULTS.DEV_ADMIN_TOKEN ? `${ticket.adminToken} (development default: set MAILROOM_ADMIN_TOKEN)` : '(from MAILROOM_ADMIN_TOKEN)';
  process.stdout.write(
    [
      '',
      down.length ? `Mailroom: NOT READY: ${down.join(', ')} (see the logs above)` : `Mailroom is running (MAILROOM_ENV=${common.env}${common.env === 'development' ? ': development secrets are accepted' : ''}).`,
      `  API            http://${ticket.httpHost}:${ticket.httpPort}/api/v2   (admin ${ticket.adminEmail}, token ${token})`,
      `  SMTP ingest    ${ingest.smtpHost}:${ingest.smtpPort}   support addresses: ${common.supportAddresses}`,
      plan.catcher
        ? `  Outgoing mail  ${plan.relay} (the local mail catcher)${plan.catcher.httpPort !== null ? `, shown at http://${reachable(plan.catcher.host)}:${plan.catcher.httpPort}` : ''}`
        : `  Outgoing mail  relayed through ${plan.relay}`,
      `  Health         ${plan.workers.map((w) => `${w.name} ${plan.healthHost}:${w.healthPort}`).join('  ')}   (/health/live, /health/ready)`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
};

main().catch((err) => {
  // One line, no stack trace: the setting, host or port to look at and what went wrong.
  const message = ((err as Error)?.message ?? String(err)).split('\n')[0];
  process.stderr.write(`Mailroom could not start: ${err instanceof ConfigError ? `configuration error: ${message}` : message}\n`);
  void stop(1);
});

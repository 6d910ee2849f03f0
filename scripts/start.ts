import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { DEFAULTS, readCommonConfig, readIngestConfig, readTicketConfig } from '@mailroom/config';
import { migrate } from '@mailroom/database';
import { declareAll } from './topology';

/**
 * `npm start`: everything in the foreground on this machine — migrations, the RabbitMQ topology,
 * the five services as separate processes, and (unless MAILROOM_SMTP_RELAY points elsewhere) the
 * local mail catcher that shows the outgoing mail on a web page. Ctrl-C stops them all.
 */
const ROOT = path.join(__dirname, '..', '..');
const DEFAULT_RELAY = 'smtp://127.0.0.1:1025';

const SERVICES: { name: string; entry: string; env: Record<string, string> }[] = [
  { name: 'ticket', entry: 'dist/apps/ticket/src/main.js', env: {} },
  { name: 'ingest', entry: 'dist/apps/ingest/src/main.js', env: { MAILROOM_HEALTH_PORT: process.env.MAILROOM_INGEST_HEALTH_PORT ?? '3001' } },
  { name: 'rules', entry: 'dist/apps/rules/src/main.js', env: { MAILROOM_HEALTH_PORT: process.env.MAILROOM_RULES_HEALTH_PORT ?? '3002' } },
  { name: 'scheduler', entry: 'dist/apps/scheduler/src/main.js', env: { MAILROOM_HEALTH_PORT: process.env.MAILROOM_SCHEDULER_HEALTH_PORT ?? '3003' } },
  { name: 'notifier', entry: 'dist/apps/notifier/src/main.js', env: { MAILROOM_HEALTH_PORT: process.env.MAILROOM_NOTIFIER_HEALTH_PORT ?? '3004' } },
];

const children: { name: string; proc: ChildProcess }[] = [];
let stopping = false;

const run = (name: string, entry: string, env: Record<string, string>): void => {
  const proc = spawn(process.execPath, ['-r', './scripts/runtime-paths.js', entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `${name.padEnd(9)}|`;
  const pipe = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) out.write(`${prefix} ${line}\n`);
    });
  };
  pipe(proc.stdout!, process.stdout);
  pipe(proc.stderr!, process.stderr);
  proc.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`${prefix} exited (${signal ?? code}); stopping everything\n`);
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
  const common = readCommonConfig();
  const ticket = readTicketConfig();
  const ingest = readIngestConfig();
  const relay = process.env.MAILROOM_SMTP_RELAY ?? DEFAULT_RELAY;
  process.stdout.write('Mailroom: applying migrations…\n');
  const applied = await migrate(common.databaseUrl);
  process.stdout.write(applied.length ? `  applied ${applied.join(', ')}\n` : '  database is up to date\n');
  process.stdout.write('Mailroom: declaring the RabbitMQ topology…\n');
  await declareAll(common.amqpUrl, common.amqpNamespace);
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  if (relay === DEFAULT_RELAY) run('catcher', 'dist/tools/mail-catcher/src/main.js', {});
  for (const s of SERVICES) run(s.name, s.entry, s.env);
  const checks = [
    ['ticket', `http://${ticket.httpHost}:${ticket.httpPort}/health/ready`],
    ...SERVICES.slice(1).map((s) => [s.name, `http://127.0.0.1:${s.env.MAILROOM_HEALTH_PORT}/health/live`]),
  ];
  const results = await Promise.all(checks.map(async ([name, url]) => [name, await waitReady(url)] as const));
  const down = results.filter(([, ok]) => !ok).map(([n]) => n);
  const token = ticket.adminToken === DEFAULTS.DEV_ADMIN_TOKEN ? `${ticket.adminToken} (development default: set MAILROOM_ADMIN_TOKEN)` : '(from MAILROOM_ADMIN_TOKEN)';
  process.stdout.write(
    [
      '',
      down.length ? `Mailroom: NOT READY: ${down.join(', ')} (see the logs above)` : 'Mailroom is running.',
      `  API            http://${ticket.httpHost}:${ticket.httpPort}/api/v2   (admin ${ticket.adminEmail}, token ${token})`,
      `  SMTP ingest    ${ingest.smtpHost}:${ingest.smtpPort}   support addresses: ${common.supportAddresses}`,
      relay === DEFAULT_RELAY ? `  Outgoing mail  ${relay}, shown at http://127.0.0.1:${process.env.MAILROOM_CATCHER_HTTP_PORT ?? '1080'}` : `  Outgoing mail  relayed through ${relay}`,
      `  Health         rules :3002  scheduler :3003  notifier :3004  ingest :3001   (/health/ready)`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
};

main().catch((err) => {
  process.stderr.write(`Mailroom could not start: ${(err as Error).message}\n`);
  void stop(1);
});

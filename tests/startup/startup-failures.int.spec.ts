import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { deleteNamespace } from '@mailroom/local-system';
import { createTestDatabase, testNamespace, TEST_AMQP_URL, type TestDatabase } from '@mailroom/testing';

/**
 * A new user's first hour: whatever stops Mailroom at start-up — a port in use, PostgreSQL or
 * RabbitMQ not there, a bad setting — is said in one line on stderr that names the setting or the
 * port, the exit code is not zero, and no stack trace is printed. Each service's real entry point
 * (apps/<service>/src/main.ts) and the `npm start` script run as their own processes, from their
 * sources (tests/support/run-ts.js), against the real PostgreSQL and RabbitMQ.
 */
const ROOT = join(__dirname, '..', '..');
const SERVICES = ['ticket', 'ingest', 'rules', 'scheduler', 'notifier'] as const;
const UNREACHABLE_DB = 'postgres://postgres:hunter2@127.0.0.1:1/mailroom';
const UNREACHABLE_AMQP = 'amqp://guest:hunter2@127.0.0.1:1';

interface Outcome {
  code: number | null;
  stderr: string;
  /** The non-empty lines of stderr. */
  lines: string[];
}

const runTs = (script: string, env: Record<string, string>, timeoutMs = 45000): Promise<Outcome> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './tests/support/run-ts.js', script], {
      cwd: ROOT,
      // Only what the test gives, so a developer's own MAILROOM_* settings cannot change the outcome.
      env: { PATH: process.env.PATH ?? '', MAILROOM_SECRET: 'startup-test-secret-0123456789', MAILROOM_ADMIN_TOKEN: 'startup-test-token-0123456789', MAILROOM_STARTUP_WAIT_SECONDS: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not stop within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, lines: stderr.split('\n').filter((l) => l.trim() !== '') });
    });
  });

/** One clear line, a non-zero exit, no stack trace. */
const expectOneClearLine = (o: Outcome, pattern: RegExp) => {
  expect(o.lines).toEqual([expect.stringMatching(pattern)]);
  expect(o.stderr).not.toMatch(/^\s+at /m);
  expect(o.stderr).not.toContain('hunter2');
  expect(o.code).not.toBe(0);
  expect(o.code).not.toBeNull();
};

const entry = (service: string) => `apps/${service}/src/main.ts`;

/** Holds a port the way another program would. */
const takePort = async (): Promise<{ port: number; server: Server }> => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
};

describe('start-up failures explain themselves', () => {
  describe('each service', () => {
    it.each(SERVICES)('%s: a bad setting is named, exit 78', async (service) => {
      const o = await runTs(entry(service), { MAILROOM_LOG_LEVEL: 'chatty' });
      expectOneClearLine(o, new RegExp(`^${service}: configuration error: MAILROOM_LOG_LEVEL`));
      expect(o.code).toBe(78);
    });

    it.each(SERVICES)('%s: an unreachable PostgreSQL names DATABASE_URL and where it points, exit 69', async (service) => {
      const o = await runTs(entry(service), { DATABASE_URL: UNREACHABLE_DB });
      expectOneClearLine(o, new RegExp(`^${service}: cannot reach PostgreSQL at 127\\.0\\.0\\.1:1/mailroom \\(DATABASE_URL\\): .*ECONNREFUSED`));
      expect(o.code).toBe(69);
    });

    it.each(['ticket', 'rules', 'scheduler', 'notifier'])('%s: an unreachable RabbitMQ names AMQP_URL, exit 69', async (service) => {
      const o = await runTs(entry(service), { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', AMQP_URL: UNREACHABLE_AMQP });
      expectOneClearLine(o, new RegExp(`^${service}: cannot reach RabbitMQ at 127\\.0\\.0\\.1:1 \\(AMQP_URL\\): .*ECONNREFUSED`));
      expect(o.code).toBe(69);
    });

    describe('a port in use', () => {
      let database: TestDatabase;
      const namespace = testNamespace();
      let taken: { port: number; server: Server };

      beforeAll(async () => {
        database = await createTestDatabase();
        taken = await takePort();
      });
      afterAll(async () => {
        taken?.server.close();
        await database?.drop();
        await deleteNamespace(TEST_AMQP_URL, namespace);
      });

      const env = (extra: Record<string, string>) => ({ DATABASE_URL: database.url, AMQP_URL: TEST_AMQP_URL, MAILROOM_AMQP_NAMESPACE: namespace, MAILROOM_HTTP_PORT: '0', MAILROOM_SMTP_PORT: '0', MAILROOM_HEALTH_PORT: '0', MAILROOM_TICK_SECONDS: '0', ...extra });

      it.each<[string, string]>([
        ['ticket', 'MAILROOM_HTTP_PORT'],
        ['ingest', 'MAILROOM_SMTP_PORT'],
        ['ingest', 'MAILROOM_HEALTH_PORT'],
        ['rules', 'MAILROOM_HEALTH_PORT'],
        ['scheduler', 'MAILROOM_HEALTH_PORT'],
        ['notifier', 'MAILROOM_HEALTH_PORT'],
      ])('%s: %s taken is named with the port', async (service, setting) => {
        const o = await runTs(entry(service), env({ [setting]: String(taken.port) }));
        expectOneClearLine(o, new RegExp(`^${service}: cannot listen on 127\\.0\\.0\\.1:${taken.port}: the port is already in use .*; set ${setting} to another port$`));
      });
    });
  });

  describe('npm start (scripts/start.ts)', () => {
    const START = 'scripts/start.ts';

    it('a port in use is found before anything starts, and named with its setting', async () => {
      const taken = await takePort();
      try {
        for (const setting of ['MAILROOM_HTTP_PORT', 'MAILROOM_SCHEDULER_HEALTH_PORT', 'MAILROOM_CATCHER_HTTP_PORT']) {
          const o = await runTs(START, { [setting]: String(taken.port), DATABASE_URL: UNREACHABLE_DB });
          expectOneClearLine(o, new RegExp(`^Mailroom could not start: port ${taken.port} on 127\\.0\\.0\\.1 is already in use .*; set ${setting} to another port$`));
        }
      } finally {
        taken.server.close();
      }
    });

    it('an unreachable PostgreSQL names DATABASE_URL', async () => {
      const o = await runTs(START, { DATABASE_URL: UNREACHABLE_DB, MAILROOM_HTTP_PORT: '0', MAILROOM_SMTP_PORT: '0' });
      expectOneClearLine(o, /^Mailroom could not start: cannot reach PostgreSQL at 127\.0\.0\.1:1\/mailroom \(DATABASE_URL\): .*ECONNREFUSED/);
    });

    it('an unreachable RabbitMQ names AMQP_URL', async () => {
      const database = await createTestDatabase();
      try {
        const o = await runTs(START, { DATABASE_URL: database.url, AMQP_URL: UNREACHABLE_AMQP, MAILROOM_HTTP_PORT: '0', MAILROOM_SMTP_PORT: '0' });
        expectOneClearLine(o, /^Mailroom could not start: cannot reach RabbitMQ at 127\.0\.0\.1:1 \(AMQP_URL\): .*ECONNREFUSED/);
      } finally {
        await database.drop();
      }
    });

    it('a bad setting, or two settings on one port, is named', async () => {
      expectOneClearLine(await runTs(START, { MAILROOM_SMTP_PORT: 'banana' }), /^Mailroom could not start: configuration error: MAILROOM_SMTP_PORT must be a whole number/);
      expectOneClearLine(await runTs(START, { MAILROOM_INGEST_HEALTH_PORT: 'x' }), /^Mailroom could not start: configuration error: MAILROOM_INGEST_HEALTH_PORT must be a whole number/);
      expectOneClearLine(
        await runTs(START, { MAILROOM_RULES_HEALTH_PORT: '3999', MAILROOM_NOTIFIER_HEALTH_PORT: '3999' }),
        /^Mailroom could not start: configuration error: MAILROOM_RULES_HEALTH_PORT and MAILROOM_NOTIFIER_HEALTH_PORT are both 3999/,
      );
    });
  });
});

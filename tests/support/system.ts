import { readIngestConfig, readNotifierConfig, readTicketConfig, readWorkerConfig } from '@mailroom/config';
import { startIngestService, type RunningIngest } from '@mailroom/ingest';
import { startMailCatcher, type MailCatcher } from '@mailroom/mail-catcher';
import { startNotifierService, type RunningNotifier } from '@mailroom/notifier';
import { createLogger, silentLogger, type Logger } from '@mailroom/observability';
import { startRulesService, type RunningRules } from '@mailroom/rules';
import { startSchedulerService, type RunningScheduler } from '@mailroom/scheduler';
import { createTestDatabase, testNamespace, TEST_AMQP_URL, type TestDatabase } from '@mailroom/testing';
import { startTicketService, type RunningTicketService } from '@mailroom/ticket';

export const ADMIN_EMAIL = 'admin@mailroom.test';
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
export const SECRET = 'e2e-secret';

export interface SystemOptions {
  supportAddresses?: string;
  /** Where services reach PostgreSQL (e.g. through a TCP proxy a test can cut); defaults to the test database. */
  databaseUrl?: (testDbUrl: string) => string;
  amqpUrl?: string;
  maxMessageBytes?: number;
  log?: boolean;
}

export interface System {
  database: TestDatabase;
  namespace: string;
  relay: MailCatcher;
  ingest: RunningIngest;
  ticket: RunningTicketService;
  rules: RunningRules;
  scheduler: RunningScheduler;
  notifier: RunningNotifier;
  smtpPort: number;
  apiBase: string;
  /** Calls the API as the seeded admin (email/token basic auth). */
  api<T = any>(path: string, init?: { method?: string; body?: unknown; auth?: string | null }): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/**
 * The five services in this process, each with its own connections, on a database and a broker
 * namespace of their own, with a mail catcher standing in as the outgoing relay. Real PostgreSQL,
 * RabbitMQ, SMTP and HTTP throughout.
 */
export const startSystem = async (opts: SystemOptions = {}): Promise<System> => {
  const database = await createTestDatabase();
  const namespace = testNamespace();
  const relay = await startMailCatcher({ smtpPort: 0 });
  const env = {
    DATABASE_URL: opts.databaseUrl ? opts.databaseUrl(database.url) : database.url,
    AMQP_URL: opts.amqpUrl ?? TEST_AMQP_URL,
    MAILROOM_AMQP_NAMESPACE: namespace,
    MAILROOM_SECRET: SECRET,
    MAILROOM_SUPPORT_ADDRESSES: opts.supportAddresses ?? 'Acme Support <support@mailroom.test>',
    MAILROOM_BASE_URL: 'http://127.0.0.1:3000',
    MAILROOM_ACCOUNT_NAME: 'Acme',
    MAILROOM_ADMIN_EMAIL: ADMIN_EMAIL,
    MAILROOM_ADMIN_TOKEN: ADMIN_TOKEN,
    MAILROOM_SMTP_PORT: '0',
    MAILROOM_HTTP_PORT: '0',
    MAILROOM_HEALTH_PORT: '0',
    MAILROOM_SMTP_RELAY: `smtp://127.0.0.1:${relay.smtpPort}`,
    MAILROOM_MAX_MESSAGE_BYTES: String(opts.maxMessageBytes ?? 1024 * 1024),
  };
  const log = (name: string): Logger => (opts.log || process.env.MAILROOM_TEST_LOG ? createLogger(name, 'debug') : silentLogger);
  const ticket = await startTicketService(readTicketConfig(env), log('ticket'));
  const [ingest, rules, scheduler, notifier] = await Promise.all([
    startIngestService(readIngestConfig(env), log('ingest')),
    startRulesService(readWorkerConfig(0, env), log('rules')),
    startSchedulerService({ ...readWorkerConfig(0, env), tickSeconds: 0 }, log('scheduler')),
    startNotifierService(readNotifierConfig(env), log('notifier')),
  ]);
  await Promise.all([ticket.broker, ingest.broker, rules.broker, scheduler.broker, notifier.broker].map((b) => b.waitUntilConnected()));
  const apiBase = `http://127.0.0.1:${ticket.httpPort}/api/v2`;
  const basic = 'Basic ' + Buffer.from(`${ADMIN_EMAIL}/token:${ADMIN_TOKEN}`).toString('base64');
  return {
    database,
    namespace,
    relay,
    ingest,
    ticket,
    rules,
    scheduler,
    notifier,
    smtpPort: ingest.smtpPort,
    apiBase,
    api: async (path, init = {}) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const auth = init.auth === undefined ? basic : init.auth;
      if (auth) headers.authorization = auth;
      const res = await fetch(`${apiBase}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    close: async () => {
      await Promise.all([ingest.close(), rules.close(), scheduler.close(), notifier.close()].map((p) => p.catch(() => undefined)));
      await ticket.close().catch(() => undefined);
      await relay.close();
      await database.drop();
    },
  };
};

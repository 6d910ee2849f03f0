// The five Mailroom services in one process, each with its own connections, on a database and a
// broker namespace of their own, with a mail catcher (or any SMTP server) as the outgoing relay.
// Real PostgreSQL, RabbitMQ, SMTP and HTTP throughout. Used by the e2e tests (through
// tests/support/system.ts) and by the benchmarks under bench/.
import { connect } from 'amqplib';
import { Client } from 'pg';
import { readIngestConfig, readNotifierConfig, readSchedulerConfig, readTicketConfig, readWorkerConfig } from '@mailroom/config';
import { topologyFor } from '@mailroom/contracts';
import { migrate } from '@mailroom/database';
import { INGEST_COMMANDS_QUEUE, MAIL_WORKER_QUEUE, startIngestService, type DnsResolver, type RunningIngest } from '@mailroom/ingest';
import { startMailCatcher, type MailCatcher, type MailCatcherOptions } from '@mailroom/mail-catcher';
import { deleteTopology, type QueueSpec } from '@mailroom/messaging';
import { NOTIFIER_QUEUE, startNotifierService, type RunningNotifier } from '@mailroom/notifier';
import { createLogger, silentLogger, type Level, type Logger } from '@mailroom/observability';
import { RULES_QUEUE, startRulesService, type RunningRules } from '@mailroom/rules';
import { SCHEDULER_QUEUE, startSchedulerService, type RunningScheduler } from '@mailroom/scheduler';
import { startTicketService, TICKET_COMMANDS_QUEUE, type RunningTicketService } from '@mailroom/ticket';

/** 'quiet': nothing; 'verbose': every service at debug; a level: every service at that level; or a logger per service. */
export type LocalSystemLog = 'quiet' | 'verbose' | Level | ((service: string) => Logger);

export interface LocalSystemOptions {
  database: {
    /** The database: created if missing and migrated at start (unless `migrate: false`). */
    url: string;
    /** Where the services reach it, when not `url` (e.g. through a TCP proxy a test can cut). */
    servicesUrl?: string;
    /** Apply the migrations at start (creates the database when missing). Default true. */
    migrate?: boolean;
    /** Drop the database at close(). Default false. */
    dropOnClose?: boolean;
  };
  amqp: {
    /** The broker, used directly for cleanup. */
    url: string;
    /** Where the services reach it, when not `url`. */
    servicesUrl?: string;
    /** Prefix of every exchange and queue: letters, digits, '.', '_' and '-'. */
    namespace: string;
    /** Delete the namespace's queues and exchanges at close(). Default false. */
    deleteOnClose?: boolean;
  };
  /**
   * The outgoing relay: a mail catcher started here (the default, on a free port; its options
   * may be given) or an SMTP URL of a relay running elsewhere.
   */
  relay?: { catcher?: Partial<MailCatcherOptions> } | { url: string };
  log?: LocalSystemLog;
  supportAddresses?: string;
  secret?: string;
  adminEmail?: string;
  adminToken?: string;
  accountName?: string;
  baseUrl?: string;
  maxMessageBytes?: number;
  /** The scheduler's tick; 0 (the default here) turns the timer off. */
  schedulerTickSeconds?: number;
  /** Further MAILROOM_* settings, applied last. */
  env?: Record<string, string>;
  /** ingest's DNS for sender authentication (SPF, DKIM, DMARC); node's resolver when absent. Tests always give one. */
  dnsResolver?: DnsResolver;
}

export interface LocalSystem {
  databaseUrl: string;
  namespace: string;
  /** The mail catcher when this system started one, else null. */
  relay: MailCatcher | null;
  relayUrl: string;
  ingest: RunningIngest;
  ticket: RunningTicketService;
  rules: RunningRules;
  scheduler: RunningScheduler;
  notifier: RunningNotifier;
  smtpPort: number;
  apiBase: string;
  /** Authorization header value for the seeded admin (email/token basic auth). */
  adminAuth: string;
  /** Calls the API as the seeded admin unless `auth` says otherwise (null: no Authorization). */
  api<T = any>(path: string, init?: { method?: string; body?: unknown; auth?: string | null }): Promise<{ status: number; body: T }>;
  /** Stops the services and the catcher; drops the database and deletes the namespace if asked to. */
  close(): Promise<void>;
}

/** Every queue the five services declare (each also has a `.dlq` companion; the delay tiers are shared). */
export const LOCAL_SYSTEM_QUEUES: QueueSpec[] = [MAIL_WORKER_QUEUE, INGEST_COMMANDS_QUEUE, TICKET_COMMANDS_QUEUE, RULES_QUEUE, SCHEDULER_QUEUE, NOTIFIER_QUEUE];

const loggerFor = (log: LocalSystemLog | undefined): ((service: string) => Logger) => {
  if (typeof log === 'function') return log;
  if (log === undefined || log === 'quiet') return () => silentLogger;
  const level: Level = log === 'verbose' ? 'debug' : log;
  return (service) => createLogger(service, level);
};

/** Drops the database named in the URL, disconnecting whoever is still connected. */
export const dropDatabase = async (url: string): Promise<void> => {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`unsupported database name "${name}"`);
  target.pathname = '/postgres';
  const admin = new Client({ connectionString: target.toString(), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
};

/**
 * Deletes the queues (main and partitions, dead-letter, delay tiers) and exchanges the services
 * declare under a namespace, with the partition count the services read (MAILROOM_PARTITIONS).
 */
export const deleteNamespace = async (amqpUrl: string, namespace: string, queues: QueueSpec[] = LOCAL_SYSTEM_QUEUES): Promise<void> => {
  const t = topologyFor(namespace, Number(process.env.MAILROOM_PARTITIONS) || 1);
  const conn = await connect(amqpUrl);
  try {
    const ch = await conn.createChannel();
    await deleteTopology(ch, t, queues);
    await ch.close();
  } finally {
    await conn.close();
  }
};

export const startLocalSystem = async (opts: LocalSystemOptions): Promise<LocalSystem> => {
  if (opts.database.migrate !== false) await migrate(opts.database.url);
  const relayOpts = opts.relay ?? {};
  const relay = 'url' in relayOpts ? null : await startMailCatcher({ smtpPort: 0, ...relayOpts.catcher });
  const relayUrl = 'url' in relayOpts ? relayOpts.url : `smtp://${relay!.host}:${relay!.smtpPort}`;
  const adminEmail = opts.adminEmail ?? 'admin@mailroom.test';
  const adminToken = opts.adminToken ?? 'local-system-admin-token';
  const env: Record<string, string> = {
    DATABASE_URL: opts.database.servicesUrl ?? opts.database.url,
    AMQP_URL: opts.amqp.servicesUrl ?? opts.amqp.url,
    MAILROOM_AMQP_NAMESPACE: opts.amqp.namespace,
    MAILROOM_SECRET: opts.secret ?? 'local-system-secret',
    MAILROOM_SUPPORT_ADDRESSES: opts.supportAddresses ?? 'Acme Support <support@mailroom.test>',
    MAILROOM_BASE_URL: opts.baseUrl ?? 'http://127.0.0.1:3000',
    MAILROOM_ACCOUNT_NAME: opts.accountName ?? 'Acme',
    MAILROOM_ADMIN_EMAIL: adminEmail,
    MAILROOM_ADMIN_TOKEN: adminToken,
    MAILROOM_SMTP_PORT: '0',
    MAILROOM_HTTP_PORT: '0',
    MAILROOM_HEALTH_PORT: '0',
    MAILROOM_SMTP_RELAY: relayUrl,
    MAILROOM_MAX_MESSAGE_BYTES: String(opts.maxMessageBytes ?? 1024 * 1024),
    // Tests poll the API every 50 ms as the admin; Zendesk's 700 a minute would slow them down.
    MAILROOM_API_RATE_LIMIT: '100000',
    ...opts.env,
  };
  const log = loggerFor(opts.log);

  // Whatever started is stopped again if a later step fails, so a failed start leaves nothing running.
  const started: { close(): Promise<void> }[] = relay ? [relay] : [];
  const cleanup = async (): Promise<void> => {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
    if (opts.database.dropOnClose) await dropDatabase(opts.database.url).catch(() => undefined);
    if (opts.amqp.deleteOnClose) await deleteNamespace(opts.amqp.url, opts.amqp.namespace).catch(() => undefined);
  };
  let ticket: RunningTicketService, ingest: RunningIngest, rules: RunningRules, scheduler: RunningScheduler, notifier: RunningNotifier;
  try {
    ticket = await startTicketService(readTicketConfig(env), log('ticket'));
    started.push(ticket);
    const rest = await Promise.allSettled([
      startIngestService(readIngestConfig(env), log('ingest'), { dnsResolver: opts.dnsResolver }),
      startRulesService(readWorkerConfig(0, env), log('rules')),
      startSchedulerService({ ...readSchedulerConfig({ MAILROOM_HEALTH_PORT: '0', ...env }), tickSeconds: opts.schedulerTickSeconds ?? 0 }, log('scheduler')),
      startNotifierService(readNotifierConfig(env), log('notifier')),
    ]);
    for (const r of rest) if (r.status === 'fulfilled') started.push(r.value);
    const failed = rest.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    [ingest, rules, scheduler, notifier] = rest.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [RunningIngest, RunningRules, RunningScheduler, RunningNotifier];
    await Promise.all([ticket.broker, ingest.broker, rules.broker, scheduler.broker, notifier.broker].map((b) => b.waitUntilConnected()));
  } catch (err) {
    await cleanup();
    throw err;
  }

  const apiBase = `http://127.0.0.1:${ticket.httpPort}/api/v2`;
  const adminAuth = 'Basic ' + Buffer.from(`${adminEmail}/token:${adminToken}`).toString('base64');
  let closing: Promise<void> | null = null;
  return {
    databaseUrl: opts.database.url,
    namespace: opts.amqp.namespace,
    relay,
    relayUrl,
    ingest,
    ticket,
    rules,
    scheduler,
    notifier,
    smtpPort: ingest.smtpPort,
    apiBase,
    adminAuth,
    api: async (path, init = {}) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const auth = init.auth === undefined ? adminAuth : init.auth;
      if (auth) headers.authorization = auth;
      const res = await fetch(`${apiBase}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    close: () =>
      (closing ??= (async () => {
        // The consumers and the SMTP edge first, then the ticket service they send commands to, then the relay.
        await Promise.all([ingest.close(), rules.close(), scheduler.close(), notifier.close()].map((p) => p.catch(() => undefined)));
        await ticket.close().catch(() => undefined);
        if (relay) await relay.close();
        if (opts.database.dropOnClose) await dropDatabase(opts.database.url);
        if (opts.amqp.deleteOnClose) await deleteNamespace(opts.amqp.url, opts.amqp.namespace);
      })()),
  };
};

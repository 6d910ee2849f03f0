/**
 * Typed configuration, read from the environment once at boot and validated there: a bad value
 * stops the process with a message naming the variable, never a surprise at the first mail.
 * Every setting and its default is listed in the README.
 */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

const read = (env: Env, name: string, fallback: string): string => {
  const v = env[name];
  return v === undefined || v.trim() === '' ? fallback : v.trim();
};

export const readInt = (env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
  const raw = read(env, name, String(fallback));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
};

export const readUrl = (env: Env, name: string, fallback: string, protocols: string[]): string => {
  const raw = read(env, name, fallback);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL: "${raw}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(' or ')}, got "${raw}"`);
  }
  return raw;
};

const DEV_ADMIN_TOKEN = 'mailroom-dev-token-change-me';
const DEV_SECRET = 'mailroom-dev-secret-change-me';

/**
 * `development` lets the published development token and secret work (npm start sets it);
 * anything else is an installation people rely on, where a value anyone can read in this
 * repository must never open the API or sign mail references.
 */
export type MailroomEnv = 'development' | 'production';

export const readMailroomEnv = (env: Env = process.env): MailroomEnv => {
  const v = read(env, 'MAILROOM_ENV', 'production').toLowerCase();
  if (v !== 'development' && v !== 'production') throw new ConfigError(`MAILROOM_ENV must be development or production, got "${v}"`);
  return v;
};

/** A secret setting, refused outside development when unset or left at its published development value. */
const readSecret = (env: Env, name: string, devValue: string): string => {
  const v = read(env, name, devValue);
  if (v === devValue && readMailroomEnv(env) !== 'development') {
    throw new ConfigError(`${name} is ${env[name] ? 'the published development value' : 'not set'}; set it to a secret of your own (MAILROOM_ENV=development allows the development value)`);
  }
  return v;
};

export interface CommonConfig {
  env: MailroomEnv;
  databaseUrl: string;
  amqpUrl: string;
  /** Prefix of every exchange and queue name (lets test runs share a vhost). */
  amqpNamespace: string;
  /**
   * Partitions each consumer's queue is split into (MAILROOM_PARTITIONS, 1–64, default 1; the
   * Kubernetes config sets 4): a ticket's messages stay in one, replicas share them. The
   * namespace's: every process must agree.
   */
  amqpPartitions: number;
  /** HMAC secret for ticket tokens in mail. */
  secret: string;
  supportAddresses: string;
  baseUrl: string;
  accountName: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Whether this process stands for the forwarder role (one holder at a time; README "Delivery guarantees"). */
  forwarder: boolean;
}

/** Where PostgreSQL is: all that the migrations need (they sign nothing and serve nothing). */
export const readDatabaseUrl = (env: Env = process.env): string =>
  readUrl(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/mailroom', ['postgres:', 'postgresql:']);

export const readCommonConfig = (env: Env = process.env): CommonConfig => {
  const logLevel = read(env, 'MAILROOM_LOG_LEVEL', 'info');
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(`MAILROOM_LOG_LEVEL must be debug, info, warn or error, got "${logLevel}"`);
  }
  const namespace = read(env, 'MAILROOM_AMQP_NAMESPACE', 'mailroom');
  if (!/^[A-Za-z0-9_.-]+$/.test(namespace)) {
    throw new ConfigError(`MAILROOM_AMQP_NAMESPACE may hold letters, digits, '.', '_' and '-' only, got "${namespace}"`);
  }
  return {
    env: readMailroomEnv(env),
    databaseUrl: readDatabaseUrl(env),
    amqpUrl: readUrl(env, 'AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672', ['amqp:', 'amqps:']),
    amqpNamespace: namespace,
    amqpPartitions: readInt(env, 'MAILROOM_PARTITIONS', 1, 1, 64),
    secret: readSecret(env, 'MAILROOM_SECRET', DEV_SECRET),
    supportAddresses: read(env, 'MAILROOM_SUPPORT_ADDRESSES', 'support@mailroom.test'),
    baseUrl: readUrl(env, 'MAILROOM_BASE_URL', 'http://127.0.0.1:3000', ['http:', 'https:']).replace(/\/+$/, ''),
    accountName: read(env, 'MAILROOM_ACCOUNT_NAME', 'Mailroom'),
    logLevel: logLevel as CommonConfig['logLevel'],
    // The ticket service stands for it unless told otherwise (readTicketConfig); any other service may.
    forwarder: readBool(env, 'MAILROOM_FORWARDER', false),
  };
};

/** The SMTP edge's protocol, TLS, AUTH and per-client limits (README "SMTP ingest"). */
export interface SmtpEdgeSettings {
  /** Name in the greeting and the development certificate. */
  hostname: string;
  /** Speak LMTP (LHLO, one reply per recipient) instead of SMTP. */
  lmtp: boolean;
  /** Offer STARTTLS; without a certificate a self-signed development one is generated at start. */
  starttls: boolean;
  tlsCertFile: string | null;
  tlsKeyFile: string | null;
  /** `user:password` pairs, comma separated; AUTH is offered (after STARTTLS) only when users are set. */
  authUsers: string | null;
  /** A file of `user:password` lines, read at start. */
  authUsersFile: string | null;
  authRequired: boolean;
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxRecipients: number;
  /** Mails a client address may start per minute; 0 turns the limit off. */
  messagesPerMinutePerIp: number;
  /** Addresses (CIDR) exempt from the per-address limits, e.g. the relaying MTA. */
  trustedNetworks: string;
  /** Store the mails that finish DATA together in one transaction (one WAL flush) before their 250s. */
  groupCommit: boolean;
  /** Most mails, and most raw bytes (a larger mail still goes, alone), in one group commit. */
  groupCommitMaxMails: number;
  groupCommitMaxBytes: number;
}

export interface IngestConfig extends CommonConfig {
  smtpHost: string;
  smtpPort: number;
  maxMessageBytes: number;
  healthHost: string;
  healthPort: number;
  smtpEdge: SmtpEdgeSettings;
  screening: ScreeningSettings;
  parsing: ParsingSettings;
  senderAuth: SenderAuthSettings;
}

/** Sender authentication at ingest (README "Sender authentication"). */
export interface SenderAuthSettings {
  /** `off`, `agents` (mail from agents or our own domains must authenticate) or `all`. */
  policy: 'off' | 'agents' | 'all';
  /** authserv-id of the relay whose Authentication-Results are believed; null: ingest checks SPF/DKIM/DMARC itself. */
  trustedRelay: string | null;
}

export const readSenderAuthSettings = (env: Env = process.env): SenderAuthSettings => {
  const policy = read(env, 'MAILROOM_SENDER_AUTH_POLICY', 'agents').toLowerCase();
  if (policy !== 'off' && policy !== 'agents' && policy !== 'all') throw new ConfigError(`MAILROOM_SENDER_AUTH_POLICY must be off, agents or all, got "${policy}"`);
  const relay = read(env, 'MAILROOM_SENDER_AUTH_TRUSTED_RELAY', '');
  // An authserv-id is a host name as the relay writes it first in its Authentication-Results.
  if (relay !== '' && !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(relay)) throw new ConfigError(`MAILROOM_SENDER_AUTH_TRUSTED_RELAY must be the relay's authserv-id (a host name), got "${relay}"`);
  return { policy, trustedRelay: relay === '' ? null : relay.toLowerCase() };
};

/** What parsing one mail may cost (README "Settings"); a mail past a limit is suspended, raw kept. */
export interface ParsingSettings {
  maxHeaderBytes: number;
  maxMimeDepth: number;
  maxParts: number;
  maxLinks: number;
  parseTimeoutMs: number;
  threads: number;
  threadMemoryMb: number;
}

export const readParsingSettings = (env: Env = process.env): ParsingSettings => ({
  maxHeaderBytes: readInt(env, 'MAILROOM_MAX_HEADER_BYTES', 100 * 1024, 1024),
  maxMimeDepth: readInt(env, 'MAILROOM_MAX_MIME_DEPTH', 50, 2, 10_000),
  maxParts: readInt(env, 'MAILROOM_MAX_MIME_PARTS', 1000, 1),
  maxLinks: readInt(env, 'MAILROOM_MAX_LINKS', 1000, 0),
  parseTimeoutMs: readInt(env, 'MAILROOM_PARSE_TIMEOUT_MS', 15_000, 100),
  threads: readInt(env, 'MAILROOM_PARSE_THREADS', 2, 1, 64),
  threadMemoryMb: readInt(env, 'MAILROOM_PARSE_THREAD_MEMORY_MB', 512, 16),
});

/** Loop and junk protection and suspended-ticket retention (README "Settings"). */
export interface ScreeningSettings {
  /** Space- or comma-separated addresses and domains; validated by the ingest service at start. */
  allowlist: string;
  /** The same, with `reject:` / `suspend:` prefixes and `*` (Zendesk's blocklist syntax). */
  blocklist: string;
  /** Mails per sender and window that are processed; the next `senderSuspendLimit` are suspended, the rest rejected. */
  senderRateLimit: number;
  senderSuspendLimit: number;
  senderRateWindowMinutes: number;
  /** Mails that may update one ticket within an hour; the next are suspended as a loop (`loop`). */
  ticketMailCommentsPerHour: number;
  suspendedRetentionDays: number;
  /** How often the retention purge runs; 0 turns the timer off. */
  suspendedPurgeIntervalSeconds: number;
}

export const readScreeningSettings = (env: Env = process.env): ScreeningSettings => ({
  allowlist: read(env, 'MAILROOM_ALLOWLIST', ''),
  blocklist: read(env, 'MAILROOM_BLOCKLIST', ''),
  senderRateLimit: readInt(env, 'MAILROOM_SENDER_RATE_LIMIT', 20, 1),
  senderSuspendLimit: readInt(env, 'MAILROOM_SENDER_SUSPEND_LIMIT', 20, 0),
  senderRateWindowMinutes: readInt(env, 'MAILROOM_SENDER_RATE_WINDOW_MINUTES', 60, 1, 7 * 24 * 60),
  ticketMailCommentsPerHour: readInt(env, 'MAILROOM_TICKET_MAIL_COMMENTS_PER_HOUR', 20, 1),
  suspendedRetentionDays: readInt(env, 'MAILROOM_SUSPENDED_RETENTION_DAYS', 14, 1, 3650),
  suspendedPurgeIntervalSeconds: readInt(env, 'MAILROOM_SUSPENDED_PURGE_INTERVAL_SECONDS', 3600, 0),
});

const readBool = (env: Env, name: string, fallback: boolean): boolean => {
  const raw = read(env, name, String(fallback)).toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
};

const CIDR = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(\/\d{1,3})?$/;

export const readSmtpEdgeSettings = (env: Env = process.env): SmtpEdgeSettings => {
  const optional = (name: string): string | null => {
    const v = read(env, name, '');
    return v === '' ? null : v;
  };
  const s: SmtpEdgeSettings = {
    hostname: read(env, 'MAILROOM_SMTP_HOSTNAME', 'mailroom'),
    lmtp: readBool(env, 'MAILROOM_SMTP_LMTP', false),
    starttls: readBool(env, 'MAILROOM_SMTP_STARTTLS', true),
    tlsCertFile: optional('MAILROOM_SMTP_TLS_CERT'),
    tlsKeyFile: optional('MAILROOM_SMTP_TLS_KEY'),
    authUsers: optional('MAILROOM_SMTP_AUTH_USERS'),
    authUsersFile: optional('MAILROOM_SMTP_AUTH_USERS_FILE'),
    authRequired: readBool(env, 'MAILROOM_SMTP_AUTH_REQUIRED', false),
    maxConnections: readInt(env, 'MAILROOM_SMTP_MAX_CONNECTIONS', 200, 1),
    maxConnectionsPerIp: readInt(env, 'MAILROOM_SMTP_MAX_CONNECTIONS_PER_IP', 20, 1),
    maxRecipients: readInt(env, 'MAILROOM_SMTP_MAX_RECIPIENTS', 100, 1),
    messagesPerMinutePerIp: readInt(env, 'MAILROOM_SMTP_MESSAGES_PER_MINUTE_PER_IP', 60, 0),
    trustedNetworks: read(env, 'MAILROOM_SMTP_TRUSTED_NETWORKS', '127.0.0.0/8,::1/128'),
    groupCommit: readBool(env, 'MAILROOM_SMTP_GROUP_COMMIT', true),
    groupCommitMaxMails: readInt(env, 'MAILROOM_SMTP_GROUP_COMMIT_MAX_MAILS', 200, 1, 5000),
    groupCommitMaxBytes: readInt(env, 'MAILROOM_SMTP_GROUP_COMMIT_MAX_BYTES', 16 * 1024 * 1024, 1024),
  };
  if (!/^[A-Za-z0-9.-]+$/.test(s.hostname)) throw new ConfigError(`MAILROOM_SMTP_HOSTNAME must be a host name, got "${s.hostname}"`);
  if ((s.tlsCertFile === null) !== (s.tlsKeyFile === null)) throw new ConfigError('MAILROOM_SMTP_TLS_CERT and MAILROOM_SMTP_TLS_KEY must be set together');
  if (s.tlsCertFile && !s.starttls) throw new ConfigError('MAILROOM_SMTP_TLS_CERT is set but MAILROOM_SMTP_STARTTLS is false');
  const hasUsers = s.authUsers !== null || s.authUsersFile !== null;
  if (hasUsers && !s.starttls) throw new ConfigError('SMTP AUTH is offered only over TLS: MAILROOM_SMTP_AUTH_USERS needs MAILROOM_SMTP_STARTTLS=true');
  if (s.authRequired && !hasUsers) throw new ConfigError('MAILROOM_SMTP_AUTH_REQUIRED=true needs MAILROOM_SMTP_AUTH_USERS or MAILROOM_SMTP_AUTH_USERS_FILE');
  if (s.authUsers !== null) {
    for (const pair of s.authUsers.split(',').map((p) => p.trim()).filter(Boolean)) {
      if (!/^[^:\s]+:.+$/.test(pair)) throw new ConfigError('MAILROOM_SMTP_AUTH_USERS must be user:password pairs separated by commas');
    }
  }
  for (const net of s.trustedNetworks.split(',').map((n) => n.trim()).filter(Boolean)) {
    if (!CIDR.test(net)) throw new ConfigError(`MAILROOM_SMTP_TRUSTED_NETWORKS holds "${net}", which is not an address or CIDR block`);
  }
  return s;
};

export const readIngestConfig = (env: Env = process.env): IngestConfig => ({
  ...readCommonConfig(env),
  smtpHost: read(env, 'MAILROOM_SMTP_HOST', '127.0.0.1'),
  smtpPort: readInt(env, 'MAILROOM_SMTP_PORT', 2525, 0, 65535),
  maxMessageBytes: readInt(env, 'MAILROOM_MAX_MESSAGE_BYTES', 25 * 1024 * 1024, 1024),
  healthHost: read(env, 'MAILROOM_HEALTH_HOST', '127.0.0.1'),
  healthPort: readInt(env, 'MAILROOM_HEALTH_PORT', 3001, 0, 65535),
  smtpEdge: readSmtpEdgeSettings(env),
  screening: readScreeningSettings(env),
  parsing: readParsingSettings(env),
  senderAuth: readSenderAuthSettings(env),
});

/** The configured admin API token: the ticket service seeds it, the scheduler guards its internal endpoint with it. */
export const readAdminToken = (env: Env = process.env): string => {
  const adminToken = readSecret(env, 'MAILROOM_ADMIN_TOKEN', DEV_ADMIN_TOKEN);
  if (adminToken.length < 16) throw new ConfigError('MAILROOM_ADMIN_TOKEN must be at least 16 characters');
  return adminToken;
};

export interface TicketConfig extends CommonConfig {
  httpHost: string;
  httpPort: number;
  adminEmail: string;
  adminName: string;
  adminToken: string;
  apiLimits: ApiLimitSettings;
}

/** API rate limits (README "API"), counted in PostgreSQL so that every replica sees the same counts. */
export interface ApiLimitSettings {
  /** Failed authentications per client address, and per claimed email, in the window; then 429. */
  authFailureLimit: number;
  authFailureWindowSeconds: number;
  /** Authenticated requests per user and minute (Zendesk's plan limit); 0 turns the limit off. */
  requestsPerMinute: number;
  /** Express's `trust proxy`: whose X-Forwarded-For names the client (e.g. the Ingress); empty: nobody's. */
  trustProxy: string;
}

export const readApiLimitSettings = (env: Env = process.env): ApiLimitSettings => ({
  authFailureLimit: readInt(env, 'MAILROOM_AUTH_FAILURE_LIMIT', 10, 1, 100_000),
  authFailureWindowSeconds: readInt(env, 'MAILROOM_AUTH_FAILURE_WINDOW_SECONDS', 300, 1, 86_400),
  requestsPerMinute: readInt(env, 'MAILROOM_API_RATE_LIMIT', 700, 0, 1_000_000),
  trustProxy: read(env, 'MAILROOM_HTTP_TRUST_PROXY', ''),
});

export const readTicketConfig = (env: Env = process.env): TicketConfig => {
  const adminEmail = read(env, 'MAILROOM_ADMIN_EMAIL', 'admin@mailroom.test').toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(adminEmail)) throw new ConfigError(`MAILROOM_ADMIN_EMAIL is not an address: "${adminEmail}"`);
  const adminToken = readAdminToken(env);
  return {
    ...readCommonConfig(env),
    httpHost: read(env, 'MAILROOM_HTTP_HOST', '127.0.0.1'),
    httpPort: readInt(env, 'MAILROOM_HTTP_PORT', 3000, 0, 65535),
    adminEmail,
    adminName: read(env, 'MAILROOM_ADMIN_NAME', 'Admin'),
    adminToken,
    apiLimits: readApiLimitSettings(env),
    forwarder: readBool(env, 'MAILROOM_FORWARDER', true),
  };
};

export interface WorkerConfig extends CommonConfig {
  healthHost: string;
  healthPort: number;
}

export const readWorkerConfig = (defaultHealthPort: number, env: Env = process.env): WorkerConfig => ({
  ...readCommonConfig(env),
  healthHost: read(env, 'MAILROOM_HEALTH_HOST', '127.0.0.1'),
  healthPort: readInt(env, 'MAILROOM_HEALTH_PORT', defaultHealthPort, 0, 65535),
});

export interface SchedulerConfig extends WorkerConfig {
  /** How often the scheduler looks at the wall clock; 0: cycles only through the endpoints and the CLI. */
  tickSeconds: number;
  /** How often automations run (Zendesk: hourly): a cycle at each multiple of this many minutes. */
  automationIntervalMinutes: number;
  /** `POST /internal/tick` moves the clock: it needs this token as a bearer token (README "Settings"). */
  adminToken: string;
}

export const readSchedulerConfig = (env: Env = process.env): SchedulerConfig => ({
  ...readWorkerConfig(3003, env),
  tickSeconds: readInt(env, 'MAILROOM_TICK_SECONDS', 60, 0, 86400),
  automationIntervalMinutes: readInt(env, 'MAILROOM_AUTOMATION_INTERVAL_MINUTES', 60, 1, 1440),
  adminToken: readAdminToken(env),
});

export interface NotifierConfig extends WorkerConfig {
  smtpRelay: string;
  webhooks: WebhookSettings;
}

/** Outgoing webhook calls (README "Webhooks"). */
export interface WebhookSettings {
  /** Allow endpoints on loopback, private, link-local and other internal addresses (off: SSRF protection). */
  allowPrivateTargets: boolean;
  /** Time one attempt may take, connect to answer. */
  timeoutMs: number;
  /** Waits before each retry of a failed call; the list's length bounds the retries. */
  retryDelaysMs: number[];
}

export const readWebhookSettings = (env: Env = process.env): WebhookSettings => {
  const raw = read(env, 'MAILROOM_WEBHOOK_RETRY_DELAYS_MS', '5000,30000,120000,600000');
  const retryDelaysMs = raw === 'none' ? [] : raw.split(/[\s,]+/).filter(Boolean).map(Number);
  if (retryDelaysMs.length > 20 || retryDelaysMs.some((n) => !Number.isInteger(n) || n < 0 || n > 86_400_000)) {
    throw new ConfigError(`MAILROOM_WEBHOOK_RETRY_DELAYS_MS must be up to 20 comma-separated milliseconds (or "none"), got "${raw}"`);
  }
  return {
    allowPrivateTargets: readBool(env, 'MAILROOM_WEBHOOK_ALLOW_PRIVATE', false),
    timeoutMs: readInt(env, 'MAILROOM_WEBHOOK_TIMEOUT_MS', 12_000, 100, 120_000),
    retryDelaysMs,
  };
};

export const readNotifierConfig = (env: Env = process.env): NotifierConfig => ({
  ...readWorkerConfig(3004, env),
  smtpRelay: readUrl(env, 'MAILROOM_SMTP_RELAY', 'smtp://127.0.0.1:1025', ['smtp:', 'smtps:']),
  webhooks: readWebhookSettings(env),
});

export const DEFAULTS = { DEV_ADMIN_TOKEN, DEV_SECRET } as const;

import { connect as amqpConnect } from 'amqplib';
import { Client } from 'pg';

/**
 * What stops a service at start-up, said in one line an operator can act on: the setting to look
 * at, the host and port, what the system answered. Never a stack trace, never a password.
 */
export class StartupFailure extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** sysexits.h: a service we depend on is not there (69), a setting is wrong (78). */
export const EX_UNAVAILABLE = 69;
export const EX_CONFIG = 78;

/** host:port/path of a URL, without user or password. */
export const whereIs = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return '(unparseable URL)';
  }
};

const reason = (err: unknown): string => {
  const e = err as { code?: string; message?: string };
  const message = (e?.message ?? String(err)).split('\n')[0];
  return e?.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
};

/** Tries `attempt` until it succeeds or `waitSeconds` have passed (0: once); throws the last error. */
const retryFor = async (waitSeconds: number, attempt: () => Promise<void>): Promise<void> => {
  const until = Date.now() + waitSeconds * 1000;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() >= until) throw err;
      await new Promise((r) => setTimeout(r, Math.min(2000, 250 * n, Math.max(0, until - Date.now()))));
    }
  }
};

const waited = (seconds: number): string => (seconds > 0 ? ` (waited ${seconds} s, MAILROOM_STARTUP_WAIT_SECONDS)` : '');

/**
 * Waits for PostgreSQL to accept a login to the configured database. Services connect again
 * afterwards on their own and ride out later outages; this only turns a wrong or unreachable
 * DATABASE_URL at start into a clear refusal instead of an endless wait.
 */
export const checkDatabase = async (url: string, waitSeconds: number): Promise<void> => {
  try {
    await retryFor(waitSeconds, async () => {
      const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
      } finally {
        await client.end().catch(() => undefined);
      }
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const hint = code === '3D000' ? '; create it with npm run migrate' : code === '28P01' || code === '28000' ? '; check the user and password' : '';
    throw new StartupFailure(`cannot reach PostgreSQL at ${whereIs(url)} (DATABASE_URL): ${reason(err)}${hint}${waited(waitSeconds)}`, EX_UNAVAILABLE);
  }
};

/** Waits for RabbitMQ to accept a connection with the configured credentials and vhost. */
export const checkBroker = async (url: string, waitSeconds: number): Promise<void> => {
  try {
    await retryFor(waitSeconds, async () => {
      const conn = await amqpConnect(url, { timeout: 5000 });
      conn.on('error', () => undefined);
      await conn.close().catch(() => undefined);
    });
  } catch (err) {
    throw new StartupFailure(`cannot reach RabbitMQ at ${whereIs(url)} (AMQP_URL): ${reason(err)}${waited(waitSeconds)}`, EX_UNAVAILABLE);
  }
};

/** The settings that hold a port, by the name of the config field. */
const PORT_SETTINGS: Record<string, string> = {
  httpPort: 'MAILROOM_HTTP_PORT',
  smtpPort: 'MAILROOM_SMTP_PORT',
  healthPort: 'MAILROOM_HEALTH_PORT',
};

/**
 * One line for an error that stopped the start: a port that cannot be bound names the setting
 * that chose it (found in the service's config by value); anything else gives its message.
 */
export const explainStartError = (err: unknown, cfg: object): StartupFailure => {
  if (err instanceof StartupFailure) return err;
  const e = err as { code?: string; port?: number; address?: string; syscall?: string };
  if ((e?.code === 'EADDRINUSE' || e?.code === 'EACCES' || e?.code === 'EADDRNOTAVAIL') && e.syscall === 'listen') {
    const settings = Object.entries(cfg as Record<string, unknown>)
      .filter(([key, value]) => PORT_SETTINGS[key] && value === e.port)
      .map(([key]) => PORT_SETTINGS[key]);
    const where = `${e.address ?? ''}:${e.port ?? '?'}`;
    const what =
      e.code === 'EADDRINUSE' ? 'the port is already in use (another Mailroom or another program)' : e.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : 'the address is not one of this machine’s';
    return new StartupFailure(`cannot listen on ${where}: ${what}${settings.length ? `; set ${settings.join(' or ')} to another port` : ''}`, 1);
  }
  return new StartupFailure(`could not start: ${reason(err)}`, 1);
};

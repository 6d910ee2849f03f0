import { ConfigError, readInt } from '@mailroom/config';
import { createLogger, type Level, type Logger } from './index';
import { checkBroker, checkDatabase, EX_CONFIG, explainStartError, StartupFailure } from './startup-checks';

export interface RunMainOptions {
  /**
   * false: the service starts without RabbitMQ and connects when it comes (ingest: mail is
   * accepted and waits in the log). PostgreSQL is always needed.
   */
  needsBroker?: boolean;
}

/**
 * Stops the process after a failed start with one line on stderr — the setting, host or port to
 * look at and what went wrong — and a non-zero exit code; no stack trace, which tells an operator
 * nothing (MAILROOM_LOG_LEVEL=debug adds it for a developer).
 */
const fail = (service: string, failure: StartupFailure, err?: unknown): never => {
  process.stderr.write(`${service}: ${failure.message}\n`);
  if (err instanceof Error && err.stack && process.env.MAILROOM_LOG_LEVEL === 'debug') process.stderr.write(`${err.stack}\n`);
  process.exit(failure.exitCode);
};

/**
 * The shell every app's main.ts uses: read config (a bad value stops the process with a clear
 * message), wait a bounded time for PostgreSQL and RabbitMQ (MAILROOM_STARTUP_WAIT_SECONDS), start,
 * and stop cleanly on SIGTERM/SIGINT so Kubernetes can roll pods.
 */
export const runMain = async <C extends { logLevel: Level }>(
  service: string,
  readConfig: () => C,
  start: (cfg: C, log: Logger) => Promise<{ close(): Promise<void> }>,
  opts: RunMainOptions = {},
): Promise<void> => {
  let cfg: C;
  let waitSeconds: number;
  try {
    cfg = readConfig();
    waitSeconds = readInt(process.env, 'MAILROOM_STARTUP_WAIT_SECONDS', 30, 0, 3600);
  } catch (err) {
    if (err instanceof ConfigError) return fail(service, new StartupFailure(`configuration error: ${err.message}`, EX_CONFIG));
    return fail(service, explainStartError(err, {}), err);
  }
  const log = createLogger(service, cfg.logLevel);
  let running: { close(): Promise<void> };
  try {
    const deps = cfg as unknown as { databaseUrl?: string; amqpUrl?: string };
    if (deps.databaseUrl) await checkDatabase(deps.databaseUrl, waitSeconds);
    if (deps.amqpUrl && opts.needsBroker !== false) await checkBroker(deps.amqpUrl, waitSeconds);
    running = await start(cfg, log);
  } catch (err) {
    return fail(service, explainStartError(err, cfg), err);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received, stopping`);
    const force = setTimeout(() => process.exit(1), 15000);
    force.unref();
    await running.close().catch((err) => log.error(`error while stopping: ${(err as Error).message}`));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
};

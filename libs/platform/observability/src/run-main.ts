import { ConfigError } from '@mailroom/config';
import { createLogger, type Level, type Logger } from './index';

/**
 * The shell every app's main.ts uses: read config (a bad value stops the process with a clear
 * message), start, and stop cleanly on SIGTERM/SIGINT so Kubernetes can roll pods.
 */
export const runMain = async <C extends { logLevel: Level }>(
  service: string,
  readConfig: () => C,
  start: (cfg: C, log: Logger) => Promise<{ close(): Promise<void> }>,
): Promise<void> => {
  let cfg: C;
  try {
    cfg = readConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${service}: configuration error: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(service, cfg.logLevel);
  const running = await start(cfg, log);
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

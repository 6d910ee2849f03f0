import http from 'node:http';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** One JSON object per line on stdout: what log collectors in Kubernetes read. */
export const createLogger = (service: string, level: Level = 'info', write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger => {
  const at = (lvl: Level) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, service, msg, ...fields }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
};

export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Liveness and readiness for probes: `/health/live` answers while the process runs,
 * `/health/ready` runs the checks and answers 503 with the failing ones.
 */
export const startHealthServer = async (
  host: string,
  port: number,
  checks: Record<string, () => Promise<boolean> | boolean>,
): Promise<{ port: number; close: () => Promise<void> }> => {
  const server = http.createServer(async (req, res) => {
    if (req.url === '/health/live') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (req.url === '/health/ready') {
      const results: Record<string, boolean> = {};
      for (const [name, check] of Object.entries(checks)) {
        try {
          results[name] = await check();
        } catch {
          results[name] = false;
        }
      }
      const ok = Object.values(results).every(Boolean);
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', checks: results }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = (server.address() as { port: number }).port;
  return { port: actual, close: () => new Promise<void>((r) => server.close(() => r())) };
};
export * from './run-main';
export * from './startup-checks';

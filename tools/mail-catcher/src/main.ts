// CLI: `node dist/tools/mail-catcher/src/main.js` (or via `npm start`). Listens on
// MAILROOM_CATCHER_HOST (default 127.0.0.1; 0.0.0.0 in containers), SMTP on
// MAILROOM_CATCHER_SMTP_PORT (default 1025) and the web page on MAILROOM_CATCHER_HTTP_PORT
// (default 1080; set it to "off" for no web page); keeps the newest MAILROOM_CATCHER_MAX_MESSAGES
// mails (default 1000).
import { startMailCatcher } from './mail-catcher';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be a port number (0-65535), got ${JSON.stringify(raw)}`);
  }
  return value;
}

async function main(): Promise<void> {
  const host = process.env.MAILROOM_CATCHER_HOST || '127.0.0.1';
  const httpOff = ['off', 'none', 'false'].includes((process.env.MAILROOM_CATCHER_HTTP_PORT ?? '').toLowerCase());
  const rawMax = process.env.MAILROOM_CATCHER_MAX_MESSAGES;
  const maxMessages = rawMax ? Number(rawMax) : undefined;
  if (maxMessages !== undefined && !(Number.isInteger(maxMessages) && maxMessages > 0)) {
    throw new Error(`MAILROOM_CATCHER_MAX_MESSAGES must be a positive whole number, got ${JSON.stringify(rawMax)}`);
  }
  const catcher = await startMailCatcher({
    host,
    smtpPort: port('MAILROOM_CATCHER_SMTP_PORT', 1025),
    httpPort: httpOff ? null : port('MAILROOM_CATCHER_HTTP_PORT', 1080),
    maxMessages,
  });
  console.log(`mail-catcher: SMTP on smtp://${host}:${catcher.smtpPort}`);
  if (catcher.httpPort !== null) console.log(`mail-catcher: web page on http://${host}:${catcher.httpPort}/`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`mail-catcher: ${signal}, stopping`);
    catcher.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const e = err as { code?: string; port?: number; message?: string };
  const setting = e?.code === 'EADDRINUSE' ? ` (port ${e.port} is taken: set MAILROOM_CATCHER_SMTP_PORT or MAILROOM_CATCHER_HTTP_PORT)` : '';
  console.error(`mail-catcher: failed to start: ${e?.message ?? String(err)}${setting}`);
  process.exit(1);
});

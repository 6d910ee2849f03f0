import { createServer } from 'node:net';
import { ConfigError, readInt, type IngestConfig, type TicketConfig } from '@mailroom/config';

/**
 * What `npm start` will run and where each piece listens, read from the same settings the
 * services read — so the banner prints what is really configured and a taken port is found before
 * anything starts.
 */
export interface Listener {
  /** The setting that chooses the port, as an operator would change it. */
  setting: string;
  host: string;
  port: number;
}

export interface WorkerPlan {
  name: 'ingest' | 'rules' | 'scheduler' | 'notifier';
  healthSetting: string;
  healthPort: number;
}

export interface StartPlan {
  workers: WorkerPlan[];
  healthHost: string;
  /** The local mail catcher, when outgoing mail is not relayed elsewhere. */
  catcher: { host: string; smtpPort: number; httpPort: number | null } | null;
  /** Where the notifier sends mail: the catcher, or MAILROOM_SMTP_RELAY. */
  relay: string;
  listeners: Listener[];
  /** Settings that are set but mean nothing to `npm start`, with what to use instead. */
  notes: string[];
}

export const DEFAULT_RELAY = 'smtp://127.0.0.1:1025';

const WORKERS: Array<[WorkerPlan['name'], number]> = [
  ['ingest', 3001],
  ['rules', 3002],
  ['scheduler', 3003],
  ['notifier', 3004],
];

/** A host a client on this machine can connect to (a wildcard bind is reached through loopback). */
export const reachable = (host: string): string => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);

export const planStart = (env: NodeJS.ProcessEnv, ticket: TicketConfig, ingest: IngestConfig): StartPlan => {
  const healthHost = env.MAILROOM_HEALTH_HOST || '127.0.0.1';
  const workers = WORKERS.map(([name, fallback]) => {
    const healthSetting = `MAILROOM_${name.toUpperCase()}_HEALTH_PORT`;
    return { name, healthSetting, healthPort: readInt(env, healthSetting, fallback, 1, 65535) };
  });
  const relaySetting = env.MAILROOM_SMTP_RELAY;
  const useCatcher = !relaySetting || relaySetting === DEFAULT_RELAY;
  let catcher: StartPlan['catcher'] = null;
  if (useCatcher) {
    const httpOff = ['off', 'none', 'false'].includes((env.MAILROOM_CATCHER_HTTP_PORT ?? '').toLowerCase());
    catcher = {
      host: env.MAILROOM_CATCHER_HOST || '127.0.0.1',
      smtpPort: readInt(env, 'MAILROOM_CATCHER_SMTP_PORT', 1025, 1, 65535),
      httpPort: httpOff ? null : readInt(env, 'MAILROOM_CATCHER_HTTP_PORT', 1080, 1, 65535),
    };
  }
  const listeners: Listener[] = [
    { setting: 'MAILROOM_HTTP_PORT', host: ticket.httpHost, port: ticket.httpPort },
    { setting: 'MAILROOM_SMTP_PORT', host: ingest.smtpHost, port: ingest.smtpPort },
    ...workers.map((w) => ({ setting: w.healthSetting, host: healthHost, port: w.healthPort })),
  ];
  if (catcher) {
    listeners.push({ setting: 'MAILROOM_CATCHER_SMTP_PORT', host: catcher.host, port: catcher.smtpPort });
    if (catcher.httpPort !== null) listeners.push({ setting: 'MAILROOM_CATCHER_HTTP_PORT', host: catcher.host, port: catcher.httpPort });
  }
  for (let i = 0; i < listeners.length; i++) {
    // Port 0 lets the system choose a free port each time, so it never collides.
    const twin = listeners[i].port === 0 ? undefined : listeners.slice(0, i).find((l) => l.port === listeners[i].port);
    if (twin) throw new ConfigError(`${twin.setting} and ${listeners[i].setting} are both ${twin.port}; give each its own port`);
  }
  const notes: string[] = [];
  if (env.MAILROOM_HEALTH_PORT) {
    notes.push(`MAILROOM_HEALTH_PORT is for one service started on its own; npm start ignores it and uses ${workers.map((w) => w.healthSetting).join(', ')}`);
  }
  return {
    workers,
    healthHost,
    catcher,
    relay: catcher ? `smtp://${reachable(catcher.host)}:${catcher.smtpPort}` : relaySetting!,
    listeners,
    notes,
  };
};

/** Binds each listener's port for a moment; the first one that is taken (or not ours to bind) is returned, explained. */
export const firstBusyPort = async (listeners: readonly Listener[]): Promise<string | null> => {
  for (const l of listeners) {
    const problem = await new Promise<string | null>((resolve) => {
      const server = createServer();
      server.once('error', (err: NodeJS.ErrnoException) => {
        const what = err.code === 'EADDRINUSE' ? 'is already in use (another Mailroom or another program)' : err.code === 'EACCES' ? 'needs privileges (ports below 1024)' : `cannot be bound (${err.code ?? err.message})`;
        resolve(`port ${l.port} on ${l.host} ${what}; set ${l.setting} to another port`);
      });
      server.listen(l.port, l.host, () => server.close(() => resolve(null)));
    });
    if (problem) return problem;
  }
  return null;
};

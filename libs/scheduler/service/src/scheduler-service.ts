import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { WorkerConfig } from '@mailroom/config';
import { connectDatabase, type DataSourceDb, type Db } from '@mailroom/database';
import { Broker, brokerFor } from '@mailroom/messaging';
import type { Logger } from '@mailroom/observability';
import { runCycle, type CycleReport } from './automations/automation-cycle';
import { seedStandardAutomations } from './automations/automation-store';
import { SCHEDULER_QUEUE, schedulerHandlers } from './scheduler-consumer';

export interface TickResult {
  at: string;
  /** What the cycle at that instant did (also when it had run already: what it did then). */
  cycle: CycleReport;
}

/**
 * One full automation cycle at an instant given from outside (time is injected), waiting for a
 * cycle in progress on another replica: the internal endpoint, the API and the CLI.
 */
export const tick = async (db: Db, now: Date): Promise<TickResult> => {
  const outcome = await runCycle(db, now, { wait: true });
  if (!outcome.ran) throw new Error('the cycle lock was not taken');
  return { at: now.toISOString(), cycle: outcome.cycle };
};

/** The instant of the wall-clock cycle due at `now`: the last multiple of the interval (the same on every replica). */
export const cycleSlot = (now: Date, intervalMinutes: number): Date => {
  const step = intervalMinutes * 60_000;
  return new Date(Math.floor(now.getTime() / step) * step);
};

/**
 * The wall clock: every `tickSeconds` it looks whether the cycle of the current slot has run, and
 * runs it if not. Replicas agree on the slot, so they race for one cycle: the first takes the
 * advisory lock, the others skip (busy) or find it finished.
 */
export const wallClockTick = async (db: Db, now: Date, intervalMinutes: number): Promise<void> => {
  const slot = cycleSlot(now, intervalMinutes);
  const [done] = await db.query(`SELECT 1 FROM scheduler.cycles WHERE at = $1 AND finished_at IS NOT NULL`, [slot.toISOString()]);
  if (done) return;
  await runCycle(db, slot, { wait: false });
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Who may move the clock. The health server listens on every interface in containers so the
 * kubelet can probe it, but a tick can fire automations for every ticket: it is answered only to
 * a caller on the pod's or host's own loopback (an operator's `kubectl exec`, a test) that also
 * shows the admin token as a bearer token. Null when allowed, else the refusal.
 */
export const tickRefusal = (remoteAddress: string | undefined, authorization: string | undefined, adminToken: string | undefined): { status: number; error: string } | null => {
  if (!remoteAddress || !LOOPBACK.test(remoteAddress)) return { status: 403, error: 'the internal endpoints answer loopback clients only' };
  const m = /^bearer\s+(\S+)$/i.exec(authorization ?? '');
  // Hashes compared in constant time: equal lengths whatever the guess, nothing learnt from timing.
  if (!adminToken || !m || !timingSafeEqual(digest(m[1]), digest(adminToken))) return { status: 401, error: "Couldn't authenticate you" };
  return null;
};

export interface RunningScheduler {
  healthPort: number;
  db: DataSourceDb;
  broker: Broker;
  tick(now: Date): Promise<TickResult>;
  close(): Promise<void>;
}

export const startSchedulerService = async (cfg: WorkerConfig & { tickSeconds?: number; automationIntervalMinutes?: number; adminToken?: string }, log: Logger): Promise<RunningScheduler> => {
  const db = await connectDatabase({ url: cfg.databaseUrl, applicationName: 'mailroom-scheduler' }, (msg) => log.warn(msg));
  await seedStandardAutomations(db);
  const broker = brokerFor(cfg, 'mailroom-scheduler', (level, msg) => log[level](msg));
  broker.consume({
    ...SCHEDULER_QUEUE,
    prefetch: 32,
    retryDelaysMs: [100, 500, 2000, 10000],
    handlers: schedulerHandlers(db),
    batch: { db },
  });
  broker.start();
  // The wall clock drives it in production; tests and operators can drive it to any instant.
  const timer =
    cfg.tickSeconds === 0
      ? null
      : setInterval(() => void wallClockTick(db, new Date(), cfg.automationIntervalMinutes ?? 60).catch((err) => log.warn(`automation cycle failed: ${(err as Error).message}`)), (cfg.tickSeconds ?? 60) * 1000);
  const server = http.createServer(async (req, res) => {
    const reply = (code: number, body: unknown) => res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    try {
      if (req.url === '/health/live') return reply(200, { status: 'ok' });
      if (req.url === '/health/ready') {
        const ok = (await db.query('SELECT 1').then(() => true, () => false)) && broker.connected;
        return reply(ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable' });
      }
      const m = /^\/internal\/tick\?at=([^&]+)$/.exec(req.url ?? '');
      if (req.method === 'POST' && m) {
        const refused = tickRefusal(req.socket.remoteAddress, req.headers.authorization, cfg.adminToken);
        if (refused) {
          log.warn('internal tick refused', { client: req.socket.remoteAddress, status: refused.status });
          return reply(refused.status, { error: refused.error });
        }
        const at = new Date(decodeURIComponent(m[1]));
        if (Number.isNaN(at.getTime())) return reply(400, { error: 'at must be an ISO 8601 instant' });
        return reply(200, await tick(db, at));
      }
      reply(404, { error: 'not found' });
    } catch (err) {
      reply(err instanceof RangeError ? 409 : 503, { error: (err as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // a port in use stops the start with EADDRINUSE, explained by runMain
    server.listen(cfg.healthPort, cfg.healthHost, resolve);
  });
  const healthPort = (server.address() as { port: number }).port;
  log.info(`scheduler running; health and tick on ${cfg.healthHost}:${healthPort}`);
  return {
    healthPort,
    db,
    broker,
    tick: (now) => tick(db, now),
    close: async () => {
      if (timer) clearInterval(timer);
      await new Promise<void>((r) => server.close(() => r()));
      await broker.close();
      await db.dataSource.destroy();
    },
  };
};

import { hostname } from 'node:os';
import { Client } from 'pg';
import type { CommonConfig } from '@mailroom/config';
import { connectDatabase, type Db } from '@mailroom/database';
import { EventStore, LogWakeup, type LogProcessor } from '@mailroom/event-store';
import { Broker } from './broker';
import { createForwarder } from './forwarder';

/**
 * The lease: a session-level advisory lock, two-key form so that it cannot collide with the
 * single-key locks of the migrator (7261001) or of the log processors' batches.
 */
const LEASE_CLASS = 7261002;
const FORWARDER_LEASE = 1;

export interface ForwarderRoleOptions {
  /** The lease's own connection is opened from this URL: never one of the pool's, shared with other work. */
  databaseUrl: string;
  db: Db;
  store: EventStore;
  broker: Broker;
  wakeup?: LogWakeup;
  /** Names this process in logs and in the `x-mailroom-published-by` header; default host/pid. */
  instance?: string;
  /** How often a standby asks for the lease, and the holder checks that its connection still answers. */
  checkEveryMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

export interface ForwarderRole {
  /** True while this process holds the lease and its forwarder runs. */
  readonly active: boolean;
  readonly instance: string;
  /** Stops forwarding (the batch in flight finishes) and gives the lease up, so a standby takes over at once. */
  stop(): Promise<void>;
}

/**
 * The forwarder as a leased role (DESIGN.md §4): any number of processes may start it, one forwards
 * and the others stand by. The lease is `pg_try_advisory_lock` on a connection of its own. PostgreSQL
 * releases a session lock when its connection ends, which is exactly the takeover we want: the holder
 * crashes, is stopped, or has its connection killed (pg_terminate_backend, a network cut noticed by
 * TCP keepalives), and within one `checkEveryMs` a standby holds the lock and forwards from the
 * checkpoint. The holder stops forwarding as soon as its lease connection fails or stops answering.
 *
 * Two forwarders never publish at once even in the moment a lost holder has not noticed yet: each
 * batch also takes the processor's transaction-scoped lock, so a batch of the old holder still in
 * flight finishes (or rolls back) before the new holder's first batch can start. What a batch
 * published and could not checkpoint is published again: at-least-once, as ever.
 */
export const startForwarderRole = (opts: ForwarderRoleOptions): ForwarderRole => new LeasedForwarder(opts);

class LeasedForwarder implements ForwarderRole {
  readonly instance: string;
  private forwarder: LogProcessor | null = null;
  private stopped = false;
  private readonly loop: Promise<void>;
  private wake: (() => void) | null = null;

  constructor(private readonly opts: ForwarderRoleOptions) {
    this.instance = opts.instance ?? `${hostname()}/${process.pid}`;
    this.loop = this.run();
  }

  get active(): boolean {
    return this.forwarder !== null;
  }

  private log(level: 'info' | 'warn' | 'error', msg: string): void {
    this.opts.log?.(level, `forwarder role (${this.instance}): ${msg}`);
  }

  private get checkEveryMs(): number {
    return this.opts.checkEveryMs ?? 1000;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wake === done) self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const lease = new LeaseConnection(this.opts.databaseUrl, this.checkEveryMs, () => this.wake?.());
      try {
        await lease.connect();
        failures = 0;
        while (!this.stopped && !(await lease.tryAcquire())) await this.sleep(this.checkEveryMs);
        if (this.stopped) continue;
        this.log('info', 'holds the lease; forwarding the log');
        this.forwarder = createForwarder({ db: this.opts.db, store: this.opts.store, broker: this.opts.broker, wakeup: this.opts.wakeup, instance: this.instance, onError: (err) => this.log('warn', (err as Error).message) });
        this.forwarder.start();
        while (!this.stopped) {
          await this.sleep(this.checkEveryMs);
          if (!this.stopped) await lease.heartbeat();
        }
      } catch (err) {
        failures++;
        if (!this.stopped) this.log('warn', `${this.forwarder ? 'lost the lease' : 'cannot reach the database'} (${(err as Error).message}); standing by`);
      } finally {
        // Forwarding stops first, the lease goes after: never a moment of forwarding without it.
        const forwarder = this.forwarder;
        this.forwarder = null;
        await forwarder?.stop();
        await lease.close();
      }
      if (!this.stopped && failures > 0) await this.sleep(Math.min(5000, 250 * 2 ** Math.min(failures, 5)));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }
}

/** The lease's dedicated connection; any error on it means the lease may be gone. */
class LeaseConnection {
  private readonly client: Client;
  private broken: Error | null = null;

  constructor(url: string, answerWithinMs: number, onBroken: () => void) {
    this.client = new Client({
      connectionString: url,
      application_name: 'mailroom-forwarder-lease',
      connectionTimeoutMillis: 3000,
      // A holder whose connection hangs gives the role up after this; the server meanwhile still
      // holds the lock, so nobody else forwards either: at worst a pause, never two forwarders.
      query_timeout: Math.max(2000, 2 * answerWithinMs),
      keepAlive: true,
    });
    const fail = (err: Error) => {
      this.broken ??= err;
      onBroken();
    };
    this.client.on('error', fail);
    this.client.on('end', () => fail(new Error('lease connection ended')));
  }

  async connect(): Promise<void> {
    await this.client.connect();
    // The server must notice a holder that vanished without closing its connection (host gone,
    // network cut), or the lock would stay held for the OS default of two hours: about 11 s here.
    await this.client.query('SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3');
  }

  async tryAcquire(): Promise<boolean> {
    this.check();
    const { rows } = await this.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LEASE_CLASS, FORWARDER_LEASE]);
    return rows[0].ok;
  }

  async heartbeat(): Promise<void> {
    this.check();
    await this.client.query('SELECT 1');
    this.check();
  }

  private check(): void {
    if (this.broken) throw this.broken;
  }

  /** Ending the session releases the lock; a connection that no longer answers is just dropped. */
  async close(): Promise<void> {
    this.client.removeAllListeners('end');
    this.client.on('error', () => undefined);
    await Promise.race([this.client.end().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}

type RoleLog = { info(msg: string): void; warn(msg: string): void; error(msg: string): void };

/**
 * For a service's main: starts the service, and when its config says `MAILROOM_FORWARDER=true`,
 * the forwarder role beside it on connections of its own (a pool of two, one AMQP connection, the
 * lease), so the service itself needs no change. The ticket service runs the role inside instead,
 * on its own pool and broker, and stands for it by default.
 */
export const withForwarderRole =
  <C extends CommonConfig, L extends RoleLog>(start: (cfg: C, log: L) => Promise<{ close(): Promise<void> }>) =>
  async (cfg: C, log: L): Promise<{ close(): Promise<void> }> => {
    const running = await start(cfg, log);
    if (!cfg.forwarder) return running;
    const db = await connectDatabase({ url: cfg.databaseUrl, poolSize: 2, applicationName: 'mailroom-forwarder' }, (msg) => log.warn(msg));
    const wakeup = new LogWakeup(cfg.databaseUrl);
    await wakeup.start();
    const broker = new Broker({ url: cfg.amqpUrl, namespace: cfg.amqpNamespace, partitions: cfg.amqpPartitions, connectionName: 'mailroom-forwarder', log: (level, msg) => log[level](msg) });
    broker.start();
    const role = startForwarderRole({ databaseUrl: cfg.databaseUrl, db, store: new EventStore(), broker, wakeup, log: (level, msg) => log[level](msg) });
    return {
      close: async () => {
        await role.stop();
        await broker.close();
        await wakeup.close();
        await db.dataSource.destroy();
        await running.close();
      },
    };
  };

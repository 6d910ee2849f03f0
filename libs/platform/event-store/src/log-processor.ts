import type { Message } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore, LOG_START, LogPosition } from './event-store';
import type { LogWakeup } from './log-wakeup';

export interface LogProcessorOptions {
  /** Checkpoint name; bump a suffix (`-v2`) to rebuild a projection side by side. */
  id: string;
  db: Db;
  store: EventStore;
  /**
   * Handles a batch. `db` is the transaction that also writes the checkpoint, so a projection's rows
   * and its position commit together. Throwing leaves the checkpoint where it was: the batch comes again.
   */
  handle: (messages: Message[], db: Db) => Promise<void>;
  batchSize?: number;
  /** How long to sleep when there is nothing to do and no wake-up arrives. */
  idleMs?: number;
  /**
   * After a pass that found less than a full batch, wait this long (wake-ups do not cut it short)
   * before the next, so that the log's rows are taken many per transaction under load rather than
   * one pass per wake-up. 0 (default): no wait. For processors whose readers can afford the lag.
   */
  gatherMs?: number;
  wakeup?: LogWakeup;
  onError?: (err: unknown) => void;
}

/** The advisory lock that makes one instance per processor id active; a rebuild holds it too. */
export const processorLockKey = (id: string): number => {
  let h = 0;
  for (const ch of id) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
};

/**
 * Reads the log from a checkpoint and feeds it to a handler, one batch per transaction.
 * One active instance per id across replicas (transaction-scoped advisory lock).
 */
export class LogProcessor {
  private running = false;
  private loop: Promise<void> | null = null;
  private sleeper: { wake: () => void } | null = null;
  private readonly unsubscribe: (() => void) | null;

  constructor(private readonly opts: LogProcessorOptions) {
    this.unsubscribe = opts.wakeup ? opts.wakeup.subscribe(() => this.sleeper?.wake()) : null;
  }

  /** Processes one batch; returns how many messages it handled (0: nothing new, or another instance holds the lock). */
  async runOnce(): Promise<number> {
    const { db, store, id } = this.opts;
    return db.transaction(async (tx) => {
      const [lock] = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [processorLockKey(id)]);
      if (!lock.ok) return 0;
      const position = await this.checkpoint(tx);
      const { messages, position: next } = await store.readAll(tx, position, this.opts.batchSize ?? 200);
      if (messages.length === 0) return 0;
      await this.opts.handle(messages, tx);
      await saveCheckpoint(tx, id, next);
      return messages.length;
    });
  }

  private async checkpoint(tx: Db): Promise<LogPosition> {
    const rows = await tx.query<{ transaction_id: string; global_position: string }>(
      `SELECT transaction_id::text AS transaction_id, global_position FROM mailroom_events.checkpoints WHERE processor_id = $1`,
      [this.opts.id],
    );
    return rows.length ? { transactionId: rows[0].transaction_id, globalPosition: String(rows[0].global_position) } : LOG_START;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      let failures = 0;
      while (this.running) {
        let handled = 0;
        try {
          handled = await this.runOnce();
          failures = 0;
        } catch (err) {
          failures++;
          this.opts.onError?.(err);
        }
        if (!this.running) break;
        const gather = this.opts.gatherMs ?? 0;
        if (handled > 0 && gather > 0 && handled < (this.opts.batchSize ?? 200)) await new Promise((resolve) => setTimeout(resolve, gather));
        if (handled === 0 || failures > 0) {
          const wait = failures > 0 ? Math.min(5000, 100 * 2 ** Math.min(failures, 6)) : this.opts.idleMs ?? 200;
          await this.sleep(wait);
        }
      }
    })();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.sleeper = { wake: done };
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper?.wake();
    this.unsubscribe?.();
    await this.loop;
  }
}

/** Where a processor stands, written in the transaction that wrote what it projected up to there. */
export const saveCheckpoint = async (tx: Db, processorId: string, position: LogPosition): Promise<void> => {
  await tx.query(
    `INSERT INTO mailroom_events.checkpoints (processor_id, transaction_id, global_position, updated_at)
     VALUES ($1, $2::xid8, $3, now())
     ON CONFLICT (processor_id) DO UPDATE SET transaction_id = $2::xid8, global_position = $3, updated_at = now()`,
    [processorId, position.transactionId, position.globalPosition],
  );
};

/** Starts a projection over again: its tables are emptied by `reset` and its checkpoint removed, in one transaction. */
export const rebuildProjection = async (db: Db, processorId: string, reset: (tx: Db) => Promise<void>): Promise<void> => {
  await db.transaction(async (tx) => {
    await reset(tx);
    await tx.query('DELETE FROM mailroom_events.checkpoints WHERE processor_id = $1', [processorId]);
  });
};

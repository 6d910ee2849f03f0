import type { Message } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore, LOG_START, type LogPosition } from './event-store';
import { processorLockKey, saveCheckpoint } from './log-processor';

/**
 * A read model that can be rebuilt from the log in one run: its events are folded in memory by the
 * same pure evolve functions its live projection uses, then written set-based.
 */
export interface ReadModelRebuild {
  /** The name an operator gives on the command line. */
  name: string;
  /** The LogProcessor that keeps it live: the rebuild holds its lock and sets its checkpoint. */
  processorId?: string;
  /** Every table of the read model; emptied and written again in the rebuild's transaction. */
  tables: string[];
  /** A fresh fold; `fold` sees every message of the log, each stream's in version order. */
  start(): ReadModelFold;
}

export interface ReadModelFold {
  fold(m: Message): void;
  /** Writes what was folded into the emptied tables; returns the rows written per table. */
  write(tx: Db): Promise<Record<string, number>>;
}

export interface RebuildResult {
  name: string;
  events: number;
  /** Where the live processor continues (the gap-safe point reached). */
  position: LogPosition;
  rows: Record<string, number>;
  readMs: number;
  writeMs: number;
}

/**
 * Releases each stream's messages in version order. The log is read by (transaction id, position),
 * and a transaction that got its id early can append a stream's next version after a younger one
 * appended the previous: the writers applied them in version order, so the fold does too.
 */
export const inStreamOrder = (apply: (m: Message) => void): ((m: Message) => void) => {
  const last = new Map<string, number>();
  const waiting = new Map<string, Map<number, Message>>();
  return (m) => {
    const at = last.get(m.streamId) ?? 0;
    if (m.streamVersion <= at) return;
    if (m.streamVersion > at + 1) {
      let w = waiting.get(m.streamId);
      if (!w) waiting.set(m.streamId, (w = new Map()));
      w.set(m.streamVersion, m);
      return;
    }
    apply(m);
    let v = m.streamVersion;
    const w = waiting.get(m.streamId);
    while (w?.has(v + 1)) {
      apply(w.get(v + 1)!);
      w.delete(++v);
    }
    if (w && w.size === 0) waiting.delete(m.streamId);
    last.set(m.streamId, v);
  };
};

/**
 * Rebuilds read models in one transaction (several at once share one read of the log):
 *  1. takes each live processor's advisory lock (it skips its turns until the commit) and an
 *     EXCLUSIVE lock on the tables (the writers that apply inline wait; readers go on reading the
 *     old rows until the commit swaps them);
 *  2. reads the log in large gap-safe pages, then what else has committed (under the lock nothing
 *     more can reach these tables), folding each message;
 *  3. deletes the old rows, writes the new ones set-based and sets each processor's checkpoint to
 *     the gap-safe point. What the processor reads after it was folded already, or is applied by a
 *     writer that waited: both take only a row's next version, so nothing is applied twice.
 */
export const rebuildReadModels = async (db: Db, store: EventStore, models: readonly ReadModelRebuild[], opts: { pageSize?: number } = {}): Promise<RebuildResult> => {
  const pageSize = opts.pageSize ?? 10_000;
  return db.transaction(async (tx) => {
    for (const model of models) if (model.processorId) await tx.query('SELECT pg_advisory_xact_lock($1)', [processorLockKey(model.processorId)]);
    await tx.query(`LOCK TABLE ${models.flatMap((m) => m.tables).join(', ')} IN EXCLUSIVE MODE`);
    const started = Date.now();
    const folds = models.map((m) => m.start());
    const apply = inStreamOrder((m) => {
      for (const f of folds) f.fold(m);
    });
    let events = 0;
    let position: LogPosition = LOG_START;
    for (;;) {
      const page = await store.readAll(tx, position, pageSize);
      if (page.messages.length === 0) break;
      for (const m of page.messages) apply(m);
      events += page.messages.length;
      position = page.position;
    }
    for (let tail = position; ; ) {
      const page = await store.readAllCommitted(tx, tail, pageSize);
      if (page.messages.length === 0) break;
      for (const m of page.messages) apply(m);
      events += page.messages.length;
      tail = page.position;
    }
    const read = Date.now();
    const rows: Record<string, number> = {};
    for (const [i, model] of models.entries()) {
      for (const table of model.tables) await tx.query(`DELETE FROM ${table}`);
      Object.assign(rows, await folds[i].write(tx));
      if (model.processorId) await saveCheckpoint(tx, model.processorId, position);
    }
    return { name: models.map((m) => m.name).join('+'), events, position, rows, readMs: read - started, writeMs: Date.now() - read };
  });
};

/** Rebuilds one read model (see `rebuildReadModels`). */
export const rebuildReadModel = (db: Db, store: EventStore, model: ReadModelRebuild, opts: { pageSize?: number } = {}): Promise<RebuildResult> => rebuildReadModels(db, store, [model], opts);

/**
 * Inserts rows (objects keyed by column name) in chunks of one statement each: the chunk travels as
 * one JSON parameter and `json_populate_recordset` turns it into the table's own row type, so
 * timestamps, arrays and jsonb columns are cast by PostgreSQL as a plain INSERT would. Without
 * `columns` every column is written (a missing key is NULL, not the default).
 */
export const insertRows = async <T extends object>(tx: Db, table: string, rows: Iterable<T>, opts: { columns?: string[]; chunk?: number } = {}): Promise<number> => {
  const chunk = opts.chunk ?? 5000;
  const columns = opts.columns ? opts.columns.join(', ') : '*';
  const sql = `INSERT INTO ${table} ${opts.columns ? `(${columns})` : ''} SELECT ${columns} FROM json_populate_recordset(NULL::${table}, $1::json)`;
  let batch: T[] = [];
  let n = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await tx.query(sql, [JSON.stringify(batch)]);
    n += batch.length;
    batch = [];
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= chunk) await flush();
  }
  await flush();
  return n;
};

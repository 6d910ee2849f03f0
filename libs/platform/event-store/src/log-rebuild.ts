import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Message } from '@mailroom/contracts';
import { pgClientOf, type Db } from '@mailroom/database';
import { from as copyFrom } from 'pg-copy-streams';
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
  /**
   * The type prefixes of the events the fold reads (`'ticket.'`): only those events reach `fold`,
   * and the log is read without the bodies of the rest. Without it, every message reaches `fold`.
   */
  eventTypes?: readonly string[];
  /** A fresh fold; `fold` sees every message of the log (or its `eventTypes`), each stream's in version order. */
  start(): ReadModelFold;
}

/** Writes rows (objects keyed by column name) into a table: `copyRows`, or `insertRows`. */
export type RowWriter = <T extends object>(tx: Db, table: string, rows: Iterable<T>, opts?: { columns?: string[] }) => Promise<number>;

export interface ReadModelFold {
  fold(m: Message): void;
  /**
   * Rows final already (per table), taken after each page: written while the next pages are read
   * and folded (into the tables emptied before the read), so PostgreSQL writes while Node folds.
   * `write` then writes the rest, and may replace what it flushed.
   */
  flush?(): Record<string, object[]>;
  /** Writes what was folded into the emptied tables with `rows`; returns the rows written per table. */
  write(tx: Db, rows: RowWriter): Promise<Record<string, number>>;
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
 * A fold with `flush` has its tables emptied before the read and its final rows COPYed between
 * pages on the transaction's connection while the log is read on a second one (a transaction that
 * only reads, taken before the rebuild's, so it never waits for the pool while the locks are held:
 * the pool needs two connections), so two backends work beside Node's fold. The DELETE gives the
 * transaction an id, which holds the gap-safe point below it: the log after it comes in the second
 * read, and the checkpoint is where the DELETE found the log (step 3's rule covers what the
 * processor reads again).
 */
export const rebuildReadModels = async (
  db: Db,
  store: EventStore,
  models: readonly ReadModelRebuild[],
  opts: { pageSize?: number; writer?: RowWriter } = {},
): Promise<RebuildResult> => {
  const pageSize = opts.pageSize ?? 10_000;
  const writer = opts.writer ?? copyRows;
  // The bodies of only the events some fold reads; every message still passes `inStreamOrder`.
  const eventTypes = models.every((m) => m.eventTypes) ? [...new Set(models.flatMap((m) => m.eventTypes ?? []))] : undefined;
  const wants = models.map((m) => {
    const types = m.eventTypes;
    return types ? (msg: Message) => msg.kind === 'event' && types.some((t) => msg.type.startsWith(t)) : () => true;
  });
  const folds = models.map((m) => m.start());
  // Folds that flush get a second connection for the log, taken before the rebuild's transaction
  // (which holds the locks) asks for its own: the log is read there while this one writes.
  if (!folds.some((f) => f.flush)) return rebuild(db, store, models, folds, null, { pageSize, writer, eventTypes, wants });
  // (No READ ONLY: inside a batch both are savepoints of the batch's one transaction.)
  return db.transaction((reader) => rebuild(db, store, models, folds, reader, { pageSize, writer, eventTypes, wants }));
};

const rebuild = (
  db: Db,
  store: EventStore,
  models: readonly ReadModelRebuild[],
  folds: ReadModelFold[],
  reader: Db | null,
  { pageSize, writer, eventTypes, wants }: { pageSize: number; writer: RowWriter; eventTypes: string[] | undefined; wants: ((m: Message) => boolean)[] },
): Promise<RebuildResult> =>
  db.transaction(async (tx) => {
    for (const model of models) if (model.processorId) await tx.query('SELECT pg_advisory_xact_lock($1)', [processorLockKey(model.processorId)]);
    await tx.query(`LOCK TABLE ${models.flatMap((m) => m.tables).join(', ')} IN EXCLUSIVE MODE`);
    const started = Date.now();
    const emptied = new Set<number>();
    for (const [i, fold] of folds.entries()) {
      if (!fold.flush) continue;
      for (const table of models[i].tables) await tx.query(`DELETE FROM ${table}`);
      emptied.add(i);
    }
    const log = reader ?? tx;
    // A page folded in slices with a turn of the event loop between them when rows are flushed: the
    // COPY then gets its CopyInResponse and its data while Node folds, not after the page.
    const fold = async (messages: Message[]) => {
      const slice = emptied.size ? 250 : messages.length;
      for (let k = 0; k < messages.length; k++) {
        apply(messages[k]);
        if (k % slice === slice - 1) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    // The COPYs of flushed rows, one at a time on the transaction's connection.
    let connection: Promise<unknown> = Promise.resolve();
    let failed: unknown = null;
    const onConnection = <T>(work: () => Promise<T>): Promise<T> => {
      const done = connection.then(() => {
        if (failed) throw failed;
        return work();
      });
      connection = done.catch(() => undefined);
      return done;
    };
    const writing: Promise<unknown>[] = [];
    const flush = () => {
      for (const i of emptied) {
        for (const [table, batch] of Object.entries(folds[i].flush!())) {
          if (batch.length === 0) continue;
          const written = onConnection(() => writer(tx, table, batch));
          // Awaited after the read; one that fails stops the read at the next page.
          written.catch((err: unknown) => (failed ??= err));
          writing.push(written);
        }
      }
    };
    const apply = inStreamOrder((m) => {
      for (const [i, f] of folds.entries()) if (wants[i](m)) f.fold(m);
    });
    let events = 0;
    let position: LogPosition = LOG_START;
    // Each page's successor is asked for before the page is folded: PostgreSQL reads while Node folds.
    const read = (committed: boolean, after: LogPosition) => {
      const page = committed ? store.readAllCommitted(log, after, pageSize, { eventTypes }) : store.readAll(log, after, pageSize, { eventTypes });
      page.catch(() => undefined); // awaited below; a fold that throws first must not leave it unhandled
      return page;
    };
    for (let next = read(false, position); ; ) {
      const page = await next;
      if (failed) throw failed;
      if (page.messages.length === 0) break;
      next = read(false, page.position);
      await fold(page.messages);
      flush();
      events += page.messages.length;
      position = page.position;
    }
    for (let next = read(true, position); ; ) {
      const page = await next;
      if (failed) throw failed;
      if (page.messages.length === 0) break;
      next = read(true, page.position);
      await fold(page.messages);
      flush();
      events += page.messages.length;
    }
    const readAt = Date.now();
    await Promise.all(writing);
    const rows: Record<string, number> = {};
    for (const [i, model] of models.entries()) {
      if (!emptied.has(i)) for (const table of model.tables) await tx.query(`DELETE FROM ${table}`);
      Object.assign(rows, await folds[i].write(tx, writer));
      if (model.processorId) await saveCheckpoint(tx, model.processorId, position);
    }
    return { name: models.map((m) => m.name).join('+'), events, position, rows, readMs: readAt - started, writeMs: Date.now() - readAt };
  });

/** Rebuilds one read model (see `rebuildReadModels`). */
export const rebuildReadModel = (db: Db, store: EventStore, model: ReadModelRebuild, opts: { pageSize?: number; writer?: RowWriter } = {}): Promise<RebuildResult> =>
  rebuildReadModels(db, store, [model], opts);

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

interface CopyColumn {
  name: string;
  /** json or jsonb (or a domain over one): the value goes as its JSON text. */
  json: boolean;
  /** An array type: a JS array goes as an array literal. */
  array: boolean;
  elementJson: boolean;
}

/** A transaction's columns per table, asked once (a rebuild writes the same tables page after page). */
const columnsOfTx = new WeakMap<Db, Map<string, Promise<CopyColumn[]>>>();

const copyColumns = (tx: Db, table: string): Promise<CopyColumn[]> => {
  let tables = columnsOfTx.get(tx);
  if (!tables) columnsOfTx.set(tx, (tables = new Map()));
  let columns = tables.get(table);
  if (!columns) {
    columns = queryColumns(tx, table);
    columns.catch(() => tables.delete(table));
    tables.set(table, columns);
  }
  return columns;
};

const queryColumns = (tx: Db, table: string): Promise<CopyColumn[]> =>
  tx.query<CopyColumn>(
    `SELECT a.attname AS name,
            coalesce(nullif(t.typbasetype, 0), t.oid) IN ('json'::regtype, 'jsonb'::regtype) AS json,
            t.typcategory = 'A' AS array,
            coalesce(e.typname IN ('json', 'jsonb'), false) AS "elementJson"
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [table],
  );

/** COPY text format: backslash, newline, carriage return and tab escaped. */
const copyEscape = (s: string): string => (/[\\\n\r\t]/.test(s) ? s.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t')) : s);

/** JSON text in COPY text format: JSON.stringify escapes every control character, so only its backslashes are left to double. */
const copyJson = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s.includes('\\') ? s.replaceAll('\\', '\\\\') : s;
};

/** A value as JSON would carry it (what `insertRows` sends): toJSON applied, undefined and non-finite numbers null. */
const asJsonValue = (v: unknown): unknown => {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(): unknown }).toJSON();
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol' || (typeof v === 'number' && !Number.isFinite(v))) return null;
  return v;
};

/** A JSON scalar as `json_populate_recordset` turns it into a non-JSON column's text: strings as they are, the rest as JSON. */
const scalarText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

const arrayElement = (v: unknown, json: boolean): string => {
  const e = asJsonValue(v);
  if (e === null) return 'NULL';
  const text = json ? JSON.stringify(e) : Array.isArray(e) ? arrayLiteral(e, false) : scalarText(e);
  return Array.isArray(e) && !json ? text : `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
};

const arrayLiteral = (xs: unknown[], json: boolean): string => `{${xs.map((x) => arrayElement(x, json)).join(',')}}`;

const copyField = (column: CopyColumn, raw: unknown): string => {
  const v = asJsonValue(raw);
  if (v === null) return '\\N';
  if (column.json) return copyJson(v);
  if (column.array && Array.isArray(v)) return copyEscape(arrayLiteral(v, column.elementJson));
  return copyEscape(scalarText(v));
};

/**
 * Writes rows (objects keyed by column name) with one COPY FROM STDIN, as `insertRows` would write
 * them: each value as its JSON would populate the table's row type (a missing key or null is NULL,
 * not the default; json/jsonb columns get the value's JSON; arrays become array literals; other
 * columns get a string as it is, any other value as its JSON text). The text is streamed in chunks,
 * so memory holds one chunk, not the table. A Db not bound to one connection falls back to `insertRows`.
 */
export const copyRows: RowWriter = async (tx, table, rows, opts = {}) => {
  const client = await pgClientOf(tx);
  if (!client) return insertRows(tx, table, rows, opts);
  let columns = await copyColumns(tx, table);
  if (opts.columns) {
    const byName = new Map(columns.map((c) => [c.name, c]));
    columns = opts.columns.map((name) => {
      const c = byName.get(name);
      if (!c) throw new Error(`copyRows: ${table} has no column ${name}`);
      return c;
    });
  }
  const names = columns.map((c) => c.name);
  let n = 0;
  const chunks = function* () {
    let chunk = '';
    for (const row of rows) {
      const r = row as Record<string, unknown>;
      let line = '';
      for (let i = 0; i < columns.length; i++) line += (i ? '\t' : '') + copyField(columns[i], r[names[i]]);
      chunk += line + '\n';
      n++;
      if (chunk.length >= 256 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  };
  const sql = `COPY ${table} (${names.map((c) => `"${c.replace(/"/g, '""')}"`).join(', ')}) FROM STDIN`;
  await pipeline(Readable.from(chunks()), client.query(copyFrom(sql)));
  return n;
};

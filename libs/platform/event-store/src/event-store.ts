import { randomUUID } from 'node:crypto';
import type { Message, MessageMetadata, NewMessage } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';

/** The stream had another version than the writer expected: re-read and decide again. */
export class ExpectedVersionConflict extends Error {
  constructor(readonly streamId: string, readonly expected: ExpectedVersion) {
    super(`stream ${streamId} is not at the expected version ${String(expected)}`);
  }
}

/** A number, 'no_stream' (must not exist yet) or 'any' (no check). */
export type ExpectedVersion = number | 'no_stream' | 'any';

export interface AppendResult {
  /** The stream's version after the append. */
  version: number;
  messages: Message[];
}

/** Where a reader of the whole log stands: positions are ordered by (transaction id, global position). */
export interface LogPosition {
  transactionId: string;
  globalPosition: string;
}

export const LOG_START: LogPosition = { transactionId: '0', globalPosition: '0' };

export interface ReadAllOptions {
  /**
   * Only events whose type starts with one of these prefixes come with their `data` and `metadata`;
   * every other message comes with both null (for a reader that needs only its place in its stream,
   * as a rebuild that folds a few types does). PostgreSQL then renders no JSON for them.
   */
  eventTypes?: readonly string[];
}

/** One stream's part of an `appendMany`: what `append` takes, as a value. */
export interface StreamAppend {
  streamId: string;
  streamType: string;
  expected: ExpectedVersion;
  messages: NewMessage[];
  common?: Partial<MessageMetadata>;
}

interface Row {
  global_position: string;
  transaction_id: string;
  message_id: string;
  kind: 'event' | 'command';
  stream_id: string;
  stream_version: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: MessageMetadata;
}

const toMessage = (r: Row): Message => ({
  id: r.message_id,
  kind: r.kind,
  type: r.type,
  schemaVersion: r.schema_version,
  streamId: r.stream_id,
  streamVersion: Number(r.stream_version),
  globalPosition: String(r.global_position),
  data: r.data,
  metadata: r.metadata,
});

const COLUMNS = `global_position, transaction_id::text AS transaction_id, message_id, kind, stream_id, stream_version,
  type, schema_version, data, metadata`;

/**
 * Appends to streams with an expected version and reads them back; reads of the whole log are
 * gap-safe (they never pass a transaction that is still running, whose positions could commit later).
 */
export class EventStore {
  /**
   * Appends in the caller's transaction, so state rows written beside the events (idempotency keys,
   * unique emails) commit or roll back with them. Every message of one call shares an update id.
   */
  async append(
    tx: Db,
    streamId: string,
    streamType: string,
    expected: ExpectedVersion,
    messages: NewMessage[],
    common: Partial<MessageMetadata> = {},
  ): Promise<AppendResult> {
    if (messages.length === 0) throw new Error('append needs at least one message');
    const n = messages.length;
    let newVersion: number;
    if (expected === 'no_stream') {
      const rows = await tx.query<{ version: string }>(
        `INSERT INTO mailroom_events.streams (stream_id, stream_type, version) VALUES ($1, $2, $3)
         ON CONFLICT (stream_id) DO NOTHING RETURNING version`,
        [streamId, streamType, n],
      );
      if (rows.length === 0) throw new ExpectedVersionConflict(streamId, expected);
      newVersion = n;
    } else if (expected === 'any') {
      const rows = await tx.query<{ version: string }>(
        `INSERT INTO mailroom_events.streams (stream_id, stream_type, version) VALUES ($1, $2, $3)
         ON CONFLICT (stream_id) DO UPDATE SET version = mailroom_events.streams.version + $3, updated_at = now()
         RETURNING version`,
        [streamId, streamType, n],
      );
      newVersion = Number(rows[0].version);
    } else {
      const rows = await tx.query<{ version: string }>(
        `UPDATE mailroom_events.streams SET version = version + $3, updated_at = now()
         WHERE stream_id = $1 AND version = $2 RETURNING version`,
        [streamId, expected, n],
      );
      if (rows.length === 0) {
        if (expected !== 0) throw new ExpectedVersionConflict(streamId, expected);
        return this.append(tx, streamId, streamType, 'no_stream', messages, common);
      }
      newVersion = Number(rows[0].version);
    }
    const first = newVersion - n + 1;
    const updateId = common.updateId ?? randomUUID();
    const occurredAt = common.occurredAt ?? new Date().toISOString();
    const ids: string[] = [];
    const versions: number[] = [];
    const kinds: string[] = [];
    const types: string[] = [];
    const schemaVersions: number[] = [];
    const datas: string[] = [];
    const metas: string[] = [];
    messages.forEach((m, i) => {
      ids.push(m.id ?? randomUUID());
      versions.push(first + i);
      kinds.push(m.kind ?? 'event');
      types.push(m.type);
      schemaVersions.push(m.schemaVersion ?? 1);
      datas.push(JSON.stringify(m.data));
      metas.push(
        JSON.stringify({ ...common, ...m.metadata, updateId, updateSize: n, updateIndex: i, occurredAt: m.metadata?.occurredAt ?? occurredAt }),
      );
    });
    const rows = await tx.query<Row>(
      `INSERT INTO mailroom_events.messages (message_id, kind, stream_id, stream_version, type, schema_version, data, metadata)
       SELECT id, kind, $3, version, type, sv, data::jsonb, meta::jsonb
       FROM unnest($1::uuid[], $2::text[], $4::bigint[], $5::text[], $6::int[], $7::text[], $8::text[])
         AS t(id, kind, version, type, sv, data, meta)
       ORDER BY version
       RETURNING ${COLUMNS}, pg_notify('mailroom_events', '') IS NULL AS notified`,
      [ids, kinds, streamId, versions, types, schemaVersions, datas, metas],
    );
    // The wake-up rides on the insert (one notification per transaction: PostgreSQL folds repeats).
    return { version: newVersion, messages: rows.map(toMessage).sort((a, b) => a.streamVersion - b.streamVersion) };
  }

  /**
   * Appends to many streams in the caller's transaction with a fixed number of statements, whatever
   * their count. Each stream keeps its own expected-version check and
   * its own update id, exactly as `append` per stream would; a conflict on any stream throws
   * `ExpectedVersionConflict`, so the caller's transaction — the whole batch — rolls back.
   */
  async appendMany(tx: Db, appends: StreamAppend[]): Promise<AppendResult[]> {
    if (appends.length === 0) return [];
    const ids = appends.map((a) => a.streamId);
    if (new Set(ids).size !== ids.length) throw new Error('appendMany takes each stream once');
    for (const a of appends) if (a.messages.length === 0) throw new Error('append needs at least one message');
    const versions = new Map<string, number>();
    // Streams are claimed in stream id order, so two batches that share streams cannot deadlock.
    const byId = [...appends].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
    const expectedNumbers = byId.filter((a) => typeof a.expected === 'number');
    if (expectedNumbers.length) {
      const rows = await tx.query<{ stream_id: string; version: string }>(
        `UPDATE mailroom_events.streams s SET version = s.version + t.n, updated_at = now()
         FROM unnest($1::text[], $2::bigint[], $3::int[]) AS t(id, expected, n)
         WHERE s.stream_id = t.id AND s.version = t.expected
         RETURNING s.stream_id, s.version`,
        [expectedNumbers.map((a) => a.streamId), expectedNumbers.map((a) => a.expected), expectedNumbers.map((a) => a.messages.length)],
      );
      for (const r of rows) versions.set(r.stream_id, Number(r.version));
      // Expecting version 0 is expecting no stream (as in `append`).
      const missed = expectedNumbers.find((a) => !versions.has(a.streamId) && a.expected !== 0);
      if (missed) throw new ExpectedVersionConflict(missed.streamId, missed.expected);
    }
    const fresh = byId.filter((a) => a.expected === 'no_stream' || (a.expected === 0 && !versions.has(a.streamId)));
    if (fresh.length) {
      const rows = await tx.query<{ stream_id: string; version: string }>(
        `INSERT INTO mailroom_events.streams (stream_id, stream_type, version)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
         ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id, version`,
        [fresh.map((a) => a.streamId), fresh.map((a) => a.streamType), fresh.map((a) => a.messages.length)],
      );
      for (const r of rows) versions.set(r.stream_id, Number(r.version));
      const taken = fresh.find((a) => !versions.has(a.streamId));
      if (taken) throw new ExpectedVersionConflict(taken.streamId, taken.expected);
    }
    const any = byId.filter((a) => a.expected === 'any');
    if (any.length) {
      const rows = await tx.query<{ stream_id: string; version: string }>(
        `INSERT INTO mailroom_events.streams (stream_id, stream_type, version)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
         ON CONFLICT (stream_id) DO UPDATE SET version = mailroom_events.streams.version + EXCLUDED.version, updated_at = now()
         RETURNING stream_id, version`,
        [any.map((a) => a.streamId), any.map((a) => a.streamType), any.map((a) => a.messages.length)],
      );
      for (const r of rows) versions.set(r.stream_id, Number(r.version));
    }
    const cols = { ids: [] as string[], kinds: [] as string[], streams: [] as string[], versions: [] as number[], types: [] as string[], svs: [] as number[], datas: [] as string[], metas: [] as string[] };
    for (const a of appends) {
      const n = a.messages.length;
      const first = (versions.get(a.streamId) as number) - n + 1;
      const common = a.common ?? {};
      const updateId = common.updateId ?? randomUUID();
      const occurredAt = common.occurredAt ?? new Date().toISOString();
      a.messages.forEach((m, i) => {
        cols.ids.push(m.id ?? randomUUID());
        cols.kinds.push(m.kind ?? 'event');
        cols.streams.push(a.streamId);
        cols.versions.push(first + i);
        cols.types.push(m.type);
        cols.svs.push(m.schemaVersion ?? 1);
        cols.datas.push(JSON.stringify(m.data));
        cols.metas.push(JSON.stringify({ ...common, ...m.metadata, updateId, updateSize: n, updateIndex: i, occurredAt: m.metadata?.occurredAt ?? occurredAt }));
      });
    }
    // The wake-up rides on the insert, one round trip less; PostgreSQL folds the identical
    // notifications of one transaction into one.
    const rows = await tx.query<Row>(
      `INSERT INTO mailroom_events.messages (message_id, kind, stream_id, stream_version, type, schema_version, data, metadata)
       SELECT id, kind, stream, version, type, sv, data::jsonb, meta::jsonb
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::int[], $7::text[], $8::text[])
         WITH ORDINALITY AS t(id, kind, stream, version, type, sv, data, meta, ord)
       ORDER BY ord
       RETURNING ${COLUMNS}, pg_notify('mailroom_events', '') IS NULL AS notified`,
      [cols.ids, cols.kinds, cols.streams, cols.versions, cols.types, cols.svs, cols.datas, cols.metas],
    );
    const written = new Map<string, Message[]>();
    for (const m of rows.map(toMessage)) written.set(m.streamId, [...(written.get(m.streamId) ?? []), m]);
    return appends.map((a) => ({
      version: versions.get(a.streamId) as number,
      messages: (written.get(a.streamId) ?? []).sort((x, y) => x.streamVersion - y.streamVersion),
    }));
  }

  /** Appends one command for another service; its id makes resending it a no-op. */
  async sendCommand(tx: Db, message: NewMessage & { id: string }, common: Partial<MessageMetadata> = {}): Promise<boolean> {
    const exists = await tx.query(`SELECT 1 FROM mailroom_events.messages WHERE message_id = $1`, [message.id]);
    if (exists.length > 0) return false;
    await this.append(tx, `command-${message.id}`, 'command', 'no_stream', [{ ...message, kind: 'command' }], common);
    return true;
  }

  /**
   * Appends many commands for other services in the caller's transaction with three statements,
   * whatever their count: one look-up of their ids (`= ANY`), one insert of their streams, one of
   * their messages (the wake-up riding on it). Each command is what `sendCommand` makes of it — a
   * stream `command-<id>` at version 1, an update id of its own (or `common.updateId`) — and the
   * messages take global positions in the order given. A command whose id is already in the log is
   * not sent again, nor is an id repeated in the batch (the first is sent); one that a concurrent
   * transaction sent meanwhile is left to it (its stream row decides, as in `append`). Answers, per
   * command in the order given, whether this call sent it.
   */
  async sendCommands(tx: Db, commands: readonly (NewMessage & { id: string })[], common: Partial<MessageMetadata> = {}): Promise<boolean[]> {
    if (commands.length === 0) return [];
    const ids = commands.map((c) => c.id.toLowerCase());
    const known = new Set(
      (await tx.query<{ message_id: string }>(`SELECT message_id FROM mailroom_events.messages WHERE message_id = ANY($1::uuid[])`, [[...new Set(ids)]])).map((r) => r.message_id),
    );
    const candidates = new Map<string, number>();
    ids.forEach((id, i) => {
      if (!known.has(id) && !candidates.has(id)) candidates.set(id, i);
    });
    if (candidates.size === 0) return ids.map(() => false);
    // Streams are claimed in stream id order, so two batches that share commands cannot deadlock.
    const streams = [...candidates.keys()].map((id) => `command-${id}`).sort();
    const claimed = new Set(
      (
        await tx.query<{ stream_id: string }>(
          `INSERT INTO mailroom_events.streams (stream_id, stream_type, version)
           SELECT id, 'command', 1 FROM unnest($1::text[]) AS t(id)
           ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id`,
          [streams],
        )
      ).map((r) => r.stream_id),
    );
    const sent = ids.map((id, i) => candidates.get(id) === i && claimed.has(`command-${id}`));
    const cols = { ids: [] as string[], streams: [] as string[], types: [] as string[], svs: [] as number[], datas: [] as string[], metas: [] as string[] };
    const occurredAt = common.occurredAt ?? new Date().toISOString();
    commands.forEach((c, i) => {
      if (!sent[i]) return;
      cols.ids.push(ids[i]);
      cols.streams.push(`command-${ids[i]}`);
      cols.types.push(c.type);
      cols.svs.push(c.schemaVersion ?? 1);
      cols.datas.push(JSON.stringify(c.data));
      cols.metas.push(
        JSON.stringify({ ...common, ...c.metadata, updateId: common.updateId ?? randomUUID(), updateSize: 1, updateIndex: 0, occurredAt: c.metadata?.occurredAt ?? occurredAt }),
      );
    });
    if (cols.ids.length === 0) return sent;
    // One wake-up for the whole batch, computed once over the inserted rows.
    await tx.query(
      `WITH written AS (
         INSERT INTO mailroom_events.messages (message_id, kind, stream_id, stream_version, type, schema_version, data, metadata)
         SELECT id, 'command', stream, 1, type, sv, data::jsonb, meta::jsonb
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
           WITH ORDINALITY AS t(id, stream, type, sv, data, meta, ord)
         ORDER BY ord
         RETURNING 1)
       SELECT count(*) AS n, pg_notify('mailroom_events', '') IS NULL AS notified FROM written`,
      [cols.ids, cols.streams, cols.types, cols.svs, cols.datas, cols.metas],
    );
    return sent;
  }

  async readStream(db: Db, streamId: string, fromVersion = 1): Promise<Message[]> {
    const rows = await db.query<Row>(
      `SELECT ${COLUMNS} FROM mailroom_events.messages WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version`,
      [streamId, fromVersion],
    );
    return rows.map(toMessage);
  }

  async streamVersion(db: Db, streamId: string): Promise<number> {
    const rows = await db.query<{ version: string }>(`SELECT version FROM mailroom_events.streams WHERE stream_id = $1`, [streamId]);
    return rows.length ? Number(rows[0].version) : 0;
  }

  /**
   * Like `readAll` but past the gap-safe point: every message committed when the statement runs.
   * Only for a reader that holds the writers of its read model off (a rebuild under their lock):
   * a message still in flight now may commit later *behind* what this returns, so the position
   * reached here is never a checkpoint. Per stream it is always a prefix of the versions (a stream's
   * next version waits for the previous one to commit).
   */
  async readAllCommitted(db: Db, after: LogPosition, limit = 200, opts: ReadAllOptions = {}): Promise<{ messages: Message[]; position: LogPosition }> {
    return this.readPage(db, after, limit, false, opts);
  }

  /**
   * The next messages of the whole log after a position, never passing a transaction still in flight
   * (`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`), in commit-safe order.
   */
  async readAll(db: Db, after: LogPosition, limit = 200, opts: ReadAllOptions = {}): Promise<{ messages: Message[]; position: LogPosition }> {
    return this.readPage(db, after, limit, true, opts);
  }

  /**
   * One page of the log after `after`; `gapSafe` stops short of any transaction still in flight.
   * The order is the table's columns (`m.`): the output column `transaction_id` is text, and
   * ordering by it sorted the whole rest of the log on every page (and put xid 10 before 9).
   */
  private async readPage(db: Db, after: LogPosition, limit: number, gapSafe: boolean, opts: ReadAllOptions): Promise<{ messages: Message[]; position: LogPosition }> {
    const params: unknown[] = [after.transactionId, after.globalPosition, limit];
    let columns = COLUMNS;
    if (opts.eventTypes) {
      params.push(opts.eventTypes.map((prefix) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
      const wanted = `m.kind = 'event' AND m.type LIKE ANY($4::text[])`;
      columns = `global_position, transaction_id::text AS transaction_id, message_id, kind, stream_id, stream_version, type, schema_version,
        CASE WHEN ${wanted} THEN data END AS data, CASE WHEN ${wanted} THEN metadata END AS metadata`;
    }
    const rows = await db.query<Row>(
      `SELECT ${columns} FROM mailroom_events.messages m
       WHERE (m.transaction_id, m.global_position) > ($1::xid8, $2::bigint)
         ${gapSafe ? 'AND m.transaction_id < pg_snapshot_xmin(pg_current_snapshot())' : ''}
       ORDER BY m.transaction_id, m.global_position
       LIMIT $3`,
      params,
    );
    if (rows.length === 0) return { messages: [], position: after };
    const last = rows[rows.length - 1];
    return {
      messages: rows.map(toMessage),
      position: { transactionId: last.transaction_id, globalPosition: String(last.global_position) },
    };
  }
}

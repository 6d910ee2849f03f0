import { createHash, randomUUID } from 'node:crypto';
import { mailStreamId } from '@mailroom/contracts';
import { isConnectionError, type Db } from '@mailroom/database';

/** A mail whose DATA is complete: what the edge stores before its 250. */
export interface ReceivedMail {
  mailId: string;
  receivedAt: string;
  mailFrom: string | null;
  rcptTo: string[];
  remoteAddress: string | null;
  helo: string | null;
  raw: Buffer;
}

const SYSTEM = { userId: null, role: 'system' } as const;

export interface MailStoreOptions {
  db: Db;
  /** false: one transaction per mail, started at once (the behaviour before group commit). */
  groupCommit: boolean;
  maxMails: number;
  maxBytes: number;
  onIsolating?: (err: Error, mails: number) => void;
}

export interface MailStoreStats {
  /** Mails committed, and the transactions that committed them. */
  mails: number;
  commits: number;
  /** Batches that failed as a whole and were retried one mail per transaction. */
  isolatedBatches: number;
  /** The most mails one transaction carried. */
  largestBatch: number;
  /** Mails queued now for the next transaction. */
  waiting: number;
}

/**
 * Stores mails for the SMTP edge: the raw bytes and the `mail.received` event of every mail in a
 * batch commit in one transaction, and a mail's promise settles only after that COMMIT, so its
 * 250 still means "durable" (DESIGN.md §2.1) while a WAL flush is paid per batch, not per mail.
 *
 * Natural batching: while a transaction is in flight, arrivals queue; the next transaction starts
 * the moment the previous one ends and takes what queued (up to `maxMails` / `maxBytes`). An idle
 * edge commits a lone mail at once, so low load pays no added delay.
 */
export class MailStore {
  private readonly queue: { mail: ReceivedMail; done: (err: Error | null) => void }[] = [];
  private inFlight = false;
  readonly stats: MailStoreStats = { mails: 0, commits: 0, isolatedBatches: 0, largestBatch: 0, waiting: 0 };

  constructor(private readonly opts: MailStoreOptions) {}

  /** Resolves once the mail is committed; rejects when it is not (the edge answers 451). */
  save(mail: ReceivedMail): Promise<void> {
    if (!this.opts.groupCommit) return this.commit([mail]);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ mail, done: (err) => (err ? reject(err) : resolve()) });
      this.stats.waiting = this.queue.length;
      this.next();
    });
  }

  private next(): void {
    if (this.inFlight || this.queue.length === 0) return;
    let bytes = 0;
    let n = 0;
    // A mail larger than maxBytes still goes, alone.
    while (n < this.queue.length && n < this.opts.maxMails && (n === 0 || bytes + this.queue[n].mail.raw.length <= this.opts.maxBytes)) {
      bytes += this.queue[n].mail.raw.length;
      n++;
    }
    const batch = this.queue.splice(0, n);
    this.stats.waiting = this.queue.length;
    this.inFlight = true;
    void this.commitBatch(batch).finally(() => {
      this.inFlight = false;
      this.next();
    });
  }

  private async commitBatch(batch: { mail: ReceivedMail; done: (err: Error | null) => void }[]): Promise<void> {
    try {
      await this.commit(batch.map((b) => b.mail));
      for (const b of batch) b.done(null);
      return;
    } catch (err) {
      // The database is away: every mail of the batch gets 451 and its sender retries. Retrying
      // them one by one would only knock on a closed door.
      if (batch.length === 1 || isConnectionError(err)) {
        for (const b of batch) b.done(err as Error);
        return;
      }
      // Anything else may be one mail the database refuses. Were the batch answered 451 as a whole,
      // that mail would take down every mail it shares a batch with at each retry of its sender;
      // alone, it gets its own 451 and the others their 250.
      this.stats.isolatedBatches++;
      this.opts.onIsolating?.(err as Error, batch.length);
    }
    await Promise.all(batch.map((b) => this.commit([b.mail]).then(() => b.done(null), (err: Error) => b.done(err))));
  }

  /**
   * One statement, so one round trip and one transaction (autocommit: PostgreSQL commits it before
   * it answers, and the promise settles on that answer): the raw mail rows, a new stream per mail
   * and its `mail.received` event — what `EventStore.appendMany` writes for one-message appends
   * expecting no stream — with the log's wake-up riding on it. Before, the same batch took five
   * round trips (BEGIN, three INSERTs, COMMIT). A stream that exists already fails the statement
   * (unique violation), as `appendMany`'s expected-version check would.
   */
  private async commit(mails: ReceivedMail[]): Promise<void> {
    // The raw bytes as bind parameters of their own (sent binary), not in the SQL text nor hex-encoded
    // in an array; the rest as one array per column.
    const params: unknown[] = [[], [], [], []];
    const [streams, ids, datas, metas] = params as string[][];
    const rows = mails.map((m) => {
      const at = params.length;
      params.push(m.mailId, m.receivedAt, m.mailFrom, m.rcptTo, m.remoteAddress, m.raw.length, createHash('sha256').update(m.raw).digest('hex'), m.raw, m.helo);
      streams.push(mailStreamId(m.mailId));
      ids.push(randomUUID());
      datas.push(JSON.stringify({ mailId: m.mailId, mailFrom: m.mailFrom, rcptTo: m.rcptTo, size: m.raw.length, remoteAddress: m.remoteAddress, receivedAt: m.receivedAt }));
      metas.push(
        JSON.stringify({ actor: SYSTEM, occurredAt: m.receivedAt, correlationId: m.mailId, updateId: randomUUID(), updateSize: 1, updateIndex: 0 }),
      );
      return `(${Array.from({ length: 9 }, (_, i) => `$${at + i + 1}`).join(', ')})`;
    });
    // raw_mail first: its lock is taken first, as when it was the first statement of the transaction.
    await this.opts.db.query(
      `WITH raw AS (
         INSERT INTO ingest.raw_mail (id, received_at, mail_from, rcpt_to, remote_address, size, sha256, raw, helo)
         VALUES ${rows.join(', ')}
       ), streams AS (
         INSERT INTO mailroom_events.streams (stream_id, stream_type, version)
         SELECT id, 'mail', 1 FROM unnest($1::text[]) AS t(id) ORDER BY id
       ), written AS (
         INSERT INTO mailroom_events.messages (message_id, kind, stream_id, stream_version, type, schema_version, data, metadata)
         SELECT id, 'event', stream, 1, 'mail.received', 1, data::jsonb, meta::jsonb
         FROM unnest($2::uuid[], $1::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(id, stream, data, meta, ord)
         ORDER BY ord
         RETURNING 1
       )
       SELECT count(*) AS n, pg_notify('mailroom_events', '') IS NULL AS notified FROM written`,
      params,
    );
    this.stats.mails += mails.length;
    this.stats.commits++;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, mails.length);
  }
}

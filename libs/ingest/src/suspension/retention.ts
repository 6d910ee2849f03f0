import type { Db } from '@mailroom/database';

/**
 * Removes suspended tickets and, for mail that never became a ticket, its raw bytes and its
 * Message-ID claim (so the same mail sent again is processed afresh). A recovered mail's raw bytes
 * stay: its ticket's comment and attachments point to them. One statement, so a concurrent
 * recovery either sees the row (and wins the row lock) or does not find it at all.
 */
const DELETE_SQL = (where: string) => `
  WITH gone AS (
    DELETE FROM ingest.suspended_tickets WHERE ${where} RETURNING id, mail_id, recovered_at, recovery_count
  ), unrecovered AS (
    SELECT mail_id FROM gone WHERE recovered_at IS NULL AND recovery_count = 0
  ), keys AS (
    DELETE FROM ingest.message_keys k USING unrecovered u WHERE k.mail_id = u.mail_id RETURNING k.mail_id
  ), raw AS (
    DELETE FROM ingest.raw_mail r USING unrecovered u
    WHERE r.id = u.mail_id AND NOT EXISTS (SELECT 1 FROM ingest.attachments a WHERE a.mail_id = r.id)
    RETURNING r.id
  )
  -- The foreign key from message_keys is checked at the end of the statement, after 'keys' ran.
  SELECT g.id, (SELECT count(*) FROM raw) AS raw_deleted, (SELECT count(*) FROM keys) AS keys_deleted FROM gone g`;

export interface DeleteResult {
  deleted: number[];
  rawMailDeleted: number;
}

const run = async (tx: Db, where: string, params: unknown[]): Promise<DeleteResult> => {
  const rows = await tx.query<{ id: string; raw_deleted: string }>(DELETE_SQL(where), params);
  return { deleted: rows.map((r) => Number(r.id)), rawMailDeleted: rows.length ? Number(rows[0].raw_deleted) : 0 };
};

/** Deletes the given suspended tickets (the API's DELETE); ids that do not exist are ignored. */
export const deleteSuspendedTickets = (tx: Db, ids: readonly number[]): Promise<DeleteResult> => run(tx, 'id = ANY($1::bigint[])', [ids]);

/**
 * Retention: suspended tickets older than `retentionDays` at `now` go (Zendesk: 14 days), and the
 * rate-limit counters that fell out of their window with them.
 */
export const purgeSuspendedTickets = async (tx: Db, now: Date, retentionDays: number, rateWindowMinutes: number): Promise<DeleteResult> => {
  const result = await run(tx, `created_at < $1::timestamptz - make_interval(days => $2)`, [now.toISOString(), retentionDays]);
  await tx.query(`DELETE FROM ingest.sender_counters WHERE bucket <= date_trunc('minute', $1::timestamptz) - make_interval(mins => $2)`, [now.toISOString(), rateWindowMinutes]);
  await tx.query(`DELETE FROM ingest.ticket_mail_counters WHERE bucket <= date_trunc('minute', $1::timestamptz) - interval '60 minutes'`, [now.toISOString()]);
  return result;
};

export interface RetentionTimer {
  /** One purge now (also what the timer calls). */
  runOnce(): Promise<DeleteResult>;
  stop(): void;
}

/** Runs the purge every `intervalMs` with the injected clock; failures are reported and retried next time. */
export const startRetentionTimer = (opts: {
  db: Db;
  clock: () => Date;
  retentionDays: number;
  rateWindowMinutes: number;
  intervalMs: number;
  onError?: (err: unknown) => void;
  onPurged?: (r: DeleteResult) => void;
}): RetentionTimer => {
  let running: Promise<DeleteResult> | null = null;
  const runOnce = () =>
    (running ??= opts.db
      .transaction((tx) => purgeSuspendedTickets(tx, opts.clock(), opts.retentionDays, opts.rateWindowMinutes))
      .finally(() => {
        running = null;
      }));
  const timer = opts.intervalMs > 0
    ? setInterval(() => {
        runOnce().then(
          (r) => (r.deleted.length ? opts.onPurged?.(r) : undefined),
          (err) => opts.onError?.(err),
        );
      }, opts.intervalMs)
    : null;
  timer?.unref();
  return { runOnce, stop: () => (timer ? clearInterval(timer) : undefined) };
};

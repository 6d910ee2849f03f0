import { createTransport, type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import type { Logger } from '@mailroom/observability';
import { DrainLoop } from './drain-loop';
import { type DeliveryOutcome, type DeliveryRecord, deliveryRecordsCommand } from './notifier-consumer';

interface OutgoingRow {
  id: string;
  notification_id: string;
  ticket_id: string;
  to_address: string;
  message_id: string;
  envelope_from: string;
  headers: Record<string, string>;
  subject: string;
  text_body: string;
  html_body: string;
  attempts: number;
}

/** What one relay attempt came to: a final outcome for the ticket, or a retry at a later time. */
type Attempt = { row: OutgoingRow; attempt: number } & ({ outcome: DeliveryOutcome; retry?: undefined } | { retry: { error: string; at: Date }; outcome?: undefined });

export interface SenderOptions {
  db: Db;
  store: EventStore;
  relayUrl: string;
  log: Logger;
  maxAttempts?: number;
  batchSize?: number;
  clock?: () => Date;
}

/** Back-off between delivery attempts: quick at first, then like an MTA's queue. */
const backoffSeconds = (attempt: number): number => [5, 30, 120, 600, 1800, 3600][Math.min(attempt - 1, 5)];

/**
 * Sends pending outgoing mail through the relay. Each mail is picked with SKIP LOCKED (several
 * replicas share the queue); the outcomes of a pass are written together with the delivery records
 * for the tickets' audits. A 5xx answer is final; anything else is retried with back-off.
 */
export class OutboundSender {
  private readonly transport: Transporter;
  private readonly drain: DrainLoop;

  constructor(private readonly opts: SenderOptions) {
    this.transport = createTransport({ url: opts.relayUrl, pool: true, maxConnections: 5, maxMessages: 100, connectionTimeout: 10000, greetingTimeout: 10000, socketTimeout: 30000 } as never);
    this.drain = new DrainLoop('outbound sender', () => this.runOnce(), opts.log);
  }

  notify(): void {
    this.drain.notify();
  }

  /**
   * Sends what is due now; returns how many mails it attempted. Mails are claimed with a short
   * lease in their own transaction and sent outside any transaction: an open transaction would
   * hold back every gap-safe reader of the log while the relay answers. The pass's outcomes are
   * then written in one transaction (see `record`).
   */
  async runOnce(): Promise<number> {
    const now = (this.opts.clock ?? (() => new Date()))();
    const lease = new Date(now.getTime() + 120_000);
    const due = await this.opts.db.query<OutgoingRow>(
      `UPDATE notifier.outgoing SET next_attempt_at = $3
       WHERE id IN (SELECT id FROM notifier.outgoing WHERE status = 'pending' AND next_attempt_at <= $1
                    ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, notification_id, ticket_id, to_address, message_id, envelope_from, headers, subject, text_body, html_body, attempts`,
      [now.toISOString(), this.opts.batchSize ?? 20, lease.toISOString()],
    );
    if (due.length === 0) return 0;
    const attempts = await Promise.all(due.map((row) => this.attempt(row, now)));
    await this.record(attempts, now);
    return due.length;
  }

  /** One relay attempt; writes nothing (the pass records every attempt at once). */
  private async attempt(row: OutgoingRow, now: Date): Promise<Attempt> {
    const attempt = row.attempts + 1;
    try {
      // The message is built whole before it goes out: the relay connection then gets it in a few
      // large writes rather than one per encoded line (a third of the notifier's CPU under load
      // went to socket writes).
      const raw = await new MailComposer({
        from: row.envelope_from,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        messageId: row.message_id,
        headers: row.headers,
        disableFileAccess: true,
        disableUrlAccess: true,
      })
        .compile()
        .build();
      const info = await this.transport.sendMail({ raw, envelope: { from: row.envelope_from.replace(/^.*<([^>]+)>.*$/, '$1'), to: [row.to_address] } });
      const response = String((info as { response?: string }).response ?? 'accepted');
      return { row, attempt, outcome: { status: 'delivered', to: [row.to_address], messageId: row.message_id, relayResponse: response, at: now.toISOString() } };
    } catch (err) {
      const e = err as { responseCode?: number; message?: string };
      const permanent = (e.responseCode !== undefined && e.responseCode >= 500) || attempt >= (this.opts.maxAttempts ?? 6);
      const error = `${e.responseCode ? `${e.responseCode} ` : ''}${e.message ?? String(err)}`.slice(0, 1000);
      this.opts.log.warn('notification delivery failed', { to: row.to_address, attempt, permanent, error });
      if (permanent) return { row, attempt, outcome: { status: 'failed', to: [row.to_address], error, permanent: true, at: now.toISOString() } };
      return { row, attempt, retry: { error, at: new Date(now.getTime() + backoffSeconds(attempt) * 1000) } };
    }
  }

  /**
   * Writes a pass's outcomes in one transaction: each mail's row, and per ticket one
   * `ticket.record_deliveries` command with the final outcomes (issue 8: one command and one
   * ticket transaction per ticket and pass instead of one per mail). The command id is derived
   * from the outcomes it carries, so writing the same pass again sends nothing new; a row another
   * replica finished meanwhile (our lease ran out) is left to its record. A crash after sending
   * and before this commit leaves the rows pending: they are sent again when the lease ends and
   * recorded then, and the ticket applies each outcome once whatever the batches looked like.
   */
  private async record(attempts: Attempt[], now: Date): Promise<void> {
    const retries = attempts.filter((a) => a.retry);
    const delivered = attempts.filter((a) => a.outcome?.status === 'delivered');
    const failed = attempts.filter((a) => a.outcome && a.outcome.status !== 'delivered');
    await this.opts.db.transaction(async (tx) => {
      // Three statements whatever the pass's size: retries, deliveries, failures (issue 8).
      if (retries.length) {
        await tx.query(
          `UPDATE notifier.outgoing o SET attempts = r.attempts, last_error = r.error, next_attempt_at = r.at
           FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[]) AS r(id, attempts, error, at)
           WHERE o.id = r.id AND o.status = 'pending'`,
          [retries.map((a) => a.row.id), retries.map((a) => a.attempt), retries.map((a) => a.retry!.error), retries.map((a) => a.retry!.at.toISOString())],
        );
      }
      const done = new Set<string>();
      if (delivered.length) {
        const rows = await tx.query<{ id: string }>(
          `UPDATE notifier.outgoing o SET status = 'sent', attempts = r.attempts, relay_response = r.response, sent_at = $4
           FROM unnest($1::uuid[], $2::int[], $3::text[]) AS r(id, attempts, response)
           WHERE o.id = r.id AND o.status = 'pending' RETURNING o.id`,
          [delivered.map((a) => a.row.id), delivered.map((a) => a.attempt), delivered.map((a) => (a.outcome as { relayResponse?: string }).relayResponse ?? null), now.toISOString()],
        );
        for (const r of rows) done.add(r.id);
      }
      if (failed.length) {
        const rows = await tx.query<{ id: string }>(
          `UPDATE notifier.outgoing o SET status = 'failed', attempts = r.attempts, last_error = r.error
           FROM unnest($1::uuid[], $2::int[], $3::text[]) AS r(id, attempts, error)
           WHERE o.id = r.id AND o.status = 'pending' RETURNING o.id`,
          [failed.map((a) => a.row.id), failed.map((a) => a.attempt), failed.map((a) => (a.outcome as { error?: string }).error ?? null)],
        );
        for (const r of rows) done.add(r.id);
      }
      // A row another replica finished meanwhile (our lease ran out) is left to its record.
      const byTicket = new Map<number, DeliveryRecord[]>();
      for (const a of attempts) {
        if (!a.outcome || !done.has(a.row.id)) continue;
        const ticketId = Number(a.row.ticket_id);
        byTicket.set(ticketId, [...(byTicket.get(ticketId) ?? []), { outgoingId: a.row.id, notificationId: a.row.notification_id, outcome: a.outcome }]);
      }
      await this.opts.store.sendCommands(tx, [...byTicket].map(([ticketId, outcomes]) => deliveryRecordsCommand(ticketId, outcomes)));
    });
  }

  start(): void {
    this.drain.start();
  }

  async stop(): Promise<void> {
    await this.drain.stop();
    this.transport.close();
  }
}

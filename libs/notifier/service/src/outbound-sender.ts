import { createTransport, type Transporter } from 'nodemailer';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import type { Logger } from '@mailroom/observability';
import { DrainLoop } from './drain-loop';
import { sendDeliveryRecord } from './notifier-consumer';

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
 * replicas share the queue), and its outcome is written together with a delivery record for the
 * ticket's audit. A 5xx answer is final; anything else is retried with back-off.
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
   * hold back every gap-safe reader of the log while the relay answers.
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
    await Promise.all(due.map((row) => this.deliver(row, now)));
    return due.length;
  }

  private async deliver(row: OutgoingRow, now: Date): Promise<void> {
    const attempt = row.attempts + 1;
    const ticketId = Number(row.ticket_id);
    try {
      const info = await this.transport.sendMail({
        from: row.envelope_from,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        messageId: row.message_id,
        headers: row.headers,
        envelope: { from: row.envelope_from.replace(/^.*<([^>]+)>.*$/, '$1'), to: [row.to_address] },
      });
      const response = String((info as { response?: string }).response ?? 'accepted');
      await this.opts.db.transaction(async (tx) => {
      await tx.query(`UPDATE notifier.outgoing SET status = 'sent', attempts = $2, relay_response = $3, sent_at = $4 WHERE id = $1`, [row.id, attempt, response, now.toISOString()]);
      await sendDeliveryRecord(this.opts.store, tx, row.id, {
        ticketId,
        notificationId: row.notification_id,
        outcome: { status: 'delivered', to: [row.to_address], messageId: row.message_id, relayResponse: response, at: now.toISOString() },
      });
      });
    } catch (err) {
      const e = err as { responseCode?: number; message?: string };
      const permanent = (e.responseCode !== undefined && e.responseCode >= 500) || attempt >= (this.opts.maxAttempts ?? 6);
      const error = `${e.responseCode ? `${e.responseCode} ` : ''}${e.message ?? String(err)}`.slice(0, 1000);
      this.opts.log.warn('notification delivery failed', { to: row.to_address, attempt, permanent, error });
      if (permanent) {
        await this.opts.db.transaction(async (tx) => {
        await tx.query(`UPDATE notifier.outgoing SET status = 'failed', attempts = $2, last_error = $3 WHERE id = $1`, [row.id, attempt, error]);
        await sendDeliveryRecord(this.opts.store, tx, row.id, {
          ticketId,
          notificationId: row.notification_id,
          outcome: { status: 'failed', to: [row.to_address], error, permanent: true, at: now.toISOString() },
        });
        });
      } else {
        const next = new Date(now.getTime() + backoffSeconds(attempt) * 1000);
        await this.opts.db.query(`UPDATE notifier.outgoing SET attempts = $2, last_error = $3, next_attempt_at = $4 WHERE id = $1`, [row.id, attempt, error, next.toISOString()]);
      }
    }
  }

  start(): void {
    this.drain.start();
  }

  async stop(): Promise<void> {
    await this.drain.stop();
    this.transport.close();
  }
}

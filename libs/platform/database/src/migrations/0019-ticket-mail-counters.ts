import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-ticket mail counters: two auto-responders that each stay under the per-sender limit still
 * write one comment after another on the same ticket, so screening also counts the mails that
 * would update a ticket, per ticket and minute (summed over the last hour), like sender_counters.
 */
export class TicketMailCounters1764050400019 implements MigrationInterface {
  name = 'TicketMailCounters1764050400019';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ingest.ticket_mail_counters (
        ticket_id  bigint NOT NULL,
        bucket     timestamptz NOT NULL,
        count      integer NOT NULL,
        PRIMARY KEY (ticket_id, bucket)
      )`);
    await q.query(`CREATE INDEX ticket_mail_counters_bucket ON ingest.ticket_mail_counters (bucket)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ingest.ticket_mail_counters`);
  }
}

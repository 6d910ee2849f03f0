import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Loop and junk protection (per-sender counters, bounced addresses) and what recovery needs on
 * suspended tickets.
 */
export class LoopProtection1764050400006 implements MigrationInterface {
  name = 'LoopProtection1764050400006';

  async up(q: QueryRunner): Promise<void> {
    // One row per sender and minute: the rate limit sums the buckets of the window, so the window
    // slides by the minute and a sender never holds more than window/1 min rows.
    await q.query(`
      CREATE TABLE ingest.sender_counters (
        sender  text NOT NULL,
        bucket  timestamptz NOT NULL,
        count   integer NOT NULL,
        PRIMARY KEY (sender, bucket)
      )`);
    await q.query(`CREATE INDEX sender_counters_bucket ON ingest.sender_counters (bucket)`);
    // Addresses a delivery status notification reported as failed, with the ticket the bounced mail was about.
    await q.query(`
      CREATE TABLE ingest.bounces (
        mail_id       uuid NOT NULL REFERENCES ingest.raw_mail (id) ON DELETE CASCADE,
        address       text NOT NULL,
        action        text NOT NULL,
        status        text,
        diagnostic    text,
        permanent     boolean NOT NULL,
        ticket_id     integer,
        original_message_id text,
        created_at    timestamptz NOT NULL,
        PRIMARY KEY (mail_id, address)
      )`);
    await q.query(`CREATE INDEX bounces_address ON ingest.bounces (address, created_at)`);
    await q.query(`ALTER TABLE ingest.suspended_tickets ADD COLUMN recovered_by jsonb, ADD COLUMN recovery_count integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX suspended_tickets_created ON ingest.suspended_tickets (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ingest.suspended_tickets_created`);
    await q.query(`ALTER TABLE ingest.suspended_tickets DROP COLUMN recovered_by, DROP COLUMN recovery_count`);
    await q.query(`DROP TABLE ingest.bounces`);
    await q.query(`DROP TABLE ingest.sender_counters`);
  }
}

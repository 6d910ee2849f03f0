import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Suspended tickets: mail that could not become a ticket or comment, kept with its cause and the
 * raw bytes (in ingest.raw_mail) until an agent recovers or deletes it, or retention removes it.
 */
export class SuspendedTickets1764050400005 implements MigrationInterface {
  name = 'SuspendedTickets1764050400005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ingest.suspended_tickets (
        id            bigserial PRIMARY KEY,
        mail_id       uuid NOT NULL UNIQUE REFERENCES ingest.raw_mail (id) ON DELETE CASCADE,
        cause         text NOT NULL,
        cause_id      integer NOT NULL,
        detail        text NOT NULL,
        subject       text,
        author_email  text,
        author_name   text,
        recipient     text,
        content       text,
        message_id    text,
        ticket_id     integer,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL,
        recovered_at  timestamptz
      )`);
    await q.query(`CREATE INDEX suspended_tickets_open ON ingest.suspended_tickets (created_at) WHERE recovered_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ingest.suspended_tickets`);
  }
}

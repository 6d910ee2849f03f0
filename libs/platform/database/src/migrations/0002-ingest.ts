import { MigrationInterface, QueryRunner } from 'typeorm';

/** ingest owns the raw mail (committed before the SMTP 250) and what the worker made of it. */
export class Ingest1764050400002 implements MigrationInterface {
  name = 'Ingest1764050400002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS ingest`);
    await q.query(`
      CREATE TABLE ingest.raw_mail (
        id             uuid PRIMARY KEY,
        received_at    timestamptz NOT NULL,
        mail_from      text,
        rcpt_to        text[] NOT NULL,
        remote_address text,
        size           integer NOT NULL,
        sha256         text NOT NULL,
        raw            bytea NOT NULL
      )`);
    // The same Message-ID at the same support address is the same mail (dedupe by natural key).
    await q.query(`
      CREATE TABLE ingest.message_keys (
        support_address text NOT NULL,
        dedupe_key      text NOT NULL,
        mail_id         uuid NOT NULL REFERENCES ingest.raw_mail (id),
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (support_address, dedupe_key)
      )`);
    await q.query(`
      CREATE TABLE ingest.attachments (
        id           uuid PRIMARY KEY,
        mail_id      uuid NOT NULL REFERENCES ingest.raw_mail (id),
        file_name    text NOT NULL,
        content_type text NOT NULL,
        size         integer NOT NULL,
        content_id   text,
        inline       boolean NOT NULL,
        content      bytea NOT NULL
      )`);
    await q.query(`CREATE INDEX attachments_mail ON ingest.attachments (mail_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA ingest CASCADE`);
  }
}

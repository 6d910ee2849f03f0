import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Support addresses (Zendesk's recipient addresses): the state of the `recipient-addresses` stream,
 * written in the same transaction as its events. Every service reads it (ingest accepts mail for
 * these, ticket and notifier send from them); only the ticket service's API writes it.
 */
export class RecipientAddresses1764050400008 implements MigrationInterface {
  name = 'RecipientAddresses1764050400008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS email_channel`);
    await q.query(`
      CREATE TABLE email_channel.recipient_addresses (
        id          bigserial PRIMARY KEY,
        email       text NOT NULL UNIQUE CHECK (email = lower(email)),
        name        text NOT NULL DEFAULT '',
        is_default  boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
    // At most one default; the writer keeps it at exactly one.
    await q.query(`CREATE UNIQUE INDEX recipient_addresses_one_default ON email_channel.recipient_addresses (is_default) WHERE is_default`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA email_channel CASCADE`);
  }
}

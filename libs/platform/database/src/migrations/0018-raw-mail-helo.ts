import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SMTP edge keeps the name the client gave in HELO/EHLO beside its address and MAIL FROM:
 * SPF checks the HELO identity when MAIL FROM is empty (bounces), and the worker authenticates
 * the sender from what the session said, not from Received headers anyone can write.
 */
export class RawMailHelo1764050400018 implements MigrationInterface {
  name = 'RawMailHelo1764050400018';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingest.raw_mail ADD COLUMN helo text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingest.raw_mail DROP COLUMN helo`);
  }
}

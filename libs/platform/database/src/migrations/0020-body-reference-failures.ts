import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed checks of the `[XXXXXX-XXXX]` body reference, per day, for the sender and for the ticket
 * a guess named: past a few, body references are not honoured for them that day (its 20-bit MAC
 * must not be open to a million guesses; see libs/ingest/src/threading/body-reference-guard.ts).
 */
export class BodyReferenceFailures1764050400020 implements MigrationInterface {
  name = 'BodyReferenceFailures1764050400020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ingest.body_reference_failures (
        day       date NOT NULL,
        scope     text NOT NULL CHECK (scope IN ('sender', 'ticket')),
        subject   text NOT NULL,
        failures  integer NOT NULL,
        PRIMARY KEY (day, scope, subject)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ingest.body_reference_failures`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * rules.evaluations keeps a compact record per update (`record`: the fired triggers with their
 * outcomes, the ticket states the passes judged against, the inputs conditions read) and the
 * version of the `triggers` stream it was evaluated at (`triggers_version`), in place of the
 * per-condition explanation of every active trigger; the explanation API makes that from the two.
 * `explanation` stays for rows written before, and for updates evaluated against a trigger set the
 * stream cannot give back (rows older than the stream), which still store it whole.
 */
export class CompactTriggerExplanations1764050400024 implements MigrationInterface {
  name = 'CompactTriggerExplanations1764050400024';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE rules.evaluations
        ALTER COLUMN explanation DROP NOT NULL,
        ADD COLUMN triggers_version bigint,
        ADD COLUMN record jsonb`);
    await q.query(`ALTER TABLE rules.evaluations ADD CONSTRAINT evaluations_explained CHECK (explanation IS NOT NULL OR (record IS NOT NULL AND triggers_version IS NOT NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The explanations of compact rows are not made here (that needs the trigger engine): they go.
    await q.query(`DELETE FROM rules.evaluations WHERE explanation IS NULL`);
    await q.query(`ALTER TABLE rules.evaluations DROP CONSTRAINT evaluations_explained`);
    await q.query(`ALTER TABLE rules.evaluations DROP COLUMN record, DROP COLUMN triggers_version, ALTER COLUMN explanation SET NOT NULL`);
  }
}

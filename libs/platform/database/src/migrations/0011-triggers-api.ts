import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Triggers managed through the API: trigger categories beside rules.triggers (both the state of
 * the `triggers` stream, written with its events), numeric ids for new triggers, the whole
 * outcome of a trigger cycle in rules.evaluations, and the rules' projection of group members
 * (for `notification_group`).
 */
export class TriggersApi1764050400011 implements MigrationInterface {
  name = 'TriggersApi1764050400011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rules.trigger_categories (
        id          text PRIMARY KEY,
        name        text NOT NULL,
        position    integer NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE SEQUENCE rules.trigger_ids START 360000001`);
    await q.query(`CREATE SEQUENCE rules.trigger_category_ids START 10001`);
    await q.query(`
      ALTER TABLE rules.evaluations
        ADD COLUMN passes       integer,
        ADD COLUMN capped       boolean NOT NULL DEFAULT false,
        ADD COLUMN system_rules jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`CREATE INDEX evaluations_ticket ON rules.evaluations (ticket_id, created_at)`);
    await q.query(`
      CREATE TABLE rules.groups (
        id      bigint PRIMARY KEY,
        version bigint NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        members bigint[] NOT NULL DEFAULT '{}'
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rules.groups`);
    await q.query(`DROP INDEX rules.evaluations_ticket`);
    await q.query(`ALTER TABLE rules.evaluations DROP COLUMN passes, DROP COLUMN capped, DROP COLUMN system_rules`);
    await q.query(`DROP SEQUENCE rules.trigger_category_ids`);
    await q.query(`DROP SEQUENCE rules.trigger_ids`);
    await q.query(`DROP TABLE rules.trigger_categories`);
  }
}

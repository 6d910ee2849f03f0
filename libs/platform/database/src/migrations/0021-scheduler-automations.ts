import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Automations managed through the API: scheduler.automations is the state of the `automations`
 * stream, written with its events (the scheduler reads it at each tick), numeric ids for new
 * automations, and scheduler.automation_seeds for what the system added once (the standard set on
 * a new account, the satisfaction request when ratings are first turned on), so that an admin who
 * deletes one does not get it back.
 */
export class SchedulerAutomations1764050400021 implements MigrationInterface {
  name = 'SchedulerAutomations1764050400021';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scheduler.automations (
        id          text PRIMARY KEY,
        position    integer NOT NULL,
        active      boolean NOT NULL,
        data        jsonb NOT NULL,
        -- Turned off by turning satisfaction ratings off (not by an admin): turned on again with them.
        paused_by_setting boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
    // The run order of the tick: active automations by position.
    await q.query(`CREATE INDEX automations_run_order ON scheduler.automations (position, id) WHERE active`);
    await q.query(`CREATE SEQUENCE scheduler.automation_ids START 360000001`);
    await q.query(`
      CREATE TABLE scheduler.automation_seeds (
        seed       text PRIMARY KEY,
        seeded_at  timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scheduler.automation_seeds`);
    await q.query(`DROP SEQUENCE scheduler.automation_ids`);
    await q.query(`DROP TABLE scheduler.automations`);
  }
}

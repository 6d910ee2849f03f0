import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rules load every agent and admin for each update (all_agents, groups) but only the end users
 * an update names: this partial index serves the staff half of that query.
 */
export class RulesStaffIndex1764050400014 implements MigrationInterface {
  name = 'RulesStaffIndex1764050400014';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX rules_users_staff ON rules.users (id) WHERE (data->>'role') IS DISTINCT FROM 'end_user'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX rules.rules_users_staff`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Business-hours schedules (`/api/v2/business_hours/schedules`): rules.schedules is the state of
 * the `schedules` stream, written with its events by the ticket service's API and read by the
 * rules service on every ticket update (`data` is the rules domain's Schedule shape, holidays
 * included). The lowest id is the account's default schedule.
 *
 * The notifier's own projection of group and organization names, so `{{ticket.group.name}}` and
 * `{{ticket.organization.name}}` render; a row's version is its stream's (memberships included).
 */
export class SchedulesAndNames1764050400013 implements MigrationInterface {
  name = 'SchedulesAndNames1764050400013';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE rules.schedule_ids`);
    await q.query(`CREATE SEQUENCE rules.schedule_holiday_ids`);
    await q.query(`
      CREATE TABLE rules.schedules (
        id         bigint PRIMARY KEY,
        data       jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE notifier.groups (
        id      bigint PRIMARY KEY,
        version bigint NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        name    text
      )`);
    await q.query(`
      CREATE TABLE notifier.organizations (
        id      bigint PRIMARY KEY,
        version bigint NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        data    jsonb NOT NULL DEFAULT '{}'
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifier.organizations, notifier.groups, rules.schedules`);
    await q.query(`DROP SEQUENCE rules.schedule_holiday_ids`);
    await q.query(`DROP SEQUENCE rules.schedule_ids`);
  }
}

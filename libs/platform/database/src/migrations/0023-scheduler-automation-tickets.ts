import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * scheduler.tickets grows to the whole `AutomationTicket` of the scheduler domain: the fields
 * automations test, as columns named like its keys so that `toSqlFilter` compiles conditions to
 * them, and the time columns they filter on indexed. Status times now mean "last entered that
 * status" and keep their value after the ticket leaves it. Rows written before this migration have
 * the defaults below: `npm run rebuild -- scheduler` refills them from the log.
 *
 * scheduler.users (there since 0004, filled from now on): the people automations notify.
 * scheduler.cycles: each automation cycle by its instant, so that one cut short by a crash is
 * resumed at the same instant (the same command ids) before any later one runs.
 */
export class SchedulerAutomationTickets1764050400023 implements MigrationInterface {
  name = 'SchedulerAutomationTickets1764050400023';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE scheduler.tickets
        ADD COLUMN type                text,
        ADD COLUMN priority            text,
        ADD COLUMN group_id            bigint,
        ADD COLUMN assignee_id         bigint,
        ADD COLUMN requester_id        bigint NOT NULL DEFAULT 0,
        ADD COLUMN organization_id     bigint,
        ADD COLUMN tags                text[] NOT NULL DEFAULT '{}',
        ADD COLUMN satisfaction_score  text NOT NULL DEFAULT 'unoffered',
        ADD COLUMN via                 text,
        ADD COLUMN recipient           text,
        ADD COLUMN subject             text NOT NULL DEFAULT '',
        ADD COLUMN has_public_comments boolean NOT NULL DEFAULT false,
        ADD COLUMN cc_ids              bigint[] NOT NULL DEFAULT '{}',
        ADD COLUMN reopens             integer NOT NULL DEFAULT 0,
        ADD COLUMN replies             integer NOT NULL DEFAULT 0,
        ADD COLUMN open_at             timestamptz,
        ADD COLUMN hold_at             timestamptz,
        ADD COLUMN closed_at           timestamptz,
        ADD COLUMN assigned_at         timestamptz,
        ADD COLUMN due_at              timestamptz,
        ADD COLUMN automation_updates  integer NOT NULL DEFAULT 0`);
    // The "hours since …" conditions are range scans on one time column; closed tickets are never
    // looked at, so the indexes leave them out (they are most of a help desk's tickets).
    for (const column of ['created_at', 'updated_at', 'open_at', 'pending_at', 'hold_at', 'solved_at', 'assigned_at', 'requester_updated_at', 'assignee_updated_at', 'due_at']) {
      await q.query(`CREATE INDEX scheduler_tickets_${column} ON scheduler.tickets (${column}) WHERE status <> 'closed'`);
    }
    // scheduler.users (0004) was empty until now: the staff, for `all_agents`, read without the end users.
    await q.query(`CREATE INDEX scheduler_users_staff ON scheduler.users (id) WHERE (data->>'role') IS DISTINCT FROM 'end_user'`);
    await q.query(`
      CREATE TABLE scheduler.cycles (
        at          timestamptz PRIMARY KEY,
        started_at  timestamptz NOT NULL,
        finished_at timestamptz,
        result      jsonb
      )`);
    await q.query(`CREATE INDEX scheduler_cycles_unfinished ON scheduler.cycles (at) WHERE finished_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scheduler.cycles`);
    await q.query(`DROP INDEX scheduler.scheduler_users_staff`);
    for (const column of ['created_at', 'updated_at', 'open_at', 'pending_at', 'hold_at', 'solved_at', 'assigned_at', 'requester_updated_at', 'assignee_updated_at', 'due_at']) {
      await q.query(`DROP INDEX scheduler.scheduler_tickets_${column}`);
    }
    await q.query(`
      ALTER TABLE scheduler.tickets
        DROP COLUMN type, DROP COLUMN priority, DROP COLUMN group_id, DROP COLUMN assignee_id, DROP COLUMN requester_id,
        DROP COLUMN organization_id, DROP COLUMN tags, DROP COLUMN satisfaction_score, DROP COLUMN via, DROP COLUMN recipient,
        DROP COLUMN subject, DROP COLUMN has_public_comments, DROP COLUMN cc_ids, DROP COLUMN reopens, DROP COLUMN replies,
        DROP COLUMN open_at, DROP COLUMN hold_at, DROP COLUMN closed_at, DROP COLUMN assigned_at, DROP COLUMN due_at,
        DROP COLUMN automation_updates`);
  }
}

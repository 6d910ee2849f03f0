import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rules' view of groups learns which members have the group as their default, so the system
 * rules can bring an assignee's default group to a ticket without one. Filled in from the ticket
 * service's memberships for groups the rules have seen already.
 */
export class RulesDefaultMembers1764050400016 implements MigrationInterface {
  name = 'RulesDefaultMembers1764050400016';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rules.groups ADD COLUMN default_members bigint[] NOT NULL DEFAULT '{}'`);
    await q.query(
      `UPDATE rules.groups g SET default_members = ARRAY(
         SELECT m.user_id FROM ticket.group_memberships m WHERE m.group_id = g.id AND (m.data->>'default')::boolean ORDER BY m.user_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rules.groups DROP COLUMN default_members`);
  }
}

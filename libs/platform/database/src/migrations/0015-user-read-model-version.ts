import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The users' read model is written twice: in the transaction of the change (so the API answers
 * with it at once) and again by the read-model processor that follows the log. Without the stream
 * version on the row, the processor's late replay of an older `user.updated` briefly undid a newer
 * change (an organization deleted, its member shown in it again). Rows already reflect their whole
 * stream, because every user event is applied in its own transaction: the version is backfilled
 * from the stream.
 */
export class UserReadModelVersion1764050400015 implements MigrationInterface {
  name = 'UserReadModelVersion1764050400015';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket.users ADD COLUMN version bigint NOT NULL DEFAULT 0`);
    await q.query(
      `UPDATE ticket.users u SET version = s.version FROM mailroom_events.streams s WHERE s.stream_id = 'user-' || u.id`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket.users DROP COLUMN version`);
  }
}

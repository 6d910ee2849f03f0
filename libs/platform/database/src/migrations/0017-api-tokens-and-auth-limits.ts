import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API tokens that admins manage (the seeded one marked, so a changed MAILROOM_ADMIN_TOKEN can
 * replace it), and the counters behind the API's rate limits: failed authentications per client
 * address and per claimed email, requests per user. Counters live here, not in a process, so that
 * every replica of the ticket service sees the same counts.
 */
export class ApiTokensAndAuthLimits1764050400017 implements MigrationInterface {
  name = 'ApiTokensAndAuthLimits1764050400017';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket.api_tokens ADD COLUMN seeded boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE ticket.api_tokens ADD COLUMN created_by bigint`);
    // A revoked token keeps its row, so that restarting with the same MAILROOM_ADMIN_TOKEN does not
    // bring a token an admin revoked back to life.
    await q.query(`ALTER TABLE ticket.api_tokens ADD COLUMN revoked_at timestamptz`);
    await q.query(`UPDATE ticket.api_tokens SET seeded = true WHERE description = 'seeded from MAILROOM_ADMIN_TOKEN'`);
    // One row per counter and fixed window; a limit is checked against the current window plus the
    // previous one weighted by how much of it still falls in the sliding window.
    await q.query(`
      CREATE TABLE ticket.rate_counters (
        key          text NOT NULL,
        window_start timestamptz NOT NULL,
        count        integer NOT NULL,
        expires_at   timestamptz NOT NULL,
        PRIMARY KEY (key, window_start)
      )`);
    await q.query(`CREATE INDEX rate_counters_expiry ON ticket.rate_counters (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ticket.rate_counters`);
    await q.query(`ALTER TABLE ticket.api_tokens DROP COLUMN revoked_at`);
    await q.query(`ALTER TABLE ticket.api_tokens DROP COLUMN created_by`);
    await q.query(`ALTER TABLE ticket.api_tokens DROP COLUMN seeded`);
  }
}

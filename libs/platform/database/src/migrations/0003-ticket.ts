import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ticket owns ids, idempotency keys, API tokens, and the read models the API serves
 * (projected from the log; rebuildable from zero).
 */
export class Ticket1764050400003 implements MigrationInterface {
  name = 'Ticket1764050400003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS ticket`);
    await q.query(`CREATE SEQUENCE ticket.ticket_ids`);
    await q.query(`CREATE SEQUENCE ticket.user_ids`);
    await q.query(`CREATE SEQUENCE ticket.comment_ids`);
    await q.query(`CREATE TABLE ticket.creation_keys (key text PRIMARY KEY, ticket_id bigint NOT NULL)`);
    await q.query(`CREATE TABLE ticket.comment_keys (key text PRIMARY KEY, ticket_id bigint NOT NULL, comment_id bigint NOT NULL)`);
    await q.query(`CREATE TABLE ticket.user_emails (email text PRIMARY KEY, user_id bigint NOT NULL)`);
    await q.query(`
      CREATE TABLE ticket.api_tokens (
        id           bigserial PRIMARY KEY,
        token_sha256 text NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('api', 'oauth')),
        user_id      bigint,
        description  text NOT NULL DEFAULT '',
        created_at   timestamptz NOT NULL DEFAULT now(),
        UNIQUE (kind, token_sha256),
        CHECK ((kind = 'oauth') = (user_id IS NOT NULL))
      )`);
    // Read models.
    await q.query(`
      CREATE TABLE ticket.tickets (
        id           bigint PRIMARY KEY,
        version      bigint NOT NULL,
        status       text NOT NULL,
        requester_id bigint NOT NULL,
        assignee_id  bigint,
        group_id     bigint,
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL,
        data         jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX tickets_requester ON ticket.tickets (requester_id)`);
    await q.query(`
      CREATE TABLE ticket.comments (
        id         bigint PRIMARY KEY,
        ticket_id  bigint NOT NULL,
        audit_id   bigint NOT NULL,
        created_at timestamptz NOT NULL,
        data       jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX comments_ticket ON ticket.comments (ticket_id, id)`);
    await q.query(`
      CREATE TABLE ticket.audits (
        id         bigint PRIMARY KEY,
        update_id  uuid NOT NULL UNIQUE,
        ticket_id  bigint NOT NULL,
        created_at timestamptz NOT NULL,
        data       jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX audits_ticket ON ticket.audits (ticket_id, id)`);
    await q.query(`
      CREATE TABLE ticket.users (
        id         bigint PRIMARY KEY,
        email      text,
        role       text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        data       jsonb NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA ticket CASCADE`);
  }
}

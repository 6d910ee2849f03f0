import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each consumer service keeps its own projection of tickets and users, fed from RabbitMQ and
 * applied only in stream order (last_version), so redeliveries and reorderings are harmless.
 */
export class Consumers1764050400004 implements MigrationInterface {
  name = 'Consumers1764050400004';

  async up(q: QueryRunner): Promise<void> {
    for (const schema of ['rules', 'scheduler', 'notifier']) {
      await q.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await q.query(`
        CREATE TABLE ${schema}.users (
          id      bigint PRIMARY KEY,
          version bigint NOT NULL,
          data    jsonb NOT NULL
        )`);
    }
    await q.query(`
      CREATE TABLE rules.tickets (
        id      bigint PRIMARY KEY,
        version bigint NOT NULL,
        state   jsonb NOT NULL,
        -- events of an update that has not arrived whole yet
        pending jsonb NOT NULL DEFAULT '[]'
      )`);
    await q.query(`
      CREATE TABLE rules.triggers (
        id          text PRIMARY KEY,
        position    integer NOT NULL,
        category_id text,
        active      boolean NOT NULL,
        data        jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE rules.evaluations (
        update_id   uuid PRIMARY KEY,
        ticket_id   bigint NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        explanation jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE scheduler.tickets (
        id                   bigint PRIMARY KEY,
        version              bigint NOT NULL,
        status               text NOT NULL,
        created_at           timestamptz NOT NULL,
        updated_at           timestamptz NOT NULL,
        status_changed_at    timestamptz NOT NULL,
        solved_at            timestamptz,
        pending_at           timestamptz,
        requester_updated_at timestamptz,
        assignee_updated_at  timestamptz
      )`);
    await q.query(`CREATE INDEX scheduler_tickets_status ON scheduler.tickets (status, status_changed_at)`);
    await q.query(`CREATE TABLE scheduler.clock (id integer PRIMARY KEY CHECK (id = 1), last_tick_at timestamptz NOT NULL)`);
    await q.query(`
      CREATE TABLE notifier.tickets (
        id      bigint PRIMARY KEY,
        version bigint NOT NULL,
        view    jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE notifier.outgoing (
        id              uuid PRIMARY KEY,
        notification_id uuid NOT NULL,
        ticket_id       bigint NOT NULL,
        recipient_id    bigint NOT NULL,
        to_address      text NOT NULL,
        message_id      text NOT NULL,
        envelope_from   text NOT NULL,
        headers         jsonb NOT NULL,
        subject         text NOT NULL,
        text_body       text NOT NULL,
        html_body       text NOT NULL,
        status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error      text,
        relay_response  text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        sent_at         timestamptz,
        UNIQUE (notification_id, recipient_id)
      )`);
    await q.query(`CREATE INDEX outgoing_due ON notifier.outgoing (next_attempt_at) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const schema of ['rules', 'scheduler', 'notifier']) await q.query(`DROP SCHEMA ${schema} CASCADE`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks (`/api/v2/webhooks`) and their calls, owned by the notifier. The ticket service's API
 * writes `notifier.webhooks` beside the webhook's events (secrets stay in this table, never in
 * events); the notifier reads it when it calls. `notifier.webhook_calls` holds one row per
 * `notification_webhook` request (its id is the rule's request id, so a redelivered request never
 * makes a second call): the rendered body, the attempts and the outcome.
 */
export class Webhooks1764050400012 implements MigrationInterface {
  name = 'Webhooks1764050400012';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS notifier`);
    await q.query(`
      CREATE TABLE notifier.webhooks (
        id              text PRIMARY KEY,
        name            text NOT NULL,
        description     text NOT NULL DEFAULT '',
        status          text NOT NULL CHECK (status IN ('active', 'inactive')),
        endpoint        text NOT NULL,
        http_method     text NOT NULL CHECK (http_method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
        request_format  text NOT NULL CHECK (request_format IN ('json', 'xml', 'form_encoded')),
        subscriptions   jsonb NOT NULL DEFAULT '[]',
        authentication  jsonb,
        custom_headers  jsonb NOT NULL DEFAULT '{}',
        signing_secret  text NOT NULL,
        created_by      bigint,
        updated_by      bigint,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE notifier.webhook_calls (
        request_id        text PRIMARY KEY,
        ticket_id         bigint NOT NULL,
        webhook_id        text NOT NULL,
        rule              jsonb NOT NULL,
        body              text NOT NULL,
        status            text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts          int NOT NULL DEFAULT 0,
        next_attempt_at   timestamptz NOT NULL,
        last_status_code  int,
        last_error        text,
        endpoint          text,
        created_at        timestamptz NOT NULL,
        finished_at       timestamptz
      )`);
    await q.query(`CREATE INDEX webhook_calls_due ON notifier.webhook_calls (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX webhook_calls_ticket ON notifier.webhook_calls (ticket_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifier.webhook_calls`);
    await q.query(`DROP TABLE notifier.webhooks`);
  }
}

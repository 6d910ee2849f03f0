import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event log (DESIGN.md §2.2): append-only, (stream_id, stream_version) unique for optimistic
 * concurrency, a global position, and the writing transaction's id so readers never step past a
 * transaction still in flight. Commands between services are stored here too (kind 'command'):
 * the log is the outbox, the forwarder its only publisher.
 */
export class EventStore1764050400001 implements MigrationInterface {
  name = 'EventStore1764050400001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS mailroom_events`);
    await q.query(`
      CREATE TABLE mailroom_events.streams (
        stream_id   text PRIMARY KEY,
        stream_type text NOT NULL,
        version     bigint NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE SEQUENCE mailroom_events.global_position`);
    await q.query(`
      CREATE TABLE mailroom_events.messages (
        global_position bigint PRIMARY KEY DEFAULT nextval('mailroom_events.global_position'),
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        message_id      uuid NOT NULL UNIQUE,
        kind            text NOT NULL CHECK (kind IN ('event', 'command')),
        stream_id       text NOT NULL,
        stream_version  bigint NOT NULL,
        type            text NOT NULL,
        schema_version  integer NOT NULL,
        data            jsonb NOT NULL,
        metadata        jsonb NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (stream_id, stream_version)
      )`);
    await q.query(`CREATE INDEX messages_tx_position ON mailroom_events.messages (transaction_id, global_position)`);
    await q.query(`
      CREATE TABLE mailroom_events.checkpoints (
        processor_id    text PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT '0',
        global_position bigint NOT NULL DEFAULT 0,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE mailroom_events.inbox (
        consumer     text NOT NULL,
        message_id   uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA mailroom_events CASCADE`);
  }
}

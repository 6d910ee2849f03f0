import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The satisfaction ratings read model (GET /api/v2/satisfaction_ratings): one row per ticket whose
 * survey was offered or answered, its id the ticket's id (one rating per ticket, see
 * libs/contracts/src/satisfaction-events.ts). Filled by the ticket read model from the log.
 */
export class TicketSatisfactionRatings1764050400022 implements MigrationInterface {
  name = 'TicketSatisfactionRatings1764050400022';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ticket.satisfaction_ratings (
        id            bigint PRIMARY KEY,
        ticket_id     bigint NOT NULL UNIQUE,
        requester_id  bigint NOT NULL,
        assignee_id   bigint,
        group_id      bigint,
        score         text NOT NULL,
        comment       text,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL
      )`);
    // The API lists by score (its `score` filter) newest first.
    await q.query(`CREATE INDEX satisfaction_ratings_score ON ticket.satisfaction_ratings (score, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ticket.satisfaction_ratings`);
  }
}

import type { TicketEvent } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';

/** A ticket's satisfaction rating as the read model keeps it (in the ticket row and in ticket.satisfaction_ratings). */
export interface SatisfactionRatingRow {
  id: number;
  ticket_id: number;
  requester_id: number;
  assignee_id: number | null;
  group_id: number | null;
  score: 'offered' | 'good' | 'bad';
  comment: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * The rating after a satisfaction event, given the ticket's assignee and group at that moment
 * (Zendesk's rating names the agent who was rated). Null for any other event.
 */
export const evolveRating = (
  before: SatisfactionRatingRow | undefined,
  ticket: { id: number; assignee_id: number | null; group_id: number | null },
  e: TicketEvent,
  at: string,
): SatisfactionRatingRow | null => {
  if (e.type === 'ticket.satisfaction_offered') {
    if (before) return null;
    return { id: ticket.id, ticket_id: ticket.id, requester_id: e.data.requesterId, assignee_id: ticket.assignee_id, group_id: ticket.group_id, score: 'offered', comment: null, created_at: at, updated_at: at };
  }
  if (e.type === 'ticket.satisfaction_rated') {
    const d = e.data;
    return {
      id: d.ratingId,
      ticket_id: d.ticketId,
      requester_id: d.requesterId,
      assignee_id: ticket.assignee_id,
      group_id: ticket.group_id,
      score: d.score,
      comment: d.comment,
      created_at: before?.created_at ?? d.ratedAt,
      updated_at: d.ratedAt,
    };
  }
  return null;
};

export const upsertRating = async (tx: Db, r: SatisfactionRatingRow): Promise<void> => {
  await tx.query(
    `INSERT INTO ticket.satisfaction_ratings (id, ticket_id, requester_id, assignee_id, group_id, score, comment, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET requester_id = $3, assignee_id = $4, group_id = $5, score = $6, comment = $7, updated_at = $9`,
    [r.id, r.ticket_id, r.requester_id, r.assignee_id, r.group_id, r.score, r.comment, r.created_at, r.updated_at],
  );
};

/** Zendesk's audit event for a rating (`SatisfactionRating`): the score, the agent rated, the comment. */
export const satisfactionAuditEvent = (id: number, e: TicketEvent, assigneeId: number | null): Record<string, unknown> | null => {
  if (e.type === 'ticket.satisfaction_rated') return { id, type: 'SatisfactionRating', score: e.data.score, assignee_id: assigneeId, body: e.data.comment ?? '' };
  if (e.type === 'ticket.satisfaction_offered') return { id, type: 'Change', field_name: 'satisfaction_score', value: 'offered', previous_value: 'unoffered', ...(e.data.rule ? { via: { channel: 'rule', source: { from: { id: e.data.rule.id, title: e.data.rule.title, deleted: false }, rel: e.data.rule.kind } } } : {}) };
  return null;
};

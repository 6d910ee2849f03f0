import type { TicketEvent } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { SnapshotRating, TicketSnapshot } from '@mailroom/ticket-domain';

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

/** A ticket's rating as the read model keeps it: the snapshot's, with assignee and group as they were when rated. */
export const ratingRowOf = (s: TicketSnapshot): SatisfactionRatingRow => {
  const r = s.satisfaction!;
  return { id: r.id, ticket_id: s.id, requester_id: r.requesterId, assignee_id: r.assigneeId, group_id: r.groupId, score: r.score, comment: r.comment, created_at: r.createdAt, updated_at: r.updatedAt };
};

/** A stored rating read back into the ticket's snapshot. */
export const snapshotRatingOf = (r: SatisfactionRatingRow): SnapshotRating => ({
  id: r.id,
  score: r.score,
  comment: r.comment,
  requesterId: r.requester_id,
  assigneeId: r.assignee_id,
  groupId: r.group_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

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

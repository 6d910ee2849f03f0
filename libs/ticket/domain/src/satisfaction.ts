import type { FiredRule, RatedScore, TicketEvent } from '@mailroom/contracts';

/** A ticket's legacy CSAT state (Zendesk's `satisfaction_rating`). */
export interface TicketSatisfaction {
  score: 'unoffered' | 'offered' | RatedScore;
  comment: string | null;
  ratedAt: string | null;
}

export const UNOFFERED: TicketSatisfaction = { score: 'unoffered', comment: null, ratedAt: null };

/** A comment is at most this long (Zendesk caps CSAT comments; the page says so too). */
export const MAX_SATISFACTION_COMMENT = 5000;

/**
 * The placeholders that put the requester's rating links in a mail. A rule notification whose
 * text has one of them, addressed to the requester, is a survey: the ticket is `offered` from then.
 */
const RATING_PLACEHOLDER = /\{\{-?\s*satisfaction\.(rating_section|rating_url|positive_rating_url|negative_rating_url|survey_section|survey_url)\b/;

/** Whether a rule update offers the survey: the `satisfaction_score` action, or a notification carrying the links to the requester. */
export const offeringRule = (fired: readonly FiredRule[], requesterId: number, actionOffered: boolean): FiredRule | null => {
  for (const f of fired) {
    if (f.notifications.some((n) => n.recipientIds.includes(requesterId) && (RATING_PLACEHOLDER.test(n.body) || RATING_PLACEHOLDER.test(n.subject)))) return f;
  }
  if (!actionOffered) return null;
  return [...fired].reverse().find((f) => f.actions.some((a) => a.field === 'satisfaction_score')) ?? fired[0] ?? null;
};

export type RatingRefusal = { kind: 'not_found' | 'closed' | 'invalid'; message: string; field?: string };

/**
 * The requester's rating through their link. The link was checked (token, age) by whoever calls;
 * here: the ticket must exist and not be closed (Zendesk takes no rating once closed), the link's
 * requester must still be the ticket's requester, and the same answer twice adds nothing. A
 * different answer is recorded: Zendesk lets a customer change their rating until the ticket closes.
 */
export const decideRating = (
  state: { exists: boolean; id: number; status: string; requesterId: number; satisfaction: TicketSatisfaction },
  c: { requesterId: number; score: RatedScore; comment: string | null; now: string },
): { ok: true; events: TicketEvent[] } | { ok: false; error: RatingRefusal } => {
  if (!state.exists) return { ok: false, error: { kind: 'not_found', message: 'Ticket not found' } };
  if (state.status === 'closed') return { ok: false, error: { kind: 'closed', message: 'The ticket is closed: ratings are no longer taken' } };
  if (c.requesterId !== state.requesterId) return { ok: false, error: { kind: 'invalid', message: 'Only the requester can rate this ticket', field: 'requester_id' } };
  if (c.score !== 'good' && c.score !== 'bad') return { ok: false, error: { kind: 'invalid', message: 'Score: must be good or bad', field: 'score' } };
  const comment = c.comment?.trim() ? c.comment.trim() : null;
  if (comment && comment.length > MAX_SATISFACTION_COMMENT) return { ok: false, error: { kind: 'invalid', message: `Comment: is too long (at most ${MAX_SATISFACTION_COMMENT} characters)`, field: 'comment' } };
  const s = state.satisfaction;
  if (s.score === c.score && s.comment === comment) return { ok: true, events: [] };
  return {
    ok: true,
    events: [{ type: 'ticket.satisfaction_rated', data: { ticketId: state.id, ratingId: state.id, requesterId: c.requesterId, score: c.score, comment, previousScore: s.score, ratedAt: c.now } }],
  };
};

/** `satisfaction_score` as conditions name it: the `_with_comment` variants when there is a comment. */
export const conditionScore = (s: { score: TicketSatisfaction['score']; comment: string | null }): string =>
  (s.score === 'good' || s.score === 'bad') && s.comment ? `${s.score}_with_comment` : s.score;

import type { RuleRef } from './ticket-events';

/**
 * Legacy CSAT on a ticket (reference §7). A ticket has one satisfaction rating: offered to its
 * requester by a rule's survey notification, then rated good or bad (with an optional comment)
 * through the requester's link. The rating's id is the ticket's id — one rating per ticket, kept
 * when the requester changes their answer — so every read model rebuilds it from the log alone.
 */
export type RatedScore = 'good' | 'bad';

/** The requester was sent a survey (a rule's notification carried the rating links, or `satisfaction_score` = offered). */
export interface SatisfactionOfferedV1 {
  ticketId: number;
  requesterId: number;
  /** The rule whose notification or action offered it. */
  rule?: RuleRef;
}

/** The requester rated the ticket (or changed their rating) through their rating link. */
export interface SatisfactionRatedV1 {
  ticketId: number;
  ratingId: number;
  requesterId: number;
  score: RatedScore;
  comment: string | null;
  /** The ticket's score before: `offered`, `unoffered`, or the earlier rating. */
  previousScore: 'unoffered' | 'offered' | RatedScore;
  ratedAt: string;
}

/** `ticket.record_satisfaction_rating`: sent by the rating page, the token already checked. */
export interface RecordSatisfactionRatingV1 {
  ticketId: number;
  /** Who the link was made for: the ticket's requester when it was issued. */
  requesterId: number;
  score: RatedScore;
  comment: string | null;
}

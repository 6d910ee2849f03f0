/**
 * Undeliverable addresses (reference §6.5): a hard bounce marks a user's email undeliverable at
 * once; soft bounces (temporary failures, delays) are counted, and the tenth marks it. An agent
 * marking the email deliverable again starts the count anew. Pure: the caller keeps the state.
 */

/** Soft bounces that make an email undeliverable. */
export const SOFT_BOUNCE_LIMIT = 10;

export interface EmailDeliverability {
  undeliverable: boolean;
  /** Soft bounces since the email was last deliverable. */
  softBounces: number;
}

export interface BounceOutcome extends EmailDeliverability {
  /** This bounce is the one that made the email undeliverable. */
  markedNow: boolean;
}

/**
 * `again`: a soft bounce of a mail already counted once — the "delayed" warning an MTA sends
 * before it gives up, then its final failure. One undelivered mail is one soft bounce; a final
 * hard failure still marks the address at once.
 */
export const countBounce = (before: EmailDeliverability, bounce: { permanent: boolean; again?: boolean }): BounceOutcome => {
  const softBounces = bounce.permanent || bounce.again ? before.softBounces : before.softBounces + 1;
  const undeliverable = before.undeliverable || bounce.permanent || softBounces >= SOFT_BOUNCE_LIMIT;
  return { undeliverable, softBounces, markedNow: undeliverable && !before.undeliverable };
};

/** Marked deliverable again (by an agent): clean, with no bounces counted. */
export const DELIVERABLE: EmailDeliverability = { undeliverable: false, softBounces: 0 };

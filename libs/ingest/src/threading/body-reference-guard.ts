import type { Db } from '@mailroom/database';
import { decodeTicketId, MAX_BODY_REFERENCE_CANDIDATES, type BodyReferenceCandidate } from '@mailroom/mail-domain';

/**
 * How often the visible `[XXXXXX-XXXX]` reference may be checked and fail before it stops counting.
 *
 * Why: its MAC is 20 bits (the shape is Zendesk's and must stay readable), so one guess in
 * 2^20 = 1,048,576 is right, and unlimited guessing wins: a million guesses at one ticket succeed
 * with probability 1 - (1 - 2^-20)^1e6 ≈ 61%. The strong references (Message-IDs, plus-address)
 * carry 80 bits and need no such care. Three limits close it:
 *
 *  - a mail offers at most MAX_BODY_REFERENCE_CANDIDATES (3) distinct candidates (the rest are
 *    never looked at), so a mail holding all 2^20 candidates is worth three guesses;
 *  - after perSenderPerDay failed checks from one sender in a (UTC) day, no body reference of
 *    that sender is honoured that day, right or wrong: the answer to a guess stops being
 *    observable, so the sender learns nothing more;
 *  - after perTicketPerDay failed checks naming one ticket in a day (from anyone: a guesser
 *    can use any number of From addresses, but every guess at a ticket names that ticket, since
 *    the MAC covers the id), body references to that ticket are not honoured that day.
 *
 * The counts are kept exactly (also within one mail, and across concurrent mails: the checks of
 * one sender and one ticket are serialised by advisory locks taken in a fixed order), so at most
 * perTicketPerDay = 5 guesses at a ticket are ever checked in a day, and a day of guessing
 * hits with probability at most 5 / 2^20 ≈ 4.8e-6 however many guesses are sent — a million
 * guesses a day included; a year of it at one ticket stays under 0.2% (365 × 5 / 2^20). A correct reference that is not honoured, or a wrong one, does not thread: the mail
 * follows the other rules (subject number for the requester or a CC, else a new ticket), nothing
 * is lost. The price: someone who forges a customer's From address, or guesses at a ticket, can
 * switch off body-reference threading for that customer or ticket until the next day — replies
 * still thread by our Message-IDs and the plus-address, which every mail client keeps.
 */
export const BODY_REFERENCE_LIMITS = { perSenderPerDay: 5, perTicketPerDay: 5 } as const;

export type BodyReferenceCheck =
  | { kind: 'verified'; ticketId: number }
  /** Candidates were there and none is honoured: why, for the mail's route. */
  | { kind: 'refused'; note: string }
  | { kind: 'none' };

export interface BodyReferenceInput {
  candidates: readonly BodyReferenceCandidate[];
  /** The address the mail is from (the requester: Reply-To, else From), any case. */
  sender: string;
  secret: string;
  at: Date;
}

/** A key of its own for pg_advisory_xact_lock's two-int form, so no other lock in the database collides. */
const LOCK_CLASS = 0x4d52_4252; // "MRBR"

/**
 * Checks the body's reference candidates against the day's failure counts, in the worker's
 * transaction: the first that verifies and is honoured wins; each one that fails is counted for
 * the sender and for the ticket it names, and commits with the mail's outcome.
 */
export const checkBodyReferences = async (tx: Db, input: BodyReferenceInput): Promise<BodyReferenceCheck> => {
  const candidates = input.candidates.slice(0, MAX_BODY_REFERENCE_CANDIDATES);
  if (candidates.length === 0) return { kind: 'none' };
  const day = input.at.toISOString().slice(0, 10);
  const sender = input.sender.toLowerCase();
  const tickets = [...new Set(candidates.map((c) => String(c.namedTicketId)))];

  // One checker at a time per sender and per ticket; sorted, so two mails never wait on each other in a circle.
  const keys = [`sender:${sender}`, ...tickets.map((t) => `ticket:${t}`)].map((k) => `${day}:${k}`).sort();
  for (const key of keys) await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [LOCK_CLASS, key]);

  const rows = await tx.query<{ scope: 'sender' | 'ticket'; subject: string; failures: number }>(
    `SELECT scope, subject, failures FROM ingest.body_reference_failures
     WHERE day = $1 AND ((scope = 'sender' AND subject = $2) OR (scope = 'ticket' AND subject = ANY($3::text[])))`,
    [day, sender, tickets],
  );
  let senderFailures = rows.find((r) => r.scope === 'sender')?.failures ?? 0;
  const ticketFailures = new Map(rows.filter((r) => r.scope === 'ticket').map((r) => [r.subject, r.failures]));

  const notes: string[] = [];
  let failed = 0;
  const newTicketFailures = new Map<string, number>();
  let verified: number | null = null;
  for (const c of candidates) {
    if (senderFailures >= BODY_REFERENCE_LIMITS.perSenderPerDay) {
      notes.push(`body references from ${sender} are not honoured today (${senderFailures} failed checks)`);
      break;
    }
    const named = String(c.namedTicketId);
    const againstTicket = ticketFailures.get(named) ?? 0;
    if (againstTicket >= BODY_REFERENCE_LIMITS.perTicketPerDay) {
      notes.push(`body references to ticket ${named} are not honoured today (${againstTicket} failed checks)`);
      continue;
    }
    if (decodeTicketId(c.encoded, input.secret) === c.namedTicketId) {
      verified = c.namedTicketId;
      break;
    }
    failed++;
    senderFailures++;
    ticketFailures.set(named, againstTicket + 1);
    newTicketFailures.set(named, (newTicketFailures.get(named) ?? 0) + 1);
  }
  // Failures are written even when a later candidate verifies: otherwise a mail could carry two
  // guesses at someone else's ticket beside a real reference to the sender's own, uncounted.
  if (failed > 0) {
    await tx.query(
      `INSERT INTO ingest.body_reference_failures (day, scope, subject, failures)
       SELECT $1::date, s.scope, s.subject, s.n FROM unnest($2::text[], $3::text[], $4::int[]) AS s(scope, subject, n)
       ON CONFLICT (day, scope, subject) DO UPDATE SET failures = ingest.body_reference_failures.failures + EXCLUDED.failures`,
      [day, ['sender', ...[...newTicketFailures.keys()].map(() => 'ticket')], [sender, ...newTicketFailures.keys()], [failed, ...newTicketFailures.values()]],
    );
    // The counts only matter for their day: yesterday's go with today's first failure.
    await tx.query(`DELETE FROM ingest.body_reference_failures WHERE day < $1::date - 1`, [day]);
    notes.unshift(`${failed} body reference${failed > 1 ? 's' : ''} did not verify`);
  }
  if (verified !== null) return { kind: 'verified', ticketId: verified };
  return { kind: 'refused', note: notes.join('; ') };
};


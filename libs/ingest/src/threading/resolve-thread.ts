import type { Db } from '@mailroom/database';
import { bodyReferenceCandidates, findHeaderTicketReference, subjectTicketNumbers, type Address, type InboundMail, type SuspensionCause, type TicketMatch, type TicketReference } from '@mailroom/mail-domain';
import { checkBodyReferences, type BodyReferenceCheck, type BodyReferenceInput } from './body-reference-guard';
import { PgTicketDirectory, relationTo, type TicketDirectory, type PersonFacts, type Relation, type TicketFacts } from './ticket-directory';

export interface ThreadInput {
  mail: InboundMail;
  requester: Address;
  /** The plus-address tag of the support address the mail was delivered to. */
  rcptTag: string | null;
  secret: string;
  /** Now: the day the body-reference failure counts belong to. */
  at: Date;
}

/** Checks a mail's `[XXXXXX-XXXX]` candidates (body-reference-guard.ts; tests give an in-memory one). */
export type BodyReferenceChecker = (tx: Db, input: BodyReferenceInput) => Promise<BodyReferenceCheck>;

/** How a mail was tied to its ticket: one of our unforgeable references, or a subject number. */
export type ThreadMatch = TicketMatch | 'subject_number';

/** Where a mail goes: a comment on a ticket, a new ticket, or set aside. */
export type ThreadDecision =
  | {
      kind: 'comment';
      ticketId: number;
      matchedBy: ThreadMatch;
      /** The ticket as the read model has it (null when it is not projected yet). */
      ticket: TicketFacts | null;
      /** The author as a known user (null for someone we have never seen). */
      author: PersonFacts | null;
      relation: Relation;
    }
  | { kind: 'new_ticket'; note: string | null; author: PersonFacts | null }
  | { kind: 'suspend'; cause: SuspensionCause; detail: string; ticketId: number | null };

const defaultDirectory: TicketDirectory = new PgTicketDirectory();

/**
 * Threading (reference §5.3, README "Threading rules"): which ticket, if any, a mail continues.
 *
 * 1. our Message-IDs in In-Reply-To/References, then the token in the plus-address
 *    ({@link findHeaderTicketReference}), then the encoded id `[XXXXXX-XXXX]` in the body, of
 *    which only the first few count and only while the sender and the ticket have not failed
 *    too many checks today ({@link checkBodyReferences}). These carry a MAC, so whoever holds one
 *    was sent it: anyone may comment that way (visibility decides later whether publicly);
 * 2. a ticket number in the subject ({@link subjectTicketNumbers}), but only when the author is
 *    that ticket's requester or one of its CCs: anyone can type a number, so a stranger naming
 *    someone else's ticket starts a ticket of their own;
 * 3. otherwise a new ticket.
 *
 * A closed ticket is still the answer here: the ticket service turns the comment into a follow-up
 * in its own transaction (the ticket may close between now and then).
 */
export const resolveThread = async (
  tx: Db,
  input: ThreadInput,
  directory: TicketDirectory = defaultDirectory,
  bodyReferences: BodyReferenceChecker = checkBodyReferences,
): Promise<ThreadDecision> => {
  const author = await directory.person(tx, input.requester.address);
  let note: string | null = null;
  let reference: TicketReference | null = findHeaderTicketReference(input.mail, input.rcptTag, input.secret);
  if (!reference) {
    const candidates = bodyReferenceCandidates([input.mail.text, input.mail.html]);
    const checked = await bodyReferences(tx, { candidates, sender: input.requester.address, secret: input.secret, at: input.at });
    if (checked.kind === 'verified') reference = { ticketId: checked.ticketId, matchedBy: 'body_token' };
    else if (checked.kind === 'refused') note = checked.note;
  }
  if (reference) {
    if (await directory.ticketExists(tx, reference.ticketId)) {
      const ticket = await directory.ticket(tx, reference.ticketId);
      return { kind: 'comment', ticketId: reference.ticketId, matchedBy: reference.matchedBy, ticket, author, relation: relationTo(ticket, author) };
    }
    note = `referenced ticket ${reference.ticketId} does not exist`;
  }

  const refused: number[] = [];
  for (const number of subjectTicketNumbers(input.mail.subject)) {
    const ticket = await directory.ticket(tx, number);
    if (!ticket) continue;
    const relation = relationTo(ticket, author);
    if (relation === 'requester' || relation === 'cc') return { kind: 'comment', ticketId: number, matchedBy: 'subject_number', ticket, author, relation };
    refused.push(number);
  }
  if (refused.length) note = `the subject names ticket ${refused.map((n) => `#${n}`).join(', ')}, but the sender is neither its requester nor a CC`;
  return { kind: 'new_ticket', note, author };
};

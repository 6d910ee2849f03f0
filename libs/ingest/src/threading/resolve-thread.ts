import { ticketStreamId } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { findTicketReference, type Address, type InboundMail, type SuspensionCause, type TicketMatch } from '@mailroom/mail-domain';

export interface ThreadInput {
  mail: InboundMail;
  requester: Address;
  /** The plus-address tag of the support address the mail was delivered to. */
  rcptTag: string | null;
  secret: string;
}

/** Where a mail goes: a comment on a ticket, a new ticket, or set aside. */
export type ThreadDecision =
  | { kind: 'comment'; ticketId: number; matchedBy: TicketMatch }
  | { kind: 'new_ticket'; note: string | null }
  | { kind: 'suspend'; cause: SuspensionCause; detail: string; ticketId: number | null };

/** Threading (README "Threading rules"): which ticket, if any, a mail continues. */
export const resolveThread = async (tx: Db, input: ThreadInput): Promise<ThreadDecision> => {
  const reference = findTicketReference(input.mail, input.rcptTag, input.secret);
  if (!reference) return { kind: 'new_ticket', note: null };
  const exists = (await tx.query(`SELECT 1 FROM mailroom_events.streams WHERE stream_id = $1`, [ticketStreamId(reference.ticketId)])).length > 0;
  if (!exists) return { kind: 'new_ticket', note: `referenced ticket ${reference.ticketId} does not exist` };
  return { kind: 'comment', ticketId: reference.ticketId, matchedBy: reference.matchedBy };
};

import { InboundMail } from './inbound-mail';
import { splitMessageIds, ticketIdFromMessageId } from './message-ids';
import { findEncodedTicketIds, parseTicketToken } from './ticket-token';

export type TicketMatch = 'message_id' | 'reply_to_token' | 'body_token';

export interface TicketReference {
  ticketId: number;
  matchedBy: TicketMatch;
}

/** The ids of a threading header, whether the parser gave them one per entry or several per string. */
const idsOf = (entries: readonly string[] | null | undefined): string[] =>
  (entries ?? []).flatMap((entry) => {
    const ids = splitMessageIds(entry);
    const bare = entry.trim();
    return ids.length > 0 ? ids : bare ? [bare] : [];
  });

/**
 * The ticket a mail continues (reference §5.3), looking in this order:
 *
 * 1. our Message-IDs in In-Reply-To, then in References (most recent first: the parent is last);
 * 2. the ticket token in the plus-address of the support address the mail was delivered to
 *    (`support+t12-…@`, the `rcptTag` of {@link matchSupportAddress});
 * 3. the first encoded id `[XXXXXX-XXXX]` in the text body, then in the HTML body.
 *
 * Every form carries a MAC under `secret`, so forged or edited ids never match. Null when nothing
 * refers to a ticket.
 */
export const findTicketReference = (
  mail: Pick<InboundMail, 'inReplyTo' | 'references' | 'text' | 'html'>,
  rcptTag: string | null,
  secret: string,
): TicketReference | null => {
  const headerIds = [...idsOf(mail.inReplyTo), ...idsOf(mail.references).reverse()];
  for (const id of headerIds) {
    const ticketId = ticketIdFromMessageId(id, secret);
    if (ticketId !== null) return { ticketId, matchedBy: 'message_id' };
  }

  if (rcptTag) {
    const ticketId = parseTicketToken(rcptTag, secret);
    if (ticketId !== null) return { ticketId, matchedBy: 'reply_to_token' };
  }

  for (const body of [mail.text, mail.html]) {
    if (!body) continue;
    const [ticketId] = findEncodedTicketIds(body, secret);
    if (ticketId !== undefined) return { ticketId, matchedBy: 'body_token' };
  }
  return null;
};

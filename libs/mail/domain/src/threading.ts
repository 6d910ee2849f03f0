import { InboundMail } from './inbound-mail';
import { splitMessageIds, ticketIdFromMessageId } from './message-ids';
import { bodyReferenceCandidates, decodeTicketId, parseTicketToken } from './ticket-token';

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
 * The ticket a mail's strong references name: our Message-IDs in In-Reply-To, then References
 * (most recent first), then the token in the plus-address it was delivered to. Their MACs are 80
 * bits: a guess never matches. Null when there is none (the body may still hold an encoded id).
 */
export const findHeaderTicketReference = (mail: Pick<InboundMail, 'inReplyTo' | 'references'>, rcptTag: string | null, secret: string): TicketReference | null => {
  const headerIds = [...idsOf(mail.inReplyTo), ...idsOf(mail.references).reverse()];
  for (const id of headerIds) {
    const ticketId = ticketIdFromMessageId(id, secret);
    if (ticketId !== null) return { ticketId, matchedBy: 'message_id' };
  }
  if (rcptTag) {
    const ticketId = parseTicketToken(rcptTag, secret);
    if (ticketId !== null) return { ticketId, matchedBy: 'reply_to_token' };
  }
  return null;
};

/**
 * The ticket a mail continues (reference §5.3), looking in this order:
 *
 * 1. our Message-IDs in In-Reply-To, then in References (most recent first: the parent is last);
 * 2. the ticket token in the plus-address of the support address the mail was delivered to
 *    (`support+t12-…@`, the `rcptTag` of {@link matchSupportAddress});
 * 3. the first encoded id `[XXXXXX-XXXX]` in the text body, then in the HTML body, among the
 *    first few candidates only ({@link bodyReferenceCandidates}).
 *
 * Every form carries a MAC under `secret`, so forged or edited ids never match. Null when nothing
 * refers to a ticket. The encoded id's MAC is short: threading does not use this function but
 * checks body references through the ingest worker's failure counters; this is for what only
 * annotates a mail (the ticket an auto-reply answers, shown on its suspended ticket).
 */
export const findTicketReference = (
  mail: Pick<InboundMail, 'inReplyTo' | 'references' | 'text' | 'html'>,
  rcptTag: string | null,
  secret: string,
): TicketReference | null => {
  const strong = findHeaderTicketReference(mail, rcptTag, secret);
  if (strong) return strong;
  for (const c of bodyReferenceCandidates([mail.text, mail.html])) {
    const ticketId = decodeTicketId(c.encoded, secret);
    if (ticketId !== null) return { ticketId, matchedBy: 'body_token' };
  }
  return null;
};

/** Most digits a ticket number in a subject may have (Postgres bigint territory is not needed). */
const MAX_TICKET_DIGITS = 10;

/**
 * Ticket numbers named in a subject, strongest form first, each once:
 *
 * 1. in brackets or parentheses: `[#123]`, `(#123)`, `[Acme #123]`, `[Ticket #123]`;
 * 2. after a ticket word: `Ticket #123`, `Ticket 123`, `Request #123`, `Case #123`, `Ticket-Nr. 123`;
 * 3. a bare `#123` that stands alone (not part of a word, `&#123;` or `#123abc`).
 *
 * A subject number is a weak reference (anyone can type one), so this only proposes candidates:
 * the ingest worker threads on one only when the sender is the ticket's requester or one of its
 * CCs, and starts a new ticket otherwise. Numbers are positive and at most
 * {@link MAX_TICKET_DIGITS} digits long.
 */
export const subjectTicketNumbers = (subject: string | null | undefined): number[] => {
  const s = subject ?? '';
  const d = `(\\d{1,${MAX_TICKET_DIGITS}})(?![\\d\\w])`;
  const patterns = [
    new RegExp(`[\\[(][^\\[\\]()]{0,40}?#\\s?${d}[^\\[\\]()]{0,40}[\\])]`, 'giu'),
    new RegExp(`(?<![\\p{L}\\p{N}])(?:ticket|request|case|anfrage|demande)(?:[\\s-]*(?:nr|no|number)\\.?)?\\s*[#:]?\\s*${d}`, 'giu'),
    new RegExp(`(?<![\\p{L}\\p{N}&#])#${d}`, 'gu'),
  ];
  const found: number[] = [];
  for (const p of patterns) {
    for (const m of s.matchAll(p)) {
      const n = Number(m[1]);
      if (n > 0 && Number.isSafeInteger(n) && !found.includes(n)) found.push(n);
    }
  }
  return found;
};

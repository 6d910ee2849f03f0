import { InboundMail } from './inbound-mail';

/** Longest title taken from the first line of the body when a mail has no subject. */
export const MAX_SUBJECT_FROM_TEXT = 80;

export const NO_SUBJECT = '(no subject)';

/**
 * Reply and forward prefixes of common mail clients: English (Re, Fw, Fwd), German (AW, WG, Antw),
 * Scandinavian (SV, VS), French (TR, Réf), Spanish (RV), Portuguese (RES, ENC), Polish (Odp),
 * Italian (R). Single-letter Italian forward `I:` is left alone: too easily a real subject. Optionally with a counter (`Re[2]:`, `Re(3):`) and a full-width colon.
 */
const PREFIX = /^\s*(?:re|fwd?|aw|wg|antw|antwort|sv|vs|tr|r[ée]f|rv|res|enc|odp|r)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/i;

/** `Re: AW: Fwd: Printer broken` → `Printer broken`; whitespace collapsed. */
export const normaliseSubject = (subject: string): string => {
  let rest = (subject ?? '').replace(/\s+/g, ' ').trim();
  for (let previous = ''; previous !== rest; ) {
    previous = rest;
    rest = rest.replace(PREFIX, '');
  }
  return rest.trim();
};

/**
 * The title of a ticket created from a mail: its subject; when that is empty, the first non-blank
 * line of the text (at most {@link MAX_SUBJECT_FROM_TEXT} characters); else "(no subject)".
 */
export const ticketSubject = (mail: Pick<InboundMail, 'subject' | 'text'>): string => {
  const subject = (mail.subject ?? '').replace(/\s+/g, ' ').trim();
  if (subject) return subject;
  const firstLine = (mail.text ?? '')
    .split(/\r\n?|\n/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .find((line) => line !== '');
  if (!firstLine) return NO_SUBJECT;
  const chars = Array.from(firstLine); // code points: never split a surrogate pair
  return chars.length <= MAX_SUBJECT_FROM_TEXT ? firstLine : chars.slice(0, MAX_SUBJECT_FROM_TEXT).join('').trimEnd();
};

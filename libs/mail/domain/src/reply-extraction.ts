/**
 * Separating what a person wrote from the history their mail client quoted below it
 * (reference §5.4). Line-based and linear: no regular expression here can backtrack over more than
 * one line or a few hundred characters, so huge or hostile bodies cost no more than reading them.
 */

/** The line our notifications start with; everything below it in a reply is history. */
export const REPLY_DELIMITER = '##- Please type your reply above this line -##';

export interface ExtractedReply {
  /** The new text, trimmed. Empty when someone replied with nothing above our delimiter. */
  reply: string;
  /** True when anything (delimiter, quote header, quoted history) was cut off. */
  cut: boolean;
}

/** Our delimiter in any wording `##- … -##` (admins translate it), also quoted with `> `. */
const DELIMITER = /^[>\s]*##-.*-##\s*$/;

const isQuoted = (line: string): boolean => /^\s*>/.test(line);
const isBlank = (line: string): boolean => line.trim() === '';

/** RFC 3676 `-- `, a bare `--`, or a mailing-list footer rule of underscores. */
const isSignatureStart = (line: string): boolean => /^--\s?$/.test(line) || /^_{5,}\s*$/.test(line);

/** A line made only of rule characters (`-----`, `_____`, `=====`), as mail clients put above history. */
const isRule = (line: string): boolean => line.length < 200 && /^\s*[-_=~*]{3,}\s*$/.test(line);

/** Outlook's separator, in the languages it ships in. */
const ORIGINAL_MESSAGE =
  /^\s*-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|originalmeddelande|oprindelig meddelelse|opprinnelig melding|mensagem original|oryginalna wiadomość)\s*-{2,}\s*$/i;

/** First line of an Outlook header block: `From: …`, `*From:* …` (bold when converted from HTML). */
const FROM_LINE = /^\s*\*?(?:from|von|de|van|da|från|fra|od|lähettäjä)\s*:\s*\*?\s*\S/i;
const SENT_LINE =
  /^\s*\*?(?:sent|date|gesendet|datum|envoyé|enviado(?: el)?|inviato|data|verzonden|skickat|sendt|wysłano|lähetetty)\s*:/i;

/** Forwarded mail is content, not history: nothing below these lines is cut. */
const FORWARD_MARKER =
  /^\s*(?:-{2,}\s*(?:forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|vidarebefordrat meddelande|mensagem encaminhada)\s*-{2,}|begin forwarded message:?|anfang der weitergeleiteten nachricht:?|début du message réexpédié\s*:?)\s*$/i;

/** Words a quote header starts with, per language, and the shape the whole header must have. */
const QUOTE_HEADER_START = /^(?:on|le|am|el|op|il|em)\s/i;
const QUOTE_HEADERS: RegExp[] = [
  /^on\s.*wrote\s*:$/i, // English: On Mon, 1 Jan 2024 at 10:00, Jane <j@x> wrote:
  /^le\s.*a\s+écrit\s*:$/i, // French: Le lun. 1 janv. 2024 à 10:00, Jane <j@x> a écrit :
  /^am\s.*schrieb.*:$/i, // German: Am Mo., 1. Jan. 2024 um 10:00 Uhr schrieb Jane <j@x>:
  /^el\s.*escribió\s*:$/i, // Spanish: El lun, 1 ene 2024 a las 10:00, Jane (<j@x>) escribió:
  /^op\s.*schreef.*:$/i, // Dutch
  /^il\s.*ha\s+scritto\s*:$/i, // Italian
  /^em\s.*escreveu\s*:$/i, // Portuguese
];
/** Clients wrap long quote headers over up to three lines (email_1_6 in the corpus). */
const MAX_HEADER_LINES = 3;
const MAX_HEADER_LENGTH = 500;

type Kind = 'blank' | 'text' | 'quote' | 'header' | 'signature';

/** If a quote header starts at line i, the index of its last line; otherwise -1. */
const quoteHeaderEnd = (lines: readonly string[], i: number): number => {
  if (!QUOTE_HEADER_START.test(lines[i].trimStart())) return -1;
  let joined = '';
  for (let j = i; j < lines.length && j < i + MAX_HEADER_LINES; j++) {
    if (j > i && (isBlank(lines[j]) || isQuoted(lines[j]))) break;
    joined = (joined ? `${joined} ` : '') + lines[j].trim();
    if (joined.length > MAX_HEADER_LENGTH) break;
    // Every client writes a date (and so a digit); "On Monday you wrote:" in prose is not a header.
    if (/\d/.test(joined) && QUOTE_HEADERS.some((re) => re.test(joined))) return j;
  }
  return -1;
};

const classify = (lines: readonly string[]): Kind[] => {
  const kinds: Kind[] = [];
  let inSignature = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (isQuoted(line)) {
      kinds.push('quote');
      inSignature = false;
      continue;
    }
    const headerEnd = quoteHeaderEnd(lines, i);
    if (headerEnd >= 0) {
      for (; i <= headerEnd; i++) kinds.push('header');
      i = headerEnd;
      inSignature = false;
      continue;
    }
    if (isBlank(line)) kinds.push('blank');
    else if (inSignature || isSignatureStart(line)) {
      inSignature = true;
      kinds.push('signature');
    } else kinds.push('text');
  }
  return kinds;
};

const hasContent = (lines: readonly string[], end: number): boolean => lines.slice(0, end).some((l) => !isBlank(l));

/** Where an Outlook-style history block starts, or -1. */
const outlookBlockStart = (lines: readonly string[], end: number): number => {
  for (let i = 0; i < end; i++) {
    const line = lines[i];
    if (isQuoted(line)) continue;
    if (ORIGINAL_MESSAGE.test(line)) return i;
    if (FROM_LINE.test(line)) {
      for (let j = i + 1; j < Math.min(end, i + 5) && !isBlank(lines[j]); j++) {
        if (SENT_LINE.test(lines[j])) return i;
      }
    }
  }
  return -1;
};

/**
 * The new text of a reply: everything above our delimiter line, and above the history that mail
 * clients quote:
 *
 * - `On … wrote:` headers (also wrapped over up to three lines) and their French, German,
 *   Spanish, Dutch, Italian and Portuguese forms, when only quoted text, blank lines or
 *   a signature follow — or when the history follows unquoted;
 * - Outlook's `-----Original Message-----` and `From: … Sent: …` header blocks;
 * - a trailing `>`-quoted block (with any signature below it).
 *
 * Quoted blocks with answers written between or below them (bottom-posting, inline replies) are
 * kept. Nothing is cut below a forward marker, and a cut that would leave nothing (a forwarded
 * mail, a mail that is all quote) is not made — except at our own delimiter.
 */
export const extractReply = (text: string): ExtractedReply => {
  let lines = (text ?? '').replace(/\r\n?/g, '\n').split('\n');
  let cut = false;

  const delimiter = lines.findIndex((line) => line.length < 1000 && DELIMITER.test(line));
  if (delimiter >= 0) {
    lines = lines.slice(0, delimiter);
    cut = true;
  }

  const forward = lines.findIndex((line) => !isQuoted(line) && line.length < 200 && FORWARD_MARKER.test(line));
  const searchEnd = forward >= 0 ? forward : lines.length;
  let cutAt = -1;

  const outlook = outlookBlockStart(lines, searchEnd);
  if (outlook >= 0 && hasContent(lines, outlook)) cutAt = outlook;

  const scanEnd = cutAt >= 0 ? cutAt : searchEnd;
  const region = lines.slice(0, scanEnd);
  const kinds = classify(region);

  // A quote header followed by unquoted text: the history was pasted without `>` marks.
  for (let i = 0; i < region.length; i++) {
    if (kinds[i] !== 'header' || (i > 0 && kinds[i - 1] === 'header')) continue;
    let next = i;
    while (next < region.length && kinds[next] === 'header') next++;
    while (next < region.length && kinds[next] === 'blank') next++;
    if (next < region.length && kinds[next] === 'text' && hasContent(region, i)) {
      cutAt = i;
      break;
    }
  }

  // A trailing run of quotes and quote headers, with perhaps a signature or blank lines below it.
  // Only at the end of the text or above a cut: a quote above a forward marker is not trailing.
  if (forward < 0 || cutAt >= 0) {
    const end = cutAt >= 0 ? cutAt : region.length;
    let last = end - 1;
    while (last >= 0 && (kinds[last] === 'blank' || kinds[last] === 'signature')) last--;
    if (last >= 0 && (kinds[last] === 'quote' || kinds[last] === 'header')) {
      let start = last;
      for (let k = last; k >= 0 && kinds[k] !== 'text' && kinds[k] !== 'signature'; k--) {
        if (kinds[k] !== 'blank') start = k;
      }
      if (hasContent(region, start)) cutAt = start;
    }
  }

  if (cutAt >= 0) {
    lines = lines.slice(0, cutAt);
    cut = true;
  }
  if (cut) {
    while (lines.length > 0 && (isBlank(lines[lines.length - 1]) || isRule(lines[lines.length - 1]))) lines.pop();
  }
  while (lines.length > 0 && isBlank(lines[0])) lines.shift();
  return { reply: lines.join('\n').trimEnd(), cut };
};

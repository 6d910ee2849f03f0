/**
 * Separating what a person wrote from the history their mail client quoted below it, and from
 * their signature (reference §5.4). Line-based and linear: no regular expression here runs over
 * more than one line (or three joined ones) of a few hundred characters, so huge or hostile bodies
 * cost no more than reading them.
 */

/** The line our notifications start with; everything below it in a reply is history. */
export const REPLY_DELIMITER = '##- Please type your reply above this line -##';

export interface ReplyExtractionOptions {
  /**
   * The account's own delimiter text (Zendesk's `mail_delimiter`), when admins changed ours.
   * Ours in any wording (`##- … -##`) is always recognised too: replies to mail sent before the
   * change still carry it. Texts shorter than three characters are ignored.
   */
  delimiter?: string | null;
}

/** What the history was recognised by. */
export type ReplyCut =
  /** our delimiter line (or the account's own) */
  | 'delimiter'
  /** an `On … wrote:` line (in one of many languages) above quoted or pasted history */
  | 'quote_header'
  /** Outlook's `-----Original Message-----` or a `From: … Sent: …` header block */
  | 'outlook_header'
  /** a trailing block of `>`-quoted lines */
  | 'quoted_block';

export interface ExtractedReply {
  /**
   * The new text: no quoted history, no signature, blank lines around it and trailing spaces
   * on each line removed, indentation kept. Empty when someone replied with nothing above our
   * delimiter. This is what a comment should show.
   */
  reply: string;
  /**
   * The sender's signature that was split off the end of the reply (`-- ` block, `-Name`
   * sign-off, mailing-list footer, "Sent from my iPhone"); empty when there was none. It is
   * taken from below the history when the client put it there (Gmail, bottom of a quote).
   */
  signature: string;
  /** The history that was cut off (from the delimiter or quote header on), trimmed; or empty. */
  quoted: string;
  /** The text exactly as given: nothing is lost, whatever was cut. */
  full: string;
  /** True when the reply is not the whole text: history or a signature was split off. */
  cut: boolean;
  /** Why history was cut; null when none was (a signature alone may still have been split off). */
  cutBy: ReplyCut | null;
}

/** Our delimiter in any wording `##- … -##` (admins translate it), also quoted with `> `. */
const DELIMITER = /^[>\s]*##-.*-##\s*$/;

const isQuoted = (line: string): boolean => /^\s*>/.test(line);
const isBlank = (line: string): boolean => line.trim() === '';

/** A line made only of rule characters (`-----`, `_____`, `=====`), as mail clients put above history. */
const isRule = (line: string): boolean => line.length < 200 && /^\s*[-_=~*]{3,}\s*$/.test(line);

/** Outlook's separator, in the languages it ships in. */
const ORIGINAL_MESSAGE =
  /^\s*-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|originalmeddelande|oprindelig meddelelse|opprinnelig melding|mensagem original|oryginalna wiadomość|alkuperäinen viesti|původní zpráva|eredeti üzenet|orijinal mesaj|исходное сообщение|原始邮件|元のメッセージ)\s*-{2,}\s*$/i;

/** First line of an Outlook header block: `From: …`, `*From:* …` (bold when converted from HTML). */
const FROM_LINE =
  /^\s*\*?(?:from|von|de|van|da|från|fra|od|lähettäjä|feladó|kimden|от|差出人|发件人|寄件者|보낸 사람)\s*[:：]\s*\*?\s*\S/i;
const SENT_LINE =
  /^\s*\*?(?:sent|date|gesendet|datum|envoyé|enviado(?: el)?|inviato|data|verzonden|skickat|sendt|wysłano|lähetetty|elküldve|gönderildi|tarih|отправлено|дата|送信日時|日付|发送时间|時間|傳送時間|보낸 날짜)\s*[:：]/i;

/** Forwarded mail is content, not history: nothing below these lines is cut. */
const FORWARD_MARKER =
  /^\s*(?:-{2,}\s*(?:forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|vidarebefordrat meddelande|mensagem encaminhada)\s*-{2,}|begin forwarded message:?|anfang der weitergeleiteten nachricht:?|début du message réexpédié\s*:?)\s*$/i;

/**
 * Quote headers that begin with a fixed word: safe enough to cut at even when the history below
 * them was pasted without `>` marks. They may be wrapped over up to three lines (email_1_6 in the
 * corpus) and must contain a digit (every client writes a date).
 */
const OPENER = /^(?:on|le|am|el|op|il|em|den|på|w\s+dniu|dne)\s/i;
const OPENER_HEADERS: RegExp[] = [
  /^on\s.*wrote\s*:$/i, // English (Gmail, Apple Mail, Thunderbird): On Mon, 1 Jan 2024 at 10:00, Jane <j@x> wrote:
  /^le\s.*a\s+écrit\s*:$/i, // French: Le lun. 1 janv. 2024 à 10:00, Jane <j@x> a écrit :
  /^am\s.*schrieb.*:$/i, // German: Am Mo., 1. Jan. 2024 um 10:00 Uhr schrieb Jane <j@x>:
  /^el\s.*escribió\s*:$/i, // Spanish: El lun, 1 ene 2024 a las 10:00, Jane (<j@x>) escribió:
  /^op\s.*schreef.*:$/i, // Dutch: Op ma 1 jan 2024 om 10:00 schreef Jane <j@x>:
  /^il\s.*(?:ha\s+scritto|scrisse)\s*:$/i, // Italian: Il giorno lun 1 gen 2024 alle ore 10:00 Jane <j@x> ha scritto:
  /^em\s.*escreveu\s*:$/i, // Portuguese: Em seg., 1 de jan. de 2024 às 10:00, Jane <j@x> escreveu:
  /^(?:den|på)\s.*skrev.*:$/i, // Swedish, Danish, Norwegian: Den mån 1 jan. 2024 kl 10:00 skrev Jane <j@x>:
  /^w\s+dniu\s.*(?:napisał|pisze).*:$/i, // Polish: W dniu 1.01.2024 o 10:00, Jane pisze:
  /^dne\s.*napsal.*:$/i, // Czech: Dne 1. 1. 2024 v 10:00 Jane napsal(a):
];
/** One-line headers of languages whose verb ends the line; as safe as the opener forms. */
const CJK_HEADERS: RegExp[] = [
  /写道\s*[:：]$/, // Chinese: Jane <j@x> 于2024年1月1日周一 10:00写道：
  /書きました\s*[:：]$/, // Japanese (Thunderbird): 2024/01/01 10:00、Jane さんは書きました:
  /のメール\s*[:：]$/, // Japanese (Apple Mail): 2024/01/01 10:00、Jane <j@x>のメール:
  /작성\s*[:：]$/, // Korean: 2024년 1월 1일 (월) 오전 10:00, Jane <j@x>님이 작성:
];
/**
 * Looser one-line forms: only taken for a quote header when `>`-quoted lines follow, because
 * prose can end the same way.
 */
const LOOSE_HEADERS: RegExp[] = [
  /\swrote\s*:$/i, // Thunderbird's short form: Jane Doe wrote:
  /(?:^|\s)skrev\s.*:$/i, // Swedish/Norwegian Apple Mail: 1 jan. 2024 kl. 10:00 skrev Jane <j@x>:
  /(?:^|\s)kirjoitti\s*:$/i, // Finnish
  /(?:^|\s)napisał(?:\(a\))?\s*:$/i, // Polish (Gmail)
  /(?:^|\s)napsal(?:\(a\))?\s*:$/i, // Czech (Gmail)
  /(?:^|\s)(?:пишет|написал(?:\(а\))?)\s*:$/i, // Russian
  /(?:^|\s)yazdı\s*:$/i, // Turkish
  /(?:^|\s)έγραψε\s*:$/i, // Greek
  /(?:^|\s)írta(?:\s.*)?:$/i, // Hungarian: Jane <j@x> ezt írta (időpont: 2024. jan. 1., H, 10:00):
  /(?:^|\s)a\s+scris\s*:$/i, // Romanian
  // Gmail in languages with no verb (Japanese, Russian): 2024年1月1日(月) 10:00 Jane <j@x>:
  /\d{1,2}[:.]\d{2}.*<[^<>\s]+@[^<>\s]+>\s*[:：]$/,
];
const MAX_HEADER_LINES = 3;
const MAX_HEADER_LENGTH = 500;
const endsWithColon = (text: string): boolean => /[:：]\s*$/.test(text);

type Kind = 'blank' | 'text' | 'quote' | 'header';
interface HeaderMatch {
  end: number;
  /** Safe to cut at even when unquoted history follows. */
  strong: boolean;
}

/** If a quote header starts at line i, the index of its last line and how sure we are; else null. */
const quoteHeaderAt = (lines: readonly string[], i: number): HeaderMatch | null => {
  const first = lines[i].trim();
  if (first.length > MAX_HEADER_LENGTH) return null;
  if (OPENER.test(first)) {
    let joined = '';
    for (let j = i; j < lines.length && j < i + MAX_HEADER_LINES; j++) {
      if (j > i && (isBlank(lines[j]) || isQuoted(lines[j]))) break;
      joined = (joined ? `${joined} ` : '') + lines[j].trim();
      if (joined.length > MAX_HEADER_LENGTH) break;
      // "On Monday you wrote:" in prose has no digit; every client's header has a date.
      if (endsWithColon(joined) && /\d/.test(joined) && OPENER_HEADERS.some((re) => re.test(joined))) {
        return { end: j, strong: true };
      }
    }
  }
  if (!endsWithColon(first)) return null;
  if (/\d/.test(first) && CJK_HEADERS.some((re) => re.test(first))) return { end: i, strong: true };
  if (LOOSE_HEADERS.some((re) => re.test(first))) return { end: i, strong: false };
  return null;
};

/** Index of the next non-blank line at or after i, or lines.length. */
const nextNonBlank = (lines: readonly string[], i: number): number => {
  let j = i;
  while (j < lines.length && isBlank(lines[j])) j++;
  return j;
};

const classify = (lines: readonly string[]): { kinds: Kind[]; strong: boolean[] } => {
  const kinds: Kind[] = [];
  const strong: boolean[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (isQuoted(line)) {
      kinds.push('quote');
      strong.push(false);
      continue;
    }
    const header = quoteHeaderAt(lines, i);
    const next = header ? nextNonBlank(lines, header.end + 1) : -1;
    if (header && (header.strong || (next < lines.length && isQuoted(lines[next])))) {
      for (let j = i; j <= header.end; j++) {
        kinds.push('header');
        strong.push(header.strong);
      }
      i = header.end;
      continue;
    }
    kinds.push(isBlank(line) ? 'blank' : 'text');
    strong.push(false);
  }
  return { kinds, strong };
};

const hasContent = (lines: readonly string[], start: number, end: number): boolean => {
  for (let i = start; i < end; i++) if (!isBlank(lines[i])) return true;
  return false;
};

/** Where an Outlook-style history block starts, or -1. */
const outlookBlockStart = (lines: readonly string[], end: number): number => {
  for (let i = 0; i < end; i++) {
    const line = lines[i];
    if (isQuoted(line) || line.length > MAX_HEADER_LENGTH) continue;
    if (ORIGINAL_MESSAGE.test(line)) return i;
    if (FROM_LINE.test(line)) {
      for (let j = i + 1; j < Math.min(end, i + 5) && !isBlank(lines[j]); j++) {
        if (SENT_LINE.test(lines[j])) return i;
      }
    }
  }
  return -1;
};

// ---- signatures ----------------------------------------------------------------------------

type SignatureKind = 'dashes' | 'name' | 'rule' | 'mobile';

/** Mobile and webmail sign-offs: the whole line, a device name of at most four words. */
const MOBILE_SIGNATURE =
  /^(?:sent from my [\p{L}\p{N}]+(?:\s+[\p{L}\p{N}]+){0,3}|sent from (?:outlook|mail|yahoo mail)(?: for [\p{L}\p{N}]+)?|get outlook for [\p{L}\p{N}]+|von meinem [\p{L}\p{N}]+(?:\s+[\p{L}\p{N}]+){0,3} gesendet|envoyé de mon [\p{L}\p{N}]+(?:\s+[\p{L}\p{N}]+){0,3}|enviado desde mi [\p{L}\p{N}]+(?:\s+[\p{L}\p{N}]+){0,3}|inviato da(?:l mio)? [\p{L}\p{N}]+(?:\s+[\p{L}\p{N}]+){0,3}|verzonden (?:met|vanaf) mijn [\p{L}\p{N}]+(?:\s+[\p{L}\p{N}]+){0,3}|skickat från min [\p{L}\p{N}]+(?:\s+[\p{L}\p{N}]+){0,3}|enviado do meu [\p{L}\p{N}]+(?:\s+[\p{L}\p{N}]+){0,3}|iphoneから送信)\s*$/iu;

/** `-Name` or `-- Name` sign-offs: a short name and nothing else on the line. */
const NAME_SIGNATURE = /^(?:-|--\s?)\p{L}[\p{L}.'’ -]{0,40}$/u;

const signatureKind = (line: string): SignatureKind | null => {
  if (line.length > 100) return null;
  if (/^--\s*$/.test(line)) return 'dashes'; // RFC 3676 "-- ", and the common bare "--"
  if (/^_{4,}\s*$/.test(line)) return 'rule'; // mailing-list footers
  const trimmed = line.trim();
  if (NAME_SIGNATURE.test(trimmed) && trimmed.replace(/^-+\s?/, '').split(/\s+/).length <= 4) return 'name';
  if (MOBILE_SIGNATURE.test(trimmed)) return 'mobile';
  return null;
};

/**
 * How many non-blank lines a signature of each kind may span, its first line included. A `-- `
 * block can hold a long disclaimer; a `-Name` or rule that opens a long text is more likely part
 * of the message than a signature, and a reply must never lose text to a guess.
 */
const MAX_SIGNATURE_LINES: Record<SignatureKind, number> = { dashes: 40, name: 8, rule: 10, mobile: 4 };

/**
 * The first line of a signature that runs to `end`: no quoted line below it, text above it, and,
 * except after a `-- ` line, a blank line above it (as the corpus' email_reply_parser requires).
 * -1 when there is none.
 */
const signatureStart = (lines: readonly string[], start: number, end: number): number => {
  // Suffix counts, so that the scan stays linear on long texts.
  const nonBlankFrom = new Array<number>(end - start + 1).fill(0);
  let lastQuoted = -1;
  for (let i = end - 1; i >= start; i--) {
    nonBlankFrom[i - start] = nonBlankFrom[i - start + 1] + (isBlank(lines[i]) ? 0 : 1);
    if (lastQuoted < 0 && isQuoted(lines[i])) lastQuoted = i;
  }
  let contentAbove = lastQuoted >= start;
  for (let i = Math.max(start, lastQuoted + 1); i < end; i++) {
    const kind = contentAbove ? signatureKind(lines[i]) : null;
    if (
      kind &&
      (kind === 'dashes' || isBlank(lines[i - 1])) &&
      nonBlankFrom[i - start] <= MAX_SIGNATURE_LINES[kind]
    ) {
      return i;
    }
    if (!isBlank(lines[i])) contentAbove = true;
  }
  return -1;
};

// ---- assembling the result -----------------------------------------------------------------

const trimBlankLines = (lines: string[]): string[] => {
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start])) start++;
  while (end > start && isBlank(lines[end - 1])) end--;
  return lines.slice(start, end);
};

const normaliseDelimiter = (text: string): string =>
  text
    .replace(/^[>\s]+/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

const delimiterMatcher = (custom: string | null | undefined): ((line: string) => boolean) => {
  const own = custom ? normaliseDelimiter(custom) : '';
  const useOwn = own.replace(/\s/g, '').length >= 3;
  return (line) => {
    if (line.length >= 1000) return false;
    if (DELIMITER.test(line)) return true;
    if (!useOwn) return false;
    const normalised = normaliseDelimiter(line);
    // Templates may decorate the text (`*** … ***`); only long texts are found inside a line.
    return normalised === own || (own.length >= 12 && normalised.includes(own));
  };
};

/**
 * The new text of a reply, split from the history and the signature:
 *
 * - everything from our delimiter line (or the account's own, `options.delimiter`) down;
 * - `On … wrote:` headers (also wrapped over up to three lines) in English, French, German,
 *   Spanish, Italian, Portuguese, Dutch, the Scandinavian languages, Polish, Czech, Finnish,
 *   Russian, Turkish, Greek, Hungarian, Romanian, Chinese, Japanese and Korean, when only quoted
 *   text, blank lines or a signature follow — or, for the well-known forms, when the history
 *   follows unquoted;
 * - Outlook's `-----Original Message-----`, its underscore rule and `From: … Sent: …` header
 *   blocks, in the languages it ships in;
 * - a trailing `>`-quoted block (with any signature below it);
 * - a trailing signature (see {@link ExtractedReply.signature}).
 *
 * Quoted blocks with answers written between or below them (bottom-posting, inline replies) are
 * kept. Nothing is cut below a forward marker, and a cut that would leave nothing (a forwarded
 * mail, a mail that is all quote or all signature) is not made — except at our own delimiter.
 * The input is never changed and is returned whole in `full`.
 */
export const extractReply = (text: string, options: ReplyExtractionOptions = {}): ExtractedReply => {
  const full = text ?? '';
  const all = full.replace(/\r\n?/g, '\n').split('\n');
  const isDelimiter = delimiterMatcher(options.delimiter);

  let cutBy: ReplyCut | null = null;
  let cutAt = -1;
  const delimiter = all.findIndex(isDelimiter);
  if (delimiter >= 0) {
    cutAt = delimiter;
    cutBy = 'delimiter';
  }
  const lines = delimiter >= 0 ? all.slice(0, delimiter) : all;

  const forward = lines.findIndex((line) => !isQuoted(line) && line.length < 200 && FORWARD_MARKER.test(line));
  const searchEnd = forward >= 0 ? forward : lines.length;

  const outlook = outlookBlockStart(lines, searchEnd);
  if (outlook >= 0 && hasContent(lines, 0, outlook)) {
    cutAt = outlook;
    cutBy = 'outlook_header';
  }

  const region = lines.slice(0, cutBy === 'outlook_header' ? outlook : searchEnd);
  const { kinds, strong } = classify(region);
  // A signature below everything (Gmail puts the sender's under the quote it adds).
  const tailSignature = signatureStart(region, 0, region.length);
  const end = tailSignature >= 0 ? tailSignature : region.length;
  let signatureBelowHistory = false;

  // A well-known quote header followed by unquoted text: the history was pasted without `>`.
  for (let i = 0; i < end; i++) {
    if (kinds[i] !== 'header' || !strong[i] || (i > 0 && kinds[i - 1] === 'header')) continue;
    let next = i;
    while (next < end && kinds[next] === 'header') next++;
    while (next < end && kinds[next] === 'blank') next++;
    if (next < end && kinds[next] === 'text' && hasContent(region, 0, i)) {
      cutAt = i;
      cutBy = 'quote_header';
      break;
    }
  }

  // A trailing run of quotes and quote headers, with perhaps blank lines below it. Only at the
  // end of the text or above a cut: a quote above a forward marker is not trailing.
  if (forward < 0 || cutBy === 'outlook_header' || cutBy === 'quote_header') {
    const runEnd = cutBy === 'quote_header' ? cutAt : end;
    let last = runEnd - 1;
    while (last >= 0 && kinds[last] === 'blank') last--;
    if (last >= 0 && (kinds[last] === 'quote' || kinds[last] === 'header')) {
      let start = last;
      for (let k = last; k >= 0 && kinds[k] !== 'text'; k--) {
        if (kinds[k] !== 'blank') start = k;
      }
      if (hasContent(region, 0, start)) {
        signatureBelowHistory = cutBy === null && tailSignature >= 0;
        cutAt = start;
        cutBy = kinds[start] === 'header' ? 'quote_header' : 'quoted_block';
      }
    }
  }

  // The reply part ends at the cut; its own trailing signature comes first, else the one below
  // the history. Behind a forward marker, the end of the text is the forwarded mail's.
  const replyEnd = cutAt >= 0 ? cutAt : all.length;
  let replyLines = all.slice(0, replyEnd);
  let signatureLines: string[] = [];
  let quotedLines = all.slice(replyEnd);
  if (forward < 0 || forward >= replyEnd) {
    const own = signatureStart(replyLines, 0, replyLines.length);
    if (own >= 0) {
      signatureLines = replyLines.slice(own);
      replyLines = replyLines.slice(0, own);
    } else if (signatureBelowHistory) {
      signatureLines = region.slice(tailSignature);
      quotedLines = all.slice(replyEnd, tailSignature);
    }
  }

  if (cutBy !== null || signatureLines.length > 0) {
    while (replyLines.length > 0 && (isBlank(replyLines[replyLines.length - 1]) || isRule(replyLines[replyLines.length - 1]))) {
      replyLines.pop();
    }
  }
  // Trailing spaces go (clients pad lines), except in a `-- ` line, which they make a delimiter.
  const reply = trimBlankLines(replyLines.map((line) => (line === '-- ' ? line : line.trimEnd()))).join('\n');
  const quoted = trimBlankLines(quotedLines).join('\n');
  const signature = trimBlankLines(signatureLines).join('\n').trimEnd();
  return { reply, signature, quoted, full, cut: cutBy !== null || signature !== '', cutBy };
};

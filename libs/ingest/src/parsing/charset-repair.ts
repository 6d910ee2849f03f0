/**
 * Mail that says (or implies) UTF-8 or US-ASCII but carries raw 8-bit bytes of a legacy charset:
 * a Subject typed in Outlook's windows-1252 without RFC 2047 encoding, a single-part body labelled
 * `charset=utf-8` or `us-ascii` that is really Latin-1. mailparser reads those bytes as UTF-8 and
 * gets U+FFFD for every accented letter. When the bytes are not valid UTF-8 we take them for
 * windows-1252 (a superset of Latin-1, the usual culprit) and re-encode them as UTF-8 before parsing,
 * which is what a reader's mail client would show. Valid UTF-8 and declared legacy charsets are
 * left alone: mailparser decodes those itself.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

// windows-1252 differs from Latin-1 only in 0x80–0x9F. Spelled out here because TextDecoder in
// Node 20 decodes 'windows-1252' as plain Latin-1 (those bytes become C1 controls).
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const cp1252 = (bytes: Buffer): string => {
  let out = '';
  for (const b of bytes) out += b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  return out;
};

const isUtf8 = (bytes: Buffer): boolean => {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

const hasHighBytes = (bytes: Buffer): boolean => {
  for (const b of bytes) if (b >= 0x80) return true;
  return false;
};

const toUtf8 = (bytes: Buffer): Buffer => Buffer.from(cp1252(bytes), 'utf8');

/** Charsets that mailparser reads as UTF-8 as they are (no charset conversion). */
const READ_AS_UTF8 = /^(utf-?8|us-?ascii|ascii)$/i;

export const repairMislabelledCharsets = (raw: Buffer): Buffer => {
  if (!hasHighBytes(raw)) return raw;
  // The header block ends at the first empty line (CRLF or LF).
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const cut = crlf !== -1 && (lf === -1 || crlf < lf) ? crlf + 4 : lf !== -1 ? lf + 2 : raw.length;
  const head = raw.subarray(0, cut);
  const body = raw.subarray(cut);

  let newHead = head;
  if (hasHighBytes(head) && !isUtf8(head)) {
    // Line by line, so valid UTF-8 header lines (RFC 6532) stay as they are.
    const lines: Buffer[] = [];
    let start = 0;
    while (start < head.length) {
      let end = head.indexOf(0x0a, start);
      end = end === -1 ? head.length : end + 1;
      const line = head.subarray(start, end);
      lines.push(hasHighBytes(line) && !isUtf8(line) ? toUtf8(line) : line);
      start = end;
    }
    newHead = Buffer.concat(lines);
  }

  let newBody = body;
  const headText = head.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const contentType = /^content-type:\s*([^\r\n]*)/im.exec(headText)?.[1] ?? 'text/plain';
  const cte = /^content-transfer-encoding:\s*([^\r\n;]*)/im.exec(headText)?.[1].trim().toLowerCase() ?? '';
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] ?? 'us-ascii';
  const singleText = /^\s*text\//i.test(contentType) || !/^\s*[a-z]/i.test(contentType);
  if (singleText && READ_AS_UTF8.test(charset) && cte !== 'base64' && cte !== 'quoted-printable' && hasHighBytes(body) && !isUtf8(body)) {
    newBody = toUtf8(body);
  }
  return newHead === head && newBody === body ? raw : Buffer.concat([newHead, newBody]);
};

/**
 * Mail that says (or implies) UTF-8 or US-ASCII but carries bytes of a legacy charset: a Subject
 * typed in Outlook's windows-1252 without RFC 2047 encoding, a body or a part labelled
 * `charset=utf-8` or `us-ascii` that is really Latin-1 (raw 8-bit, or quoted-printable `=E9`). mailparser reads those bytes as UTF-8 and
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
const BOUNDARY = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^\s;"]+))/i;
/** The pre-scan (mime-prescan.ts) bounds depth and parts before this runs; this is a backstop. */
const MAX_DEPTH = 64;

/** Splits an entity at its first empty line: the header block (with that line) and the body. */
const splitEntity = (entity: Buffer): { head: Buffer; body: Buffer } => {
  if (entity.length >= 2 && entity[0] === 0x0d && entity[1] === 0x0a) return { head: entity.subarray(0, 2), body: entity.subarray(2) };
  if (entity.length >= 1 && entity[0] === 0x0a) return { head: entity.subarray(0, 1), body: entity.subarray(1) };
  const crlf = entity.indexOf('\r\n\r\n');
  const lf = entity.indexOf('\n\n');
  const cut = crlf !== -1 && (lf === -1 || crlf < lf) ? crlf + 4 : lf !== -1 ? lf + 2 : entity.length;
  return { head: entity.subarray(0, cut), body: entity.subarray(cut) };
};

/** Header lines that are not valid UTF-8 are read as windows-1252; valid ones (RFC 6532) stay. */
const repairHead = (head: Buffer): Buffer => {
  if (!hasHighBytes(head) || isUtf8(head)) return head;
  const lines: Buffer[] = [];
  let start = 0;
  while (start < head.length) {
    let end = head.indexOf(0x0a, start);
    end = end === -1 ? head.length : end + 1;
    const line = head.subarray(start, end);
    lines.push(hasHighBytes(line) && !isUtf8(line) ? toUtf8(line) : line);
    start = end;
  }
  return Buffer.concat(lines);
};

const decodeQuotedPrintable = (body: Buffer): Buffer => {
  const text = body.toString('latin1').replace(/[ \t]+(\r?\n)/g, '$1').replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d && /^[0-9a-f]{2}$/i.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c & 0xff);
  }
  return Buffer.from(out);
};

/** Replaces (or adds) the Content-Transfer-Encoding of a header block, keeping its line ending. */
const with8bit = (head: Buffer): Buffer => {
  const text = head.toString('latin1');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const replaced = text.replace(/^content-transfer-encoding:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/im, 'Content-Transfer-Encoding: 8bit');
  return Buffer.from(replaced === text ? `Content-Transfer-Encoding: 8bit${eol}${text}` : replaced, 'latin1');
};

interface Chunk {
  bytes: Buffer;
  /** A body part to repair in turn (delimiter lines and the preamble stay as they are). */
  part: boolean;
}

/** The body of a multipart cut at its delimiter lines (RFC 2046 §5.1.1), every byte kept. */
const splitMultipart = (body: Buffer, boundary: string): Chunk[] | null => {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const starts: number[] = [];
  for (let i = body.indexOf(delimiter); i !== -1; i = body.indexOf(delimiter, i + delimiter.length)) {
    if (i === 0 || body[i - 1] === 0x0a) starts.push(i);
  }
  if (starts.length === 0) return null;
  const chunks: Chunk[] = [{ bytes: body.subarray(0, starts[0]), part: false }];
  for (let k = 0; k < starts.length; k++) {
    const lineEnd = body.indexOf(0x0a, starts[k]);
    const afterLine = lineEnd === -1 ? body.length : lineEnd + 1;
    const closing = body.subarray(starts[k] + delimiter.length, starts[k] + delimiter.length + 2).toString('latin1') === '--';
    chunks.push({ bytes: body.subarray(starts[k], afterLine), part: false });
    if (closing || k === starts.length - 1) {
      // The epilogue after the closing delimiter (or whatever follows an unclosed last part).
      chunks.push({ bytes: body.subarray(afterLine), part: !closing });
      break;
    }
    // The line break before the next delimiter belongs to that delimiter.
    const next = starts[k + 1];
    const breakLength = next >= 2 && body[next - 2] === 0x0d ? 2 : 1;
    const end = Math.max(afterLine, next - breakLength);
    chunks.push({ bytes: body.subarray(afterLine, end), part: true });
    chunks.push({ bytes: body.subarray(end, next), part: false });
  }
  return chunks;
};

const repairEntity = (entity: Buffer, depth: number): Buffer => {
  const { head, body } = splitEntity(entity);
  const newHead = repairHead(head);
  const headText = head.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const contentType = /^content-type:\s*([^\r\n]*)/im.exec(headText)?.[1] ?? 'text/plain';
  const type = contentType.split(';', 1)[0].trim().toLowerCase();
  let newBody = body;
  let newHeadFinal = newHead;

  if (type.startsWith('multipart/') && depth < MAX_DEPTH) {
    const m = BOUNDARY.exec(contentType);
    const chunks = m ? splitMultipart(body, m[1] ?? m[2]) : null;
    if (chunks) {
      let changed = false;
      const out = chunks.map((c) => {
        if (!c.part || c.bytes.length === 0) return c.bytes;
        const repaired = repairEntity(c.bytes, depth + 1);
        if (repaired !== c.bytes) changed = true;
        return repaired;
      });
      if (changed) newBody = Buffer.concat(out);
    }
  } else if (type === 'message/rfc822' || type === 'message/global') {
    // An attached mail is stored as an attachment, byte for byte: not ours to rewrite.
  } else {
    const cte = /^content-transfer-encoding:\s*([^\r\n;]*)/im.exec(headText)?.[1].trim().toLowerCase() ?? '';
    const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] ?? 'us-ascii';
    const isText = type.startsWith('text/') || !/^[a-z]/i.test(type);
    const attachment = /^content-disposition:\s*attachment/im.test(headText);
    if (isText && !attachment && READ_AS_UTF8.test(charset)) {
      if (cte === 'quoted-printable' || cte === 'base64') {
        // Encoded, so 7-bit on the wire, but the decoded bytes may still be Latin-1 under a UTF-8 label.
        const decoded = cte === 'base64' ? Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64') : decodeQuotedPrintable(body);
        if (hasHighBytes(decoded) && !isUtf8(decoded)) {
          newBody = toUtf8(decoded);
          newHeadFinal = with8bit(newHead);
        }
      } else if (hasHighBytes(body) && !isUtf8(body)) {
        newBody = toUtf8(body);
      }
    }
  }
  return newHeadFinal === head && newBody === body ? entity : Buffer.concat([newHeadFinal, newBody]);
};

/**
 * Repairs every entity of the mail, however deeply nested: top-level headers, a single-part body,
 * each text part of a multipart (alternative, mixed, related…); attachments, attached messages
 * included, keep their bytes. A part
 * encoded as quoted-printable or base64 is decoded to check it; a repaired one is re-emitted as
 * 8bit UTF-8. Mail that needs nothing comes back as the same buffer, byte for byte.
 */
export const repairMislabelledCharsets = (raw: Buffer): Buffer => repairEntity(raw, 0);

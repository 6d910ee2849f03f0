import type { ParseLimits } from './limits';

export type PrescanResult = { ok: true; parts: number; depth: number } | { ok: false; reason: string };

interface Frame {
  boundary: string;
  /** Depth of the multipart entity that declared the boundary. */
  depth: number;
}

const BOUNDARY = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^\s;"]+))/i;

/** Type and boundary of an entity, from its unfolded Content-Type value. */
const entityKind = (contentType: string | null): { multipart: string | null; message: boolean } => {
  if (!contentType) return { multipart: null, message: false };
  const type = contentType.split(';', 1)[0].trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const m = BOUNDARY.exec(contentType);
    const boundary = m ? (m[1] ?? m[2]) : '';
    return { multipart: boundary ? boundary : null, message: false };
  }
  return { multipart: null, message: type === 'message/rfc822' || type === 'message/global' };
};

/**
 * One pass over the raw bytes, before any real parser sees them: header block sizes, MIME nesting
 * depth and part count, the way a MIME parser would split the mail (boundaries of every enclosing
 * multipart end a part; an attached message/rfc822 starts a nested message). It allocates nothing
 * per part beyond a stack of open boundaries, so a "million nested parts" mail costs one linear
 * scan and is refused before mailparser would build a node for each.
 */
export const prescanMime = (raw: Buffer, limits: Pick<ParseLimits, 'maxHeaderBytes' | 'maxMimeDepth' | 'maxParts'>): PrescanResult => {
  const text = raw.toString('latin1');
  const stack: Frame[] = [];
  let depth = 1;
  let maxDepth = 1;
  let parts = 1;
  let inHeaders = true;
  let headerBytes = 0;
  let contentType: string | null = null;
  let lastHeader: 'content-type' | 'other' = 'other';
  let encoded = false; // an attached message in base64/QP is opaque here

  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    const line = text.slice(pos, end).replace(/\r$/, '');
    const lineBytes = end - pos + 1;
    pos = end + 1;

    if (inHeaders) {
      headerBytes += lineBytes;
      if (headerBytes > limits.maxHeaderBytes) return { ok: false, reason: `a header block larger than ${limits.maxHeaderBytes} bytes` };
      if (line === '') {
        inHeaders = false;
        headerBytes = 0;
        const kind = entityKind(contentType);
        if (kind.multipart) {
          stack.push({ boundary: kind.multipart, depth });
        } else if (kind.message && !encoded) {
          depth += 1;
          parts += 1;
          if (depth > maxDepth) maxDepth = depth;
          if (depth > limits.maxMimeDepth) return { ok: false, reason: `MIME nesting deeper than ${limits.maxMimeDepth} levels` };
          if (parts > limits.maxParts) return { ok: false, reason: `more than ${limits.maxParts} MIME parts` };
          inHeaders = true;
        }
        contentType = null;
        encoded = false;
        lastHeader = 'other';
        continue;
      }
      if (/^[ \t]/.test(line)) {
        if (lastHeader === 'content-type' && contentType !== null) contentType += ' ' + line.trim();
      } else {
        const colon = line.indexOf(':');
        const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
        if (name === 'content-type') {
          contentType = line.slice(colon + 1).trim();
          lastHeader = 'content-type';
        } else {
          if (name === 'content-transfer-encoding') encoded = /base64|quoted-printable/i.test(line.slice(colon + 1));
          lastHeader = 'other';
        }
      }
      continue;
    }

    if (stack.length > 0 && line.startsWith('--')) {
      const trimmed = line.replace(/[ \t]+$/, '');
      for (let i = stack.length - 1; i >= 0; i--) {
        const b = '--' + stack[i].boundary;
        if (trimmed === b) {
          stack.length = i + 1;
          depth = stack[i].depth + 1;
          parts += 1;
          if (depth > maxDepth) maxDepth = depth;
          if (depth > limits.maxMimeDepth) return { ok: false, reason: `MIME nesting deeper than ${limits.maxMimeDepth} levels` };
          if (parts > limits.maxParts) return { ok: false, reason: `more than ${limits.maxParts} MIME parts` };
          inHeaders = true;
          headerBytes = 0;
          contentType = null;
          encoded = false;
          lastHeader = 'other';
          break;
        }
        if (trimmed === b + '--') {
          // What follows is the closed multipart's epilogue, at the multipart's own depth.
          depth = stack[i].depth;
          stack.length = i;
          break;
        }
      }
    }
  }
  return { ok: true, parts, depth: maxDepth };
};

/**
 * PostgreSQL cannot store U+0000 in `text` (invalid byte sequence) nor in `jsonb` (`\u0000` is an
 * unsupported escape), and `jsonb` refuses a lone UTF-16 surrogate (`\ud800` without its pair),
 * which JavaScript strings happily hold after decoding a broken UTF-16 part or encoded word.
 * Mail may carry any of them, so every text derived from a mail passes through here once, where
 * the parsed mail is produced: a NUL or a lone surrogate becomes U+FFFD, the replacement character
 * a decoder would have shown anyway. The raw bytes in ingest.raw_mail and attachment contents
 * (Buffers) are left as they came.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export const storableText = (s: string): string => s.replace(UNSTORABLE, '\uFFFD');

/**
 * A copy of `value` with every string (object keys included) made storable; Buffers and typed
 * arrays are kept as they are (they are bytes, stored as `bytea`), other values are returned as is.
 */
export const storable = <T>(value: T): T => {
  if (typeof value === 'string') return storableText(value) as T;
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => storable(v)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[storableText(k)] = storable(v);
  return out as T;
};

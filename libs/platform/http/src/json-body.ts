import type { NextFunction, Request, Response } from 'express';

/**
 * Text PostgreSQL cannot hold: NUL (`text` and `jsonb` refuse it) and UTF-16 surrogates without
 * their pair (not Unicode at all; `jsonb` refuses their escapes). JSON.parse accepts both
 * (`"\u0000"`, `"\ud800"`), so they are refused while the body is parsed, once for every endpoint,
 * instead of surfacing as a 500 from whichever query first writes the value.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const unstorableText = (s: string): string | null => {
  const m = UNSTORABLE.exec(s);
  if (!m) return null;
  return m[0] === '\u0000' ? 'a NUL character (\\u0000)' : 'an unpaired UTF-16 surrogate';
};

class UnstorableTextError extends SyntaxError {}

/** JSON.parse reviver for the body parser: every key and every string value is checked. */
export const refuseUnstorableText = (key: string, value: unknown): unknown => {
  const inKey = unstorableText(key);
  if (inKey) throw new UnstorableTextError(`A key in the JSON body contains ${inKey}, which cannot be stored`);
  if (typeof value === 'string') {
    const inValue = unstorableText(value);
    if (inValue) throw new UnstorableTextError(`The value of "${key.slice(0, 64)}" in the JSON body contains ${inValue}, which cannot be stored`);
  }
  return value;
};

/**
 * Errors of the body parser (bad JSON, refused text, too large, bad charset) answered in Zendesk's
 * shape; express would otherwise answer them with an HTML page. Runs before any route, so only the
 * parser's errors reach it.
 */
export const answerBodyErrors = (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
  const e = err as { status?: number; type?: string; message?: string } | null;
  if (!e || typeof e.type !== 'string' || typeof e.status !== 'number') return next(err);
  if (e.type === 'entity.too.large') {
    res.status(413).json({ error: 'RequestTooLarge', description: 'The request body is too large' });
  } else if (e.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'InvalidRequest', description: err instanceof UnstorableTextError ? e.message : `The body is not valid JSON: ${e.message}` });
  } else {
    res.status(e.status >= 400 && e.status < 500 ? e.status : 400).json({ error: 'InvalidRequest', description: e.message ?? 'The request body could not be read' });
  }
};

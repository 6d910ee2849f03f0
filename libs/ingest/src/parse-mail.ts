import type { SuspensionCause } from '@mailroom/mail-domain';
import { MailParseRefused } from './parsing/limits';
import type { ParsedMailResult } from './parsing/parse-job';
import { ParserPool } from './parsing/parser-pool';

export { DEFAULT_PARSE_LIMITS, MailParseRefused, type ParseLimits } from './parsing/limits';
export type { ParsedAttachment, ParsedMailResult } from './parsing/parse-job';
export { ParserPool, type ParserPoolOptions } from './parsing/parser-pool';

let shared: ParserPool | null = null;
/** For callers that were given no pool (tools, older tests): default limits, content URLs from MAILROOM_BASE_URL. */
const defaultPool = (): ParserPool =>
  (shared ??= new ParserPool({ baseUrl: (process.env.MAILROOM_BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, ''), threads: 1 }));

/**
 * A raw mail as the domain's InboundMail, its attachments to store and its sanitised HTML, parsed
 * on a parser thread within the limits. Throws MailParseRefused when the mail is over a limit or
 * unreadable (suspend it with `suspensionCause`); any other error means the parser itself is
 * broken and the mail should be retried later.
 */
export const parseMail = (raw: Buffer, envelopeFrom: string | null, pool: ParserPool = defaultPool()): Promise<ParsedMailResult> => pool.parse(raw, envelopeFrom);

/** The suspension cause for a parse failure, or null when the failure is not the mail's fault. */
export const parseRefusalCause = (err: unknown): SuspensionCause | null => (err instanceof MailParseRefused ? err.suspensionCause : null);

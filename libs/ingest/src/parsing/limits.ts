import type { SuspensionCause } from '@mailroom/mail-domain';

/**
 * What one mail may cost the worker. Each bound is a known attack on mail parsers (MIME bombs,
 * header floods, link-stuffed HTML, see reference/performance-and-reliability.md §4.4); a mail past
 * one is suspended with the reason and its raw bytes kept, never retried forever.
 */
export interface ParseLimits {
  /** Bytes of one header block (the message's or a part's); Postfix's header_size_limit. */
  maxHeaderBytes: number;
  /** Nesting of multiparts and attached messages; the top-level message is depth 1. */
  maxMimeDepth: number;
  /** MIME parts in the whole mail, nested ones included. */
  maxParts: number;
  /** Links in the HTML body. */
  maxLinks: number;
  /** Wall time for parsing and sanitising one mail, on a parser thread. */
  parseTimeoutMs: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxHeaderBytes: 100 * 1024,
  maxMimeDepth: 50,
  maxParts: 1000,
  maxLinks: 1000,
  parseTimeoutMs: 15_000,
};

/** A mail that could not be parsed: the worker suspends it under `suspensionCause` with `message` as the reason. */
export class MailParseRefused extends Error {
  constructor(
    readonly suspensionCause: SuspensionCause,
    message: string,
  ) {
    super(message);
    this.name = 'MailParseRefused';
  }
}

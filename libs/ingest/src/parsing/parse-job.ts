import { randomUUID } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { attachmentContentUrl, sanitizeMailHtml, type Address, type InboundMail } from '@mailroom/mail-domain';
import type { ParseLimits } from './limits';
import { repairMislabelledCharsets } from './charset-repair';
import { prescanMime } from './mime-prescan';
import { storable, storableText } from './storable-text';

export interface ParsedAttachment {
  /** The stored attachment's id, chosen at parse time so the sanitised HTML can link inline images to it. */
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  content: Buffer;
}

export interface ParsedMailResult {
  mail: InboundMail;
  attachments: ParsedAttachment[];
  /** The mail's HTML after the sanitiser, `cid:` images pointing at their attachments; null for text-only mail. */
  html: string | null;
}

export interface ParseJobOptions {
  limits: ParseLimits;
  /** Base of attachment content URLs (MAILROOM_BASE_URL). */
  baseUrl: string;
}

/** What a parse ends in: a result, or the reason to suspend the mail (a limit or an unreadable mail). */
export type ParseOutcome =
  | { ok: true; result: ParsedMailResult }
  | { ok: false; cause: 'unprocessable_email'; reason: string };

/**
 * An address a user can be created for and mail can be sent to (the ticket service's rule):
 * `xxxxx@xxxxx` or `<matmail>` from old or broken mailers are left out here, so a mail whose only
 * sender is one of those is suspended as from an unknown author instead of failing later.
 */
const MAILBOX = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;

const addresses = (field: AddressObject | AddressObject[] | undefined): Address[] => {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  const out: Address[] = [];
  const walk = (entries: { address?: string; name?: string; group?: { address?: string; name?: string }[] }[]) => {
    for (const e of entries) {
      if (e.group) walk(e.group);
      else if (e.address && MAILBOX.test(e.address)) out.push({ address: e.address, name: e.name ?? '' });
    }
  };
  for (const a of list) walk(a.value);
  return out;
};

const rawHeaders = (parsed: ParsedMail): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const line of parsed.headerLines ?? []) {
    const key = line.key.toLowerCase();
    const value = line.line.slice(line.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    (out[key] ??= []).push(value);
  }
  return out;
};

const ids = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v ? v.split(/\s+/).filter(Boolean) : []);

const stripBrackets = (cid: string): string => cid.trim().replace(/^<|>$/g, '');

/**
 * A mail whose lines end in bare CRs (old Mac clients, some gateways) and not one LF: read as if
 * each CR were CRLF, since MIME parsers look for LF and would see one endless header line.
 * The raw mail kept in ingest.raw_mail stays as it came.
 */
export const withLineFeeds = (raw: Buffer): Buffer => (raw.includes(0x0a) || !raw.includes(0x0d) ? raw : Buffer.from(raw.toString('latin1').replace(/\r/g, '\r\n'), 'latin1'));

/**
 * The whole parse of one raw mail: the structural pre-scan, mailparser (charsets, RFC 2047/2231,
 * transfer encodings; mislabelled 8-bit text repaired first, nested multiparts), the mapping onto the domain's InboundMail, and the HTML
 * sanitiser. Runs on a parser thread (see parser-pool.ts) so that its time can be bounded.
 */
export const runParseJob = async (original: Buffer, envelopeFrom: string | null, opts: ParseJobOptions): Promise<ParseOutcome> => {
  const raw = withLineFeeds(original);
  const scan = prescanMime(raw, opts.limits);
  if (!scan.ok) return { ok: false, cause: 'unprocessable_email', reason: storableText(scan.reason) };

  const parsed = await simpleParser(repairMislabelledCharsets(raw), { skipHtmlToText: false, skipTextToHtml: true, skipTextLinks: true, keepCidLinks: true, maxHtmlLengthToParse: 5 * 1024 * 1024 });
  const headers = rawHeaders(parsed);
  const returnPathHeader = headers['return-path']?.[0]?.replace(/[<>]/g, '').trim();
  const decodedHtml = typeof parsed.html === 'string' ? parsed.html : null;
  const decodedMail: InboundMail = {
    messageId: parsed.messageId ?? null,
    inReplyTo: ids(parsed.inReplyTo),
    references: ids(parsed.references),
    from: addresses(parsed.from)[0] ?? null,
    replyTo: addresses(parsed.replyTo),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: decodedHtml,
    date: headers['date']?.[0] ?? null,
    headers,
    returnPath: envelopeFrom !== null ? envelopeFrom : returnPathHeader !== undefined ? returnPathHeader : null,
  };
  const decodedAttachments: ParsedAttachment[] = (parsed.attachments ?? []).map((a) => {
    const contentId = a.contentId ?? a.cid ?? null;
    return {
      id: randomUUID(),
      fileName: a.filename || (a.contentType === 'message/rfc822' ? 'message.eml' : 'attachment'),
      contentType: a.contentType || 'application/octet-stream',
      size: a.size ?? a.content.length,
      contentId,
      // mailparser marks parts of a multipart/related as `related`: inline images even without a Content-Disposition.
      inline: a.contentDisposition === 'inline' || (!!contentId && a.related === true),
      content: a.content,
    };
  });
  // The one place every text decoded from the mail passes (storable-text.ts): a NUL or a lone
  // surrogate that PostgreSQL would refuse becomes U+FFFD here, before the HTML links to
  // attachments by name and before anything is stored or sent as an event.
  const { mail, attachments, rawHtml } = storable({ mail: decodedMail, attachments: decodedAttachments, rawHtml: decodedHtml });

  let html: string | null = null;
  if (rawHtml !== null) {
    const inlineImages = new Map<string, string>();
    for (const a of attachments) if (a.contentId) inlineImages.set(stripBrackets(a.contentId), attachmentContentUrl(opts.baseUrl, a.id, a.fileName));
    const clean = sanitizeMailHtml(rawHtml, { inlineImages, maxLinks: opts.limits.maxLinks });
    if (clean.kind === 'too_many_links') return { ok: false, cause: 'unprocessable_email', reason: `more than ${opts.limits.maxLinks} links in the HTML body (${clean.links})` };
    html = clean.html || null;
    // An image the HTML shows is inline even when its part said nothing about disposition.
    const used = new Set(clean.inlineImagesUsed.map((c) => c.toLowerCase()));
    for (const a of attachments) if (a.contentId && used.has(stripBrackets(a.contentId).toLowerCase())) a.inline = true;
  }
  return { ok: true, result: { mail, attachments, html } };
};

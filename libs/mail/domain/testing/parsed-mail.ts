/**
 * Test support: a raw mail turned into our InboundMail by mailparser, the way the ingest worker
 * does it, so the domain rules can be tested on real mail without the domain ever seeing a parser.
 */
import { createHash } from 'node:crypto';
import { AddressObject, EmailAddress, simpleParser } from 'mailparser';
import type { MailPart } from '../src/dsn';
import type { Address, InboundMail } from '../src/inbound-mail';
import { splitMessageIds } from '../src/message-ids';

const flatten = (entries: EmailAddress[]): EmailAddress[] => entries.flatMap((e) => (e.group ? flatten(e.group) : [e]));
const addresses = (field: AddressObject | AddressObject[] | undefined): Address[] =>
  (Array.isArray(field) ? field : field ? [field] : [])
    .flatMap((o) => flatten(o.value))
    .map((e) => ({ address: e.address ?? '', name: e.name ?? '' }));

export interface ParsedTestMail {
  mail: InboundMail;
  /** The parts mailparser keeps apart (delivery-status, returned headers, attachments), as text. */
  parts: MailPart[];
  sha256: string;
}

export const parsedMail = async (raw: Buffer): Promise<ParsedTestMail> => {
  const parsed = await simpleParser(raw);
  const headers: Record<string, string[]> = {};
  for (const { key, line } of parsed.headerLines) {
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    (headers[key] ??= []).push(value);
  }
  const returnPath = headers['return-path']?.[0];
  const mail: InboundMail = {
    messageId: parsed.messageId ?? null,
    inReplyTo: splitMessageIds(parsed.inReplyTo),
    references: splitMessageIds(parsed.references),
    from: addresses(parsed.from)[0] ?? null,
    replyTo: addresses(parsed.replyTo),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: parsed.html || null,
    date: headers['date']?.[0] || null, // mailparser puts "now" in parsed.date when the header is missing
    headers,
    returnPath: returnPath === undefined ? null : returnPath.replace(/^<(.*)>$/, '$1').trim(),
  };
  return {
    mail,
    parts: parsed.attachments.map((a) => ({ contentType: a.contentType, content: a.content.toString('utf8') })),
    sha256: createHash('sha256').update(raw).digest('hex'),
  };
};

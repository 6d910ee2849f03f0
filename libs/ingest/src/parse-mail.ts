import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { Address, InboundMail } from '@mailroom/mail-domain';

export interface ParsedAttachment {
  fileName: string;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  content: Buffer;
}

const addresses = (field: AddressObject | AddressObject[] | undefined): Address[] => {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  const out: Address[] = [];
  const walk = (entries: { address?: string; name?: string; group?: { address?: string; name?: string }[] }[]) => {
    for (const e of entries) {
      if (e.group) walk(e.group);
      else if (e.address) out.push({ address: e.address, name: e.name ?? '' });
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

/** mailparser's result, turned into the domain's InboundMail plus the attachments to store. */
export const parseMail = async (raw: Buffer, envelopeFrom: string | null): Promise<{ mail: InboundMail; attachments: ParsedAttachment[] }> => {
  const parsed = await simpleParser(raw, { skipHtmlToText: false, skipTextToHtml: true, skipTextLinks: true, maxHtmlLengthToParse: 5 * 1024 * 1024 });
  const headers = rawHeaders(parsed);
  const returnPathHeader = headers['return-path']?.[0]?.replace(/[<>]/g, '').trim();
  const mail: InboundMail = {
    messageId: parsed.messageId ?? null,
    inReplyTo: ids(parsed.inReplyTo),
    references: ids(parsed.references),
    from: addresses(parsed.from)[0] ?? null,
    replyTo: addresses(parsed.replyTo),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : null,
    date: headers['date']?.[0] ?? null,
    headers,
    returnPath: envelopeFrom !== null ? envelopeFrom : returnPathHeader !== undefined ? returnPathHeader : null,
  };
  const attachments = (parsed.attachments ?? []).map((a) => ({
    fileName: a.filename ?? (a.contentType === 'message/rfc822' ? 'message.eml' : 'attachment'),
    contentType: a.contentType ?? 'application/octet-stream',
    size: a.size ?? a.content.length,
    contentId: a.contentId ?? a.cid ?? null,
    inline: a.contentDisposition === 'inline' || (!!a.cid && a.related === true),
    content: a.content,
  }));
  return { mail, attachments };
};

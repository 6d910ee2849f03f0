import { promises as dns } from 'node:dns';
import { authenticate } from 'mailauth';
import {
  asResultWord,
  domainOf,
  relaxedAligned,
  resultsFromAuthenticationResults,
  trustedAuthenticationResults,
  type SenderAuthPolicy,
  type SenderAuthResults,
} from '@mailroom/mail-domain';

/** mailauth's resolver: `dns.promises.resolve`'s shape (TXT answers as arrays of strings). */
export type DnsResolver = (name: string, type: string) => Promise<string[][] | string[]>;

/** How ingest authenticates senders (README "Sender authentication"). */
export interface SenderAuthSetup {
  policy: SenderAuthPolicy;
  /**
   * authserv-id of the relay in front of ingest whose Authentication-Results are believed instead
   * of checking here (Postfix + OpenDKIM/OpenDMARC, rspamd); null: ingest checks itself.
   */
  trustedRelay: string | null;
  /** DNS for SPF, DKIM, DMARC and ARC lookups: node's resolver in production, a zone of their own in tests. */
  resolver: DnsResolver;
  /** Our host name, as SPF's and the results' comments name it. */
  mta?: string;
}

export const nodeDnsResolver: DnsResolver = (name, type) => dns.resolve(name, type) as Promise<string[][] | string[]>;

/** What the SMTP edge kept of the session the mail came in. */
export interface SmtpSession {
  remoteAddress: string | null;
  helo: string | null;
  mailFrom: string | null;
}

/**
 * The mail's authentication results: from the trusted relay's topmost Authentication-Results when
 * one is configured (null when it added none: the mail did not come through it, and nothing else
 * proves the sender), else computed here with mailauth from the raw bytes and the SMTP session.
 */
export const verifySender = async (raw: Buffer, session: SmtpSession, fromAddress: string | null, setup: SenderAuthSetup): Promise<SenderAuthResults | null> => {
  if (setup.trustedRelay) {
    const values = trustedAuthenticationResults(headerFields(raw), setup.trustedRelay);
    const results = resultsFromAuthenticationResults(values, setup.trustedRelay);
    // A relay that names no header.from still speaks of the mail's From.
    return results && !results.fromDomain ? { ...results, fromDomain: domainOf(fromAddress) } : results;
  }
  const r = await authenticate(raw, {
    ip: session.remoteAddress ?? undefined,
    helo: session.helo ?? undefined,
    sender: session.mailFrom ?? '',
    mta: setup.mta ?? 'mailroom',
    resolver: setup.resolver,
    trustReceived: false,
    disableBimi: true,
  });
  const fromDomain = domainOf(fromAddress);
  const dkimResults = r.dkim?.results ?? [];
  const dkimPass = dkimResults.filter((d) => d.status?.result === 'pass');
  const dkim = asResultWord(dkimPass.length ? 'pass' : (dkimResults.find((d) => d.status?.result !== 'none')?.status?.result ?? 'none'));
  const spf = asResultWord(r.spf ? r.spf.status?.result : 'none');
  const dmarc = asResultWord(r.dmarc ? r.dmarc.status?.result : 'none');
  // Identifier alignment also when the From domain publishes no DMARC record (DMARC says `none`
  // then): an SPF or DKIM pass for the From's organisational domain still proves the sender.
  // mailauth marks a DKIM pass aligned with From (public-suffix aware) even without a DMARC record.
  const dkimAligned = dkimPass.some((d) => !!(d.status as { aligned?: string | false }).aligned);
  const mailFromDomain = domainOf(session.mailFrom);
  const spfAligned = spf === 'pass' && fromDomain !== null && mailFromDomain !== null && relaxedAligned(mailFromDomain, fromDomain);
  const aligned = dmarc === 'pass' || dkimAligned || spfAligned;
  return { source: 'computed', spf, dkim, dmarc, arc: asResultWord(r.arc ? r.arc.status?.result : 'none'), fromDomain, aligned };
};

/** The header fields of a raw mail, top first, unfolded. */
const headerFields = (raw: Buffer): [string, string][] => {
  const text = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = end < 0 ? text : text.slice(0, end);
  const fields: [string, string][] = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1][1] += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(':');
      if (colon > 0) fields.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
  }
  return fields;
};

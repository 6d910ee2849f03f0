import { normaliseEmail } from '@mailroom/mail-domain';

/**
 * The allowlist and blocklist (Zendesk: Admin Center > People > End users; reference §6.6):
 * space- or comma-separated addresses and domains. In the blocklist, `reject:entry` refuses the
 * mail without keeping it, `suspend:entry` (or a plain entry) suspends it, and `*` suspends every
 * sender not on the allowlist. The allowlist wins over the blocklist. Pure: no I/O.
 */
export interface SenderLists {
  allow: readonly string[];
  suspend: readonly string[];
  reject: readonly string[];
  /** `*` in the blocklist: only allowlisted senders get through. */
  suspendEveryoneElse: boolean;
}

export type ListVerdict =
  | { kind: 'allowlisted'; entry: string }
  | { kind: 'reject'; entry: string }
  | { kind: 'suspend'; entry: string }
  | { kind: 'not_allowlisted' }
  | { kind: 'none' };

export const EMPTY_SENDER_LISTS: SenderLists = { allow: [], suspend: [], reject: [], suspendEveryoneElse: false };

export class SenderListError extends Error {}

const ENTRY = /^(?:[^\s@]+@)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

const entries = (value: string): string[] =>
  value
    .split(/[\s,]+/)
    .map((e) => e.trim())
    .filter(Boolean);

const normaliseEntry = (raw: string, list: string): string => {
  const entry = normaliseEmail(raw).replace(/^@/, '');
  if (!ENTRY.test(entry)) throw new SenderListError(`${list}: "${raw}" is neither an email address nor a domain`);
  return entry;
};

/** Reads the two lists as an admin writes them; throws SenderListError naming a bad entry. */
export const parseSenderLists = (allowlist: string, blocklist: string): SenderLists => {
  const allow = entries(allowlist).map((e) => normaliseEntry(e, 'allowlist'));
  const suspend: string[] = [];
  const reject: string[] = [];
  let suspendEveryoneElse = false;
  for (const raw of entries(blocklist)) {
    const m = /^(reject|suspend):(.*)$/i.exec(raw);
    const action = m ? m[1].toLowerCase() : 'suspend';
    const value = m ? m[2] : raw;
    if (value === '*') {
      // `reject:*` would refuse the whole world without a trace; treated as suspend, like a conflict.
      suspendEveryoneElse = true;
      continue;
    }
    (action === 'reject' ? reject : suspend).push(normaliseEntry(value, 'blocklist'));
  }
  return { allow, suspend, reject, suspendEveryoneElse };
};

/** An entry matches the address itself, or every address at the domain (and its subdomains). */
const matches = (entry: string, address: string): boolean => {
  if (entry.includes('@')) return entry === address;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return domain === entry || domain.endsWith(`.${entry}`);
};

/** Where a sender stands. A sender on both a suspend and a reject entry is suspended (Zendesk's rule). */
export const checkSenderLists = (lists: SenderLists, sender: string): ListVerdict => {
  const address = normaliseEmail(sender);
  const allowed = lists.allow.find((e) => matches(e, address));
  if (allowed) return { kind: 'allowlisted', entry: allowed };
  const suspended = lists.suspend.find((e) => matches(e, address));
  if (suspended) return { kind: 'suspend', entry: suspended };
  const rejected = lists.reject.find((e) => matches(e, address));
  if (rejected) return { kind: 'reject', entry: rejected };
  if (lists.suspendEveryoneElse) return { kind: 'not_allowlisted' };
  return { kind: 'none' };
};

/** Per-sender rate limit (reference §6.4): the first `process` mails of a window go through, the next `suspend` are suspended, the rest rejected. */
export interface RateLimit {
  process: number;
  suspend: number;
  windowMinutes: number;
  /** Allowlisted senders get limits this many times higher (Zendesk: ten). */
  allowlistFactor: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { process: 20, suspend: 20, windowMinutes: 60, allowlistFactor: 10 };

export type RateVerdict = 'process' | 'suspend' | 'reject';

/** `count` is this mail's number in the window, counting itself. */
export const rateVerdict = (limit: RateLimit, count: number, allowlisted: boolean): RateVerdict => {
  const factor = allowlisted ? limit.allowlistFactor : 1;
  if (count <= limit.process * factor) return 'process';
  if (count <= (limit.process + limit.suspend) * factor) return 'suspend';
  return 'reject';
};

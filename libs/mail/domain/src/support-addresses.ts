import { normaliseEmail } from './inbound-mail';
import { splitPlusAddress } from './message-ids';

/**
 * The addresses Mailroom receives mail at (Zendesk's "support addresses", reference §5.1). The
 * first configured one is the default: it sends mail for tickets that did not arrive by email.
 */
export interface SupportAddress {
  /** Lower-case mailbox, e.g. `support@example.com`. Never contains a `+` tag. */
  address: string;
  /** Display name for outgoing mail; empty when none was configured. */
  name: string;
  isDefault: boolean;
}

export interface SupportAddressMatch {
  address: SupportAddress;
  /** What followed the `+` in the recipient's local part (case kept), or null. */
  tag: string | null;
}

// Local part: RFC 5322 atext and dots, without `+` (reserved for ticket tokens). Domain: labels.
const SUPPORT_MAILBOX = /^[a-z0-9!#$%&'*/=?^_`{|}~.-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/** Splits on commas that are neither inside double quotes nor inside angle brackets. */
const splitEntries = (value: string): string[] => {
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      current += ch;
      if (ch === '\\' && i + 1 < value.length) current += value[++i];
      else if (ch === '"') quoted = false;
    } else if (ch === '"') {
      quoted = true;
      current += ch;
    } else if (ch === '<') {
      angle = true;
      current += ch;
    } else if (ch === '>') {
      angle = false;
      current += ch;
    } else if (ch === ',' && !angle) {
      entries.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quoted) throw new Error(`MAILROOM_SUPPORT_ADDRESSES: unterminated quote in "${value.trim()}"`);
  entries.push(current);
  return entries;
};

const unquoteName = (raw: string, entry: string): string => {
  const name = raw.trim();
  if (!name.startsWith('"')) {
    if (/["<>]/.test(name)) throw new Error(`MAILROOM_SUPPORT_ADDRESSES: unexpected character in the name of "${entry}"`);
    return name.replace(/\s+/g, ' ');
  }
  if (name.length < 2 || !name.endsWith('"')) {
    throw new Error(`MAILROOM_SUPPORT_ADDRESSES: text after the quoted name in entry "${entry}"`);
  }
  return name
    .slice(1, -1)
    .replace(/\\(.)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
};

const parseEntry = (entry: string): { address: string; name: string } => {
  const lt = entry.endsWith('>') ? entry.lastIndexOf('<') : -1;
  const name = lt >= 0 ? unquoteName(entry.slice(0, lt), entry) : '';
  const address = (lt >= 0 ? entry.slice(lt + 1, -1) : entry).trim().toLowerCase();
  if (address.includes('+')) {
    throw new Error(`MAILROOM_SUPPORT_ADDRESSES: "${entry}" contains "+", which is reserved for ticket tokens`);
  }
  if (!SUPPORT_MAILBOX.test(address)) {
    throw new Error(
      `MAILROOM_SUPPORT_ADDRESSES: "${entry}" is not a valid support address ` +
        `(expected "Name <local@domain>" or "local@domain")`,
    );
  }
  return { address, name };
};

/**
 * Parses `MAILROOM_SUPPORT_ADDRESSES`: a comma-separated list of `Name <addr>`, `"Name, Inc." <addr>`
 * or bare `addr`. The first entry is the default. Addresses are lower-cased. Blank entries (a
 * trailing comma) are ignored; a malformed entry, a duplicate or an empty list throws.
 */
export const parseSupportAddresses = (value: string): SupportAddress[] => {
  const result: SupportAddress[] = [];
  for (const raw of splitEntries(value ?? '')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const { address, name } = parseEntry(entry);
    if (result.some((a) => a.address === address)) {
      throw new Error(`MAILROOM_SUPPORT_ADDRESSES: ${address} is listed twice`);
    }
    result.push({ address, name, isDefault: result.length === 0 });
  }
  if (result.length === 0) {
    throw new Error('MAILROOM_SUPPORT_ADDRESSES: at least one support address is required');
  }
  return result;
};

/**
 * The support address a recipient stands for, also in its plus-addressed form
 * (`support+t12-abc…@example.com`), case-insensitively. Null for any other address.
 */
export const matchSupportAddress = (
  rcpt: string,
  addresses: readonly SupportAddress[],
): SupportAddressMatch | null => {
  const mailbox = normaliseEmail(rcpt);
  if (!mailbox.includes('@')) return null;
  // splitPlusAddress keeps the tag's case; take it from the original spelling.
  const { base, tag } = splitPlusAddress(rcpt.trim().replace(/^<(.*)>$/, '$1').trim());
  const address = addresses.find((a) => a.address === base);
  if (!address) return null;
  return { address, tag: tag ? tag : null };
};

/** True when the address is one of ours, plus-addressed or not. */
export const isSupportAddress = (address: string, addresses: readonly SupportAddress[]): boolean =>
  matchSupportAddress(address, addresses) !== null;

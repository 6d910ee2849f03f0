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
  /**
   * The support address the mail was written to. For a mailbox that only a wildcard entry accepts,
   * this is that mailbox itself (lower-cased, without tag), carrying the wildcard entry's name: the
   * ticket's recipient is the address the customer wrote to, and replies leave from it.
   */
  address: SupportAddress;
  /** What followed the `+` in the recipient's local part (case kept), or null. */
  tag: string | null;
  /** The wildcard entry (`*@domain`) that accepted the mailbox; absent for configured addresses. */
  wildcard?: SupportAddress;
}

/**
 * A wildcard entry `*@support.example.com` accepts every local part at exactly that domain (not
 * its subdomains, not other domains), so it can never turn Mailroom into an open relay.
 */
export const WILDCARD_PREFIX = '*@';

export const isWildcardAddress = (address: string): boolean => address.startsWith(WILDCARD_PREFIX);

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

const DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/**
 * Why a (lower-cased) address cannot be a support address, or null when it can: a mailbox whose
 * local part has no `+` (reserved for ticket tokens), or a wildcard `*@domain` for a domain of at
 * least two labels (`*@com` would claim a whole top-level domain).
 */
export const supportAddressProblem = (address: string): string | null => {
  if (address.length > 254) return 'is too long (at most 254 characters)';
  if (address.includes('+')) return 'cannot contain "+", which is reserved for ticket tokens';
  if (isWildcardAddress(address)) {
    const domain = address.slice(WILDCARD_PREFIX.length);
    if (!DOMAIN.test(domain) || !domain.includes('.')) return 'is not a valid wildcard: use *@ followed by a domain such as *@support.example.com';
    return null;
  }
  if (!SUPPORT_MAILBOX.test(address) || address.split('@')[0].includes('*')) return 'is not a valid email address';
  return null;
};

const parseEntry = (entry: string): { address: string; name: string } => {
  const lt = entry.endsWith('>') ? entry.lastIndexOf('<') : -1;
  const name = lt >= 0 ? unquoteName(entry.slice(0, lt), entry) : '';
  const address = (lt >= 0 ? entry.slice(lt + 1, -1) : entry).trim().toLowerCase();
  if (address.includes('+')) {
    throw new Error(`MAILROOM_SUPPORT_ADDRESSES: "${entry}" contains "+", which is reserved for ticket tokens`);
  }
  if (supportAddressProblem(address) !== null) {
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
    if (result.length === 0 && isWildcardAddress(address)) {
      throw new Error(`MAILROOM_SUPPORT_ADDRESSES: the first entry is the default and sends mail, so it cannot be the wildcard ${address}`);
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
  const exact = isWildcardAddress(base) ? undefined : addresses.find((a) => a.address === base);
  if (exact) return { address: exact, tag: tag ? tag : null };
  // A wildcard accepts plain mailboxes only (no quoted local parts, no `*` of its own).
  if (!SUPPORT_MAILBOX.test(base) || base.slice(0, base.lastIndexOf('@')).includes('*')) return null;
  const domain = base.slice(base.lastIndexOf('@') + 1);
  const wildcard = addresses.find((a) => a.address === WILDCARD_PREFIX + domain);
  if (!wildcard) return null;
  return { address: { address: base, name: wildcard.name, isDefault: false }, tag: tag ? tag : null, wildcard };
};

/** The default support address: it sends mail for tickets that did not arrive at a support address. */
export const defaultSupportAddress = (addresses: readonly SupportAddress[]): SupportAddress | null =>
  addresses.find((a) => a.isDefault && !isWildcardAddress(a.address)) ?? addresses.find((a) => !isWildcardAddress(a.address)) ?? null;

/**
 * The address that sends mail for a ticket with this recipient (Zendesk: "responds from the same
 * address"): the recipient when it is still a support address (also through a wildcard, with the
 * wildcard's name), else the default — a recipient that was removed meanwhile, or none.
 */
export const senderFor = (recipient: string | null, addresses: readonly SupportAddress[]): SupportAddress | null => {
  const match = recipient ? matchSupportAddress(recipient, addresses) : null;
  return match ? match.address : defaultSupportAddress(addresses);
};

/** True when the address is one of ours, plus-addressed or not. */
export const isSupportAddress = (address: string, addresses: readonly SupportAddress[]): boolean =>
  matchSupportAddress(address, addresses) !== null;

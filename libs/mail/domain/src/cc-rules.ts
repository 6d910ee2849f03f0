import { Address, InboundMail, normaliseAddress, normaliseEmail } from './inbound-mail';
import { MAX_EMAIL_CCS } from './participants';
import { isSupportAddress, SupportAddress } from './support-addresses';

/**
 * Which To/Cc addresses of an inbound mail become CCs of its ticket (reference §5.6, §5.5).
 * Supersedes `ccCandidates` in participants.ts, which stays for callers that only need the list.
 */

export type CcDropReason =
  /** not a usable mailbox */
  | 'invalid_address'
  /** one of our support addresses, plus-addressed or not */
  | 'support_address'
  | 'requester'
  /** the mail's own author: writing to yourself does not make you a CC */
  | 'author'
  /** listed twice in this mail */
  | 'duplicate'
  | 'already_cc'
  /** on the account's CC blocklist */
  | 'blocklisted'
  /** the ticket has its {@link MAX_EMAIL_CCS} CCs */
  | 'limit_reached'
  /** the author is not the requester, a CC or an agent: a third party adds nobody */
  | 'author_not_participant';

export interface DroppedCc {
  /** As written in the mail (lower-cased when it was usable). */
  address: string;
  reason: CcDropReason;
}

export interface CcDecision {
  add: Address[];
  dropped: DroppedCc[];
}

export interface CcRulesInput {
  mail: Pick<InboundMail, 'to' | 'cc'>;
  supportAddresses: readonly SupportAddress[];
  /** The ticket's requester (for a new ticket: the mail's sender). */
  requester: Address | string | null;
  /** The mail's author; null when it is the requester. */
  author?: Address | string | null;
  /**
   * Whether the author may add CCs: the requester, a CC or an agent. False for a third party
   * answering a notification someone forwarded them — their reply is private, and neither they
   * nor anyone they copied becomes a CC (reference §5.5).
   */
  authorMayAddCcs: boolean;
  /** The ticket's CCs before this mail (addresses; any case). */
  existingCcs?: readonly string[];
  /** The account's CC blocklist: addresses or domains (`example.com`, `@example.com`), any case. */
  blocklist?: readonly string[];
  /** The most CCs a ticket may have; {@link MAX_EMAIL_CCS} unless told otherwise. */
  limit?: number;
}

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);

/** A blocklist as a test: exact addresses, or whole domains (not their subdomains). */
const blocklistTest = (entries: readonly string[]): ((address: string) => boolean) => {
  const addresses = new Set<string>();
  const domains = new Set<string>();
  for (const raw of entries) {
    const entry = normaliseEmail(raw);
    if (!entry) continue;
    if (entry.startsWith('@')) domains.add(entry.slice(1));
    else if (entry.includes('@')) addresses.add(entry);
    else domains.add(entry);
  }
  return (address) => addresses.has(address) || domains.has(domainOf(address));
};

/**
 * The CCs to add for a mail, and every To/Cc address left out with its reason, in mail order
 * (To, then Cc). An address is added once, lower-cased, with its display name (or local part);
 * the ticket's total never exceeds `limit`, the first addresses winning. Mailroom's support
 * addresses are never CCs, nor the requester, the author or an address already CCed.
 */
export const decideCcs = (input: CcRulesInput): CcDecision => {
  const requester = typeof input.requester === 'string' ? normaliseEmail(input.requester) : (normaliseAddress(input.requester)?.address ?? null);
  const author = typeof input.author === 'string' ? normaliseEmail(input.author) : (normaliseAddress(input.author)?.address ?? null);
  const existing = new Set((input.existingCcs ?? []).map(normaliseEmail));
  const blocked = blocklistTest(input.blocklist ?? []);
  const limit = input.limit ?? MAX_EMAIL_CCS;
  const room = Math.max(0, limit - existing.size);

  const add: Address[] = [];
  const dropped: DroppedCc[] = [];
  const seen = new Set<string>();
  for (const candidate of [...(input.mail.to ?? []), ...(input.mail.cc ?? [])]) {
    const address = normaliseAddress(candidate);
    if (!address) {
      dropped.push({ address: candidate?.address ?? '', reason: 'invalid_address' });
      continue;
    }
    const mailbox = address.address;
    const reason: CcDropReason | null = seen.has(mailbox)
      ? 'duplicate'
      : isSupportAddress(mailbox, input.supportAddresses)
        ? 'support_address'
        : mailbox === requester
          ? 'requester'
          : mailbox === author
            ? 'author'
            : existing.has(mailbox)
              ? 'already_cc'
              : !input.authorMayAddCcs
                ? 'author_not_participant'
                : blocked(mailbox)
                  ? 'blocklisted'
                  : add.length >= room
                    ? 'limit_reached'
                    : null;
    seen.add(mailbox);
    if (reason) dropped.push({ address: mailbox, reason });
    else add.push(address);
  }
  return { add, dropped };
};

/**
 * Parses a blocklist setting as Zendesk writes it: entries separated by spaces, commas or
 * newlines.
 */
export const parseCcBlocklist = (value: string | null | undefined): string[] =>
  (value ?? '')
    .split(/[\s,;]+/)
    .map((e) => e.trim())
    .filter(Boolean);

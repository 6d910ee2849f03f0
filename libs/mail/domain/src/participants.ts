import { Address, InboundMail, normaliseAddress } from './inbound-mail';
import { isSupportAddress, SupportAddress } from './support-addresses';

/** Zendesk's limit of email CCs on a ticket (reference §5.6). */
export const MAX_EMAIL_CCS = 48;

/**
 * Where a new ticket's requester is reached: the first usable Reply-To, else From (reference §5.2:
 * the body is never used). Address lower-cased, name trimmed, the local part when there is no name.
 * Null when neither header holds a usable mailbox.
 *
 * Reply-To is whatever the sender typed: it gives a delivery address, never rights. Who wrote the
 * mail — agent or not, allowed to thread by a subject number, to add CCs, to comment publicly, to
 * run mail commands — is {@link authorOf}, the From address, which sender authentication checks.
 */
export const requesterOf = (mail: Pick<InboundMail, 'from' | 'replyTo'>): Address | null => {
  for (const candidate of mail.replyTo ?? []) {
    const address = normaliseAddress(candidate);
    if (address) return address;
  }
  return normaliseAddress(mail.from);
};

/** Who wrote the mail: its From address only (see {@link requesterOf} for why not Reply-To). */
export const authorOf = (mail: Pick<InboundMail, 'from'>): Address | null => normaliseAddress(mail.from);

/**
 * The people the mail was also sent to, who become CCs of the ticket: every usable address in To
 * and Cc (in that order) that is neither one of our support addresses (also plus-addressed) nor
 * the requester, each once, at most {@link MAX_EMAIL_CCS}.
 */
export const ccCandidates = (
  mail: Pick<InboundMail, 'to' | 'cc'>,
  supportAddresses: readonly SupportAddress[],
  requester: Address | null,
): Address[] => {
  const requesterAddress = normaliseAddress(requester)?.address ?? null;
  const seen = new Set<string>();
  const result: Address[] = [];
  for (const candidate of [...(mail.to ?? []), ...(mail.cc ?? [])]) {
    const address = normaliseAddress(candidate);
    if (!address || seen.has(address.address)) continue;
    seen.add(address.address);
    if (address.address === requesterAddress || isSupportAddress(address.address, supportAddresses)) continue;
    result.push(address);
    if (result.length === MAX_EMAIL_CCS) break;
  }
  return result;
};

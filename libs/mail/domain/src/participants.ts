import { Address, InboundMail, normaliseAddress } from './inbound-mail';
import { isSupportAddress, SupportAddress } from './support-addresses';

/** Zendesk's limit of email CCs on a ticket (reference §5.6). */
export const MAX_EMAIL_CCS = 48;

/**
 * Who the mail is from, for the ticket: the first usable Reply-To, else From (reference §5.2: the
 * body is never used). Address lower-cased, name trimmed, the local part when there is no name.
 * Null when neither header holds a usable mailbox.
 */
export const requesterOf = (mail: Pick<InboundMail, 'from' | 'replyTo'>): Address | null => {
  for (const candidate of mail.replyTo ?? []) {
    const address = normaliseAddress(candidate);
    if (address) return address;
  }
  return normaliseAddress(mail.from);
};

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

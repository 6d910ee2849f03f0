import type { SupportAddress } from '@mailroom/mail-domain';

/**
 * The support addresses in force right now. The SMTP edge and the worker ask it for every mail,
 * so a change (configuration, `/api/v2/recipient_addresses`) applies without a restart.
 */
export interface SupportAddressBook {
  current(): readonly SupportAddress[];
  /** Catches up with changes made since the last refresh (books that follow a table have one). */
  refresh?(): Promise<void>;
}

/** A fixed list, e.g. from `MAILROOM_SUPPORT_ADDRESSES`. */
export const fixedAddressBook = (addresses: readonly SupportAddress[]): SupportAddressBook => ({ current: () => addresses });

/**
 * Support addresses (`/api/v2/recipient_addresses`) live in one stream, so every change has a
 * place in the log and any service can see it and refresh the addresses it accepts and sends from.
 */
export const RECIPIENT_ADDRESSES_STREAM = 'recipient-addresses';

export interface RecipientAddressV1 {
  id: number;
  /** Lower-case mailbox, or a wildcard `*@domain`. */
  email: string;
  name: string;
  default: boolean;
}

export interface RecipientAddressCreatedV1 extends RecipientAddressV1 {
  createdAt: string;
  /** 'configuration' when seeded from MAILROOM_SUPPORT_ADDRESSES, 'api' otherwise. */
  source: 'configuration' | 'api';
}

export interface RecipientAddressUpdatedV1 {
  id: number;
  name?: string;
  /** Only `true` is ever recorded: the previous default's loss of the flag is implied. */
  default?: true;
  updatedAt: string;
}

export interface RecipientAddressDeletedV1 {
  id: number;
  email: string;
  deletedAt: string;
}

export type RecipientAddressEvent =
  | { type: 'recipient_address.created'; data: RecipientAddressCreatedV1 }
  | { type: 'recipient_address.updated'; data: RecipientAddressUpdatedV1 }
  | { type: 'recipient_address.deleted'; data: RecipientAddressDeletedV1 };

import type { Role } from './envelope';

export type UserRole = Exclude<Role, 'system'>;

export interface UserCreatedV1 {
  userId: number;
  name: string;
  email: string | null;
  role: UserRole;
  /** Set when the email's domain belongs to an organization (or given explicitly); absent on older events. */
  organizationId?: number | null;
  createdAt: string;
}

export interface UserUpdatedV1 {
  userId: number;
  name?: string;
  email?: string | null;
  role?: UserRole;
  undeliverable?: boolean;
  organizationId?: number | null;
  updatedAt: string;
}

/**
 * A mail to the user's email bounced (reference §6.5). A hard bounce marks the email undeliverable
 * at once, soft bounces after ten in a row; `user.updated` with `undeliverable: false` (an agent)
 * marks it deliverable again and starts the count anew.
 */
export interface UserEmailBouncedV1 {
  userId: number;
  email: string;
  permanent: boolean;
  status: string | null;
  diagnostic: string | null;
  /** Soft bounces since the email was last marked deliverable (this one included; a hard bounce leaves it as it was). */
  softBounces: number;
  /** Whether the email is undeliverable after this bounce. */
  undeliverable: boolean;
  /** The ticket the bounced mail was about, when known. */
  ticketId: number | null;
  mailId: string;
  bouncedAt: string;
  /** The Message-ID of the mail that bounced (absent in events recorded before it was kept). */
  originalMessageId?: string | null;
}

export type UserEvent =
  | { type: 'user.created'; data: UserCreatedV1 }
  | { type: 'user.updated'; data: UserUpdatedV1 }
  | { type: 'user.email_bounced'; data: UserEmailBouncedV1 };

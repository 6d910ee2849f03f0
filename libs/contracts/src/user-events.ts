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

/** What a user event says of the person, as the services' projections keep them. */
export interface PersonPatch {
  id: number;
  name?: string;
  email?: string | null;
  role?: UserRole;
  undeliverable?: boolean;
  organizationId?: number | null;
}

export type PersonField = Exclude<keyof PersonPatch, 'id'>;

/** Who someone is, for the services that only address people (rules, scheduler). */
export const IDENTITY_FIELDS: readonly PersonField[] = ['name', 'email', 'role'];

/**
 * The fields a user event changes (only those it carries, of those asked for), for the services
 * that keep their own view of people and merge it in stream order; null for an event that says
 * nothing of them. A bounce changes only whether the email is deliverable.
 */
export const personPatchOf = (
  e: { type: string; data: unknown },
  fields: readonly PersonField[] = ['name', 'email', 'role', 'undeliverable', 'organizationId'],
): PersonPatch | null => {
  let d: Partial<Record<PersonField, unknown>> & { userId: number };
  if (e.type === 'user.email_bounced') {
    const b = e.data as UserEmailBouncedV1;
    d = { userId: b.userId, undeliverable: b.undeliverable };
  } else if (e.type === 'user.created' || e.type === 'user.updated') {
    d = e.data as UserCreatedV1 & UserUpdatedV1;
  } else return null;
  const patch: Record<string, unknown> = { id: d.userId };
  let any = false;
  for (const f of fields) {
    if (d[f] === undefined) continue;
    patch[f] = d[f];
    any = true;
  }
  return any || e.type !== 'user.email_bounced' ? (patch as unknown as PersonPatch) : null;
};

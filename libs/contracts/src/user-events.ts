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

export type UserEvent =
  | { type: 'user.created'; data: UserCreatedV1 }
  | { type: 'user.updated'; data: UserUpdatedV1 };

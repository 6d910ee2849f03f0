import type { Role } from './envelope';

export type UserRole = Exclude<Role, 'system'>;

export interface UserCreatedV1 {
  userId: number;
  name: string;
  email: string | null;
  role: UserRole;
  createdAt: string;
}

export interface UserUpdatedV1 {
  userId: number;
  name?: string;
  email?: string | null;
  role?: UserRole;
  undeliverable?: boolean;
  updatedAt: string;
}

export type UserEvent =
  | { type: 'user.created'; data: UserCreatedV1 }
  | { type: 'user.updated'; data: UserUpdatedV1 };

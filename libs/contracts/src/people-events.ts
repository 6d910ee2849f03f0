/**
 * Groups, their memberships and organizations (Zendesk's `/api/v2/groups`, `/group_memberships`,
 * `/organizations`). Each group is one stream holding its memberships too, so the members of a
 * group are the state of one stream (ordered, checked with its version); each organization is one
 * stream. The events carry everything a projection needs (rules: `notification_group` recipients,
 * `organization_id` conditions; notifier: group and organization names).
 */
export const groupStreamId = (groupId: number): string => `group-${groupId}`;
export const organizationStreamId = (organizationId: number): string => `organization-${organizationId}`;

export interface GroupCreatedV1 {
  groupId: number;
  name: string;
  description: string;
  /** The account's default group (exactly one while any group exists). */
  isDefault: boolean;
  createdAt: string;
}

export interface GroupUpdatedV1 {
  groupId: number;
  name?: string;
  description?: string;
  isDefault?: boolean;
  updatedAt: string;
}

export interface GroupDeletedV1 {
  groupId: number;
  /** The group's memberships end first, each with its own group_membership.deleted in the same update. */
  deletedAt: string;
}

export interface GroupMembershipCreatedV1 {
  membershipId: number;
  groupId: number;
  userId: number;
  /** The user's default group (their first membership is). */
  isDefault: boolean;
  createdAt: string;
}

export interface GroupMembershipDeletedV1 {
  membershipId: number;
  groupId: number;
  userId: number;
  deletedAt: string;
}

/** A membership became, or stopped being, its user's default group (one default per agent). */
export interface GroupMembershipDefaultChangedV1 {
  membershipId: number;
  groupId: number;
  userId: number;
  isDefault: boolean;
  updatedAt: string;
}

export interface OrganizationCreatedV1 {
  organizationId: number;
  name: string;
  /** Lower-case email domains; new users with an address at one of them join the organization. */
  domainNames: string[];
  details: string;
  notes: string;
  tags: string[];
  sharedTickets: boolean;
  sharedComments: boolean;
  groupId: number | null;
  externalId: string | null;
  createdAt: string;
}

export interface OrganizationUpdatedV1 {
  organizationId: number;
  name?: string;
  domainNames?: string[];
  details?: string;
  notes?: string;
  tags?: string[];
  sharedTickets?: boolean;
  sharedComments?: boolean;
  groupId?: number | null;
  externalId?: string | null;
  updatedAt: string;
}

export interface OrganizationDeletedV1 {
  organizationId: number;
  deletedAt: string;
}

export type GroupEvent =
  | { type: 'group.created'; data: GroupCreatedV1 }
  | { type: 'group.updated'; data: GroupUpdatedV1 }
  | { type: 'group.deleted'; data: GroupDeletedV1 }
  | { type: 'group_membership.created'; data: GroupMembershipCreatedV1 }
  | { type: 'group_membership.deleted'; data: GroupMembershipDeletedV1 }
  | { type: 'group_membership.default_changed'; data: GroupMembershipDefaultChangedV1 };

export type OrganizationEvent =
  | { type: 'organization.created'; data: OrganizationCreatedV1 }
  | { type: 'organization.updated'; data: OrganizationUpdatedV1 }
  | { type: 'organization.deleted'; data: OrganizationDeletedV1 };

export type PeopleEvent = GroupEvent | OrganizationEvent;

export const PEOPLE_EVENT_TYPES: readonly PeopleEvent['type'][] = [
  'group.created',
  'group.updated',
  'group.deleted',
  'group_membership.created',
  'group_membership.deleted',
  'group_membership.default_changed',
  'organization.created',
  'organization.updated',
  'organization.deleted',
];

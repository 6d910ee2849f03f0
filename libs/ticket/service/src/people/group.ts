import type { GroupEvent } from '@mailroom/contracts';

/**
 * A group and its memberships as one aggregate (one stream): decide what a change records, evolve
 * the state from the events. Pure; ids and time are passed in.
 */

export interface GroupMember {
  membershipId: number;
  userId: number;
  isDefault: boolean;
}

export interface GroupState {
  exists: boolean;
  id: number;
  name: string;
  description: string;
  isDefault: boolean;
  deleted: boolean;
  members: GroupMember[];
}

export const initialGroupState = (): GroupState => ({ exists: false, id: 0, name: '', description: '', isDefault: false, deleted: false, members: [] });

export const evolveGroup = (s: GroupState, e: GroupEvent): GroupState => {
  switch (e.type) {
    case 'group.created':
      return { exists: true, id: e.data.groupId, name: e.data.name, description: e.data.description, isDefault: e.data.isDefault, deleted: false, members: [] };
    case 'group.updated':
      return {
        ...s,
        name: e.data.name ?? s.name,
        description: e.data.description ?? s.description,
        isDefault: e.data.isDefault ?? s.isDefault,
      };
    case 'group.deleted':
      return { ...s, deleted: true, isDefault: false, members: [] };
    case 'group_membership.created':
      return { ...s, members: [...s.members, { membershipId: e.data.membershipId, userId: e.data.userId, isDefault: e.data.isDefault }] };
    case 'group_membership.deleted':
      return { ...s, members: s.members.filter((m) => m.membershipId !== e.data.membershipId) };
    case 'group_membership.default_changed':
      return { ...s, members: s.members.map((m) => (m.membershipId === e.data.membershipId ? { ...m, isDefault: e.data.isDefault } : m)) };
    default: {
      const _exhaustive: never = e;
      return _exhaustive;
    }
  }
};

/** A refusal, named by the field Zendesk would name in a 422. */
export interface FieldError {
  field: string;
  description: string;
}

export type Decided<T> = { ok: true; value: T } | { ok: false; error: FieldError };

const ok = <T>(value: T): Decided<T> => ({ ok: true, value });
const fail = (field: string, description: string): Decided<never> => ({ ok: false, error: { field, description } });

export interface GroupInput {
  name?: string;
  description?: string;
  default?: boolean;
}

export const MAX_GROUP_NAME = 255;
export const MAX_DESCRIPTION = 1000;

/** Validates `{group: {...}}` as sent to POST (all required fields) or PUT (any subset). */
export const parseGroupInput = (raw: unknown, creating: boolean): Decided<GroupInput> => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return fail('base', 'The body must be {"group": {...}}');
  const g = raw as Record<string, unknown>;
  const out: GroupInput = {};
  if (g.name !== undefined || creating) {
    if (typeof g.name !== 'string' || !g.name.trim()) return fail('name', 'Name: cannot be blank');
    if (g.name.trim().length > MAX_GROUP_NAME) return fail('name', `Name: is too long (maximum is ${MAX_GROUP_NAME} characters)`);
    out.name = g.name.trim();
  }
  if (g.description !== undefined && g.description !== null) {
    if (typeof g.description !== 'string') return fail('description', 'Description: must be text');
    if (g.description.length > MAX_DESCRIPTION) return fail('description', `Description: is too long (maximum is ${MAX_DESCRIPTION} characters)`);
    out.description = g.description;
  } else if (g.description === null) out.description = '';
  if (g.default !== undefined) {
    if (typeof g.default !== 'boolean') return fail('default', 'Default: must be true or false');
    out.default = g.default;
  }
  return ok(out);
};

/**
 * The events of an update to a group. Making a group the default is recorded on it; taking the
 * flag away from the previous default is the caller's second append (another stream).
 */
export const decideGroupUpdate = (s: GroupState, input: GroupInput, now: string): Decided<GroupEvent[]> => {
  if (!s.exists || s.deleted) return fail('base', 'RecordNotFound');
  if (input.default === false && s.isDefault) return fail('default', 'Default: the account needs a default group; make another group the default instead');
  const data: { groupId: number; name?: string; description?: string; isDefault?: boolean; updatedAt: string } = { groupId: s.id, updatedAt: now };
  if (input.name !== undefined && input.name !== s.name) data.name = input.name;
  if (input.description !== undefined && input.description !== s.description) data.description = input.description;
  if (input.default === true && !s.isDefault) data.isDefault = true;
  if (Object.keys(data).length === 2) return ok([]);
  return ok([{ type: 'group.updated', data }]);
};

/** Deleting a group ends its memberships first, in the same update. The default group stays. */
export const decideGroupDelete = (s: GroupState, now: string): Decided<GroupEvent[]> => {
  if (!s.exists || s.deleted) return fail('base', 'RecordNotFound');
  if (s.isDefault) return fail('base', 'The default group cannot be deleted; make another group the default first');
  return ok([
    ...s.members.map((m): GroupEvent => ({ type: 'group_membership.deleted', data: { membershipId: m.membershipId, groupId: s.id, userId: m.userId, deletedAt: now } })),
    { type: 'group.deleted', data: { groupId: s.id, deletedAt: now } },
  ]);
};

export type MembershipDecision = { created: true; events: GroupEvent[] } | { created: false; existing: GroupMember };

/**
 * Adding an agent to a group. A second request for the same pair is refused by Zendesk; the
 * caller decides how to answer (`existing` says which membership it is). `hasOtherMemberships`:
 * the user's first membership becomes their default.
 */
export const decideAddMember = (
  s: GroupState,
  input: { userId: number; userRole: string; membershipId: number; hasOtherMemberships: boolean },
  now: string,
): Decided<MembershipDecision> => {
  if (!s.exists || s.deleted) return fail('group_id', 'Group: does not exist');
  if (input.userRole === 'end_user') return fail('user_id', 'User: must be an agent or an admin to be in a group');
  const existing = s.members.find((m) => m.userId === input.userId);
  if (existing) return ok({ created: false, existing });
  return ok({
    created: true,
    events: [
      {
        type: 'group_membership.created',
        data: { membershipId: input.membershipId, groupId: s.id, userId: input.userId, isDefault: !input.hasOtherMemberships, createdAt: now },
      },
    ],
  });
};

export const decideRemoveMember = (s: GroupState, membershipId: number, now: string): Decided<GroupEvent[]> => {
  const m = s.members.find((x) => x.membershipId === membershipId);
  if (!s.exists || !m) return fail('base', 'RecordNotFound');
  return ok([{ type: 'group_membership.deleted', data: { membershipId, groupId: s.id, userId: m.userId, deletedAt: now } }]);
};

/** Makes a membership its user's default group or not; nothing when it already is what is asked. */
export const decideMembershipDefault = (s: GroupState, membershipId: number, isDefault: boolean, now: string): Decided<GroupEvent[]> => {
  const m = s.members.find((x) => x.membershipId === membershipId);
  if (!m) return fail('id', 'GroupMembership: not found');
  if (m.isDefault === isDefault) return ok([]);
  return ok([{ type: 'group_membership.default_changed', data: { membershipId, groupId: s.id, userId: m.userId, isDefault, updatedAt: now } }]);
};

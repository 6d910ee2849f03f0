import type { Person } from '@mailroom/rules-domain';

/** One group as the rules see it (rules.groups). */
export interface GroupMembers {
  members: number[];
  /** Members whose default group this is. */
  defaults: number[];
}

/**
 * The agents' groups and default group, from the rules' view of the memberships: the system rules
 * keep an assignee consistent with the ticket's group and bring an assignee's default group.
 */
export const withGroups = (people: Map<number, Person>, groups: Map<number, GroupMembers>): Map<number, Person> => {
  const out = new Map<number, Person>();
  for (const [id, p] of people) out.set(id, p.role === 'end_user' ? p : { ...p, groupIds: [] });
  for (const [groupId, g] of [...groups].sort(([a], [b]) => a - b)) {
    for (const id of g.members) out.get(id)?.groupIds?.push(groupId);
    for (const id of g.defaults) {
      const p = out.get(id);
      if (p && p.role !== 'end_user' && p.defaultGroupId === undefined) out.set(id, { ...p, defaultGroupId: groupId });
    }
  }
  return out;
};

import type { Person } from '@mailroom/rules-domain';
import { withGroups } from './agent-groups';

const person = (id: number, role: Person['role']): Person => ({ id, name: `P${id}`, email: `p${id}@x.test`, role });

describe('agents’ groups for the system rules', () => {
  it('gives each agent the groups they are in and the one that is their default; end users get none', () => {
    const people = new Map([1, 2, 3].map((id) => [id, person(id, id === 3 ? 'end_user' : 'agent')]));
    const groups = new Map([
      [20, { members: [1, 2], defaults: [2] }],
      [10, { members: [1, 3], defaults: [1, 3] }],
    ]);
    const out = withGroups(people, groups);
    expect(out.get(1)).toMatchObject({ groupIds: [10, 20], defaultGroupId: 10 });
    expect(out.get(2)).toMatchObject({ groupIds: [20], defaultGroupId: 20 });
    expect(out.get(3)).toEqual(person(3, 'end_user'));
    // The input is left as it was.
    expect(people.get(1)).toEqual(person(1, 'agent'));
  });

  it('an agent in no group has an empty list, which the rules read as "in none"', () => {
    expect(withGroups(new Map([[5, person(5, 'admin')]]), new Map()).get(5)).toEqual({ ...person(5, 'admin'), groupIds: [] });
  });
});

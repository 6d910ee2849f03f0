import type { Person } from '@mailroom/scheduler-domain';
import { cycleDirectory, groupsOfStaff } from './automation-cycle';

const person = (id: number, role: Person['role'], email: string | null = `user${id}@mailroom.test`): Person => ({ id, name: `User ${id}`, email, role });

describe("the cycle's directory: who automations may email", () => {
  const staff = new Map([person(10, 'admin'), person(21, 'agent'), person(22, 'agent', null), person(23, 'agent')].map((p) => [p.id, p]));

  it("gives each group its agents as the staff has them, in membership order; members not projected (or not agents) are left out", () => {
    const groups = groupsOfStaff(
      new Map([
        [5, [22, 21, 29]],
        [6, [1]],
        [7, []],
      ]),
      new Map([...staff, [1, person(1, 'end_user')]]),
    );
    expect([...groups].map(([id, members]) => [id, members.map((p) => p.id)])).toEqual([
      [5, [22, 21]],
      [6, []],
      [7, []],
    ]);
  });

  it('answers group members, undefined for a group it does not know, and people of the batch before the staff', () => {
    const requester = person(1, 'end_user');
    const directory = cycleDirectory(new Map([[1, requester]]), staff, groupsOfStaff(new Map([[5, [21, 23]]]), staff));
    expect(directory.groupMembers?.(5)?.map((p) => p.id)).toEqual([21, 23]);
    expect(directory.groupMembers?.(8)).toBeUndefined();
    expect(directory.person(1)).toBe(requester);
    expect(directory.person(21)).toBe(staff.get(21));
    expect(directory.person(99)).toBeUndefined();
    expect(directory.agents().map((p) => p.id)).toEqual([10, 21, 22, 23]);
    // A copy each time: the domain cannot change the cycle's shared list.
    directory.groupMembers?.(5)?.pop();
    expect(directory.groupMembers?.(5)).toHaveLength(2);
  });
});

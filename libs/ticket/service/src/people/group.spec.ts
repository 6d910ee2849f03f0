import type { GroupEvent } from '@mailroom/contracts';
import { decideAddMember, decideGroupDelete, decideGroupUpdate, decideMembershipDefault, decideRemoveMember, evolveGroup, initialGroupState, parseGroupInput, type GroupState } from './group';

const NOW = '2026-12-01T10:00:00.000Z';
const fold = (events: GroupEvent[]): GroupState => events.reduce(evolveGroup, initialGroupState());
const created = (isDefault = false): GroupEvent => ({ type: 'group.created', data: { groupId: 7, name: 'Billing', description: '', isDefault, createdAt: NOW } });
const joined = (membershipId: number, userId: number): GroupEvent => ({ type: 'group_membership.created', data: { membershipId, groupId: 7, userId, isDefault: true, createdAt: NOW } });

describe('group input', () => {
  it('needs a name to create a group, and trims it', () => {
    expect(parseGroupInput({ description: 'x' }, true)).toEqual({ ok: false, error: { field: 'name', description: 'Name: cannot be blank' } });
    expect(parseGroupInput({ name: '  Billing ' }, true)).toEqual({ ok: true, value: { name: 'Billing' } });
  });

  it('lets an update change only what it names', () => {
    expect(parseGroupInput({ description: 'Invoices' }, false)).toEqual({ ok: true, value: { description: 'Invoices' } });
  });

  it('refuses a non-boolean default, an over-long name and a body that is not an object', () => {
    expect(parseGroupInput({ name: 'a', default: 'yes' }, true)).toMatchObject({ ok: false, error: { field: 'default' } });
    expect(parseGroupInput({ name: 'a'.repeat(256) }, true)).toMatchObject({ ok: false, error: { field: 'name' } });
    expect(parseGroupInput('Billing', true)).toMatchObject({ ok: false, error: { field: 'base' } });
  });
});

describe('a group and its members', () => {
  it('adds an agent, making a first membership their default', () => {
    const d = decideAddMember(fold([created()]), { userId: 3, userRole: 'agent', membershipId: 11, hasOtherMemberships: false }, NOW);
    expect(d).toEqual({ ok: true, value: { created: true, events: [joined(11, 3)] } });
    const second = decideAddMember(fold([created()]), { userId: 3, userRole: 'agent', membershipId: 12, hasOtherMemberships: true }, NOW);
    expect(second.ok && second.value.created && second.value.events[0].data).toMatchObject({ isDefault: false });
  });

  it('refuses end users and tells the caller about a membership that exists', () => {
    expect(decideAddMember(fold([created()]), { userId: 3, userRole: 'end_user', membershipId: 11, hasOtherMemberships: false }, NOW)).toMatchObject({ ok: false, error: { field: 'user_id' } });
    const again = decideAddMember(fold([created(), joined(11, 3)]), { userId: 3, userRole: 'agent', membershipId: 12, hasOtherMemberships: true }, NOW);
    expect(again).toEqual({ ok: true, value: { created: false, existing: { membershipId: 11, userId: 3, isDefault: true } } });
  });

  it('makes a membership the default or not, records nothing when it already is, and refuses one it does not hold', () => {
    const s = fold([created(), joined(11, 3)]);
    const off = decideMembershipDefault(s, 11, false, NOW);
    expect(off).toEqual({ ok: true, value: [{ type: 'group_membership.default_changed', data: { membershipId: 11, groupId: 7, userId: 3, isDefault: false, updatedAt: NOW } }] });
    const after = fold([created(), joined(11, 3), ...(off as { value: GroupEvent[] }).value]);
    expect(after.members).toEqual([{ membershipId: 11, userId: 3, isDefault: false }]);
    expect(decideMembershipDefault(after, 11, false, NOW)).toEqual({ ok: true, value: [] });
    expect(decideMembershipDefault(s, 99, true, NOW)).toMatchObject({ ok: false, error: { field: 'id' } });
  });

  it('removes a membership by id and refuses one it does not hold', () => {
    const s = fold([created(), joined(11, 3)]);
    expect(decideRemoveMember(s, 11, NOW)).toEqual({ ok: true, value: [{ type: 'group_membership.deleted', data: { membershipId: 11, groupId: 7, userId: 3, deletedAt: NOW } }] });
    expect(fold([created(), joined(11, 3), ...(decideRemoveMember(s, 11, NOW) as { value: GroupEvent[] }).value]).members).toEqual([]);
    expect(decideRemoveMember(s, 99, NOW).ok).toBe(false);
  });

  it('records only what an update changes, and nothing when nothing changes', () => {
    const s = fold([created()]);
    expect(decideGroupUpdate(s, { name: 'Billing', description: 'Invoices' }, NOW)).toEqual({ ok: true, value: [{ type: 'group.updated', data: { groupId: 7, description: 'Invoices', updatedAt: NOW } }] });
    expect(decideGroupUpdate(s, { name: 'Billing' }, NOW)).toEqual({ ok: true, value: [] });
  });

  it('keeps a default group: it cannot be un-defaulted or deleted, only replaced', () => {
    const s = fold([created(true)]);
    expect(decideGroupUpdate(s, { default: false }, NOW)).toMatchObject({ ok: false, error: { field: 'default' } });
    expect(decideGroupDelete(s, NOW).ok).toBe(false);
    expect(decideGroupUpdate(fold([created(false)]), { default: true }, NOW)).toMatchObject({ ok: true, value: [{ data: { isDefault: true } }] });
  });

  it('ends every membership when the group is deleted, before the deletion itself', () => {
    const d = decideGroupDelete(fold([created(), joined(11, 3), joined(12, 4)]), NOW);
    expect(d.ok && d.value.map((e) => e.type)).toEqual(['group_membership.deleted', 'group_membership.deleted', 'group.deleted']);
    const after = fold([created(), joined(11, 3), joined(12, 4), ...(d.ok ? d.value : [])]);
    expect(after).toMatchObject({ deleted: true, members: [] });
    expect(decideAddMember(after, { userId: 5, userRole: 'agent', membershipId: 13, hasOtherMemberships: false }, NOW)).toMatchObject({ ok: false, error: { field: 'group_id' } });
  });
});

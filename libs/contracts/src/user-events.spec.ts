import { IDENTITY_FIELDS, personPatchOf } from './user-events';

describe('personPatchOf: what a user event says of the person', () => {
  const created = { type: 'user.created', data: { userId: 7, name: 'Jane', email: 'jane@example.test', role: 'end_user', organizationId: 3, createdAt: '2026-12-01T00:00:00Z' } };

  it('carries every field a creation names, and only the identity fields when asked for those', () => {
    expect(personPatchOf(created)).toEqual({ id: 7, name: 'Jane', email: 'jane@example.test', role: 'end_user', organizationId: 3 });
    expect(personPatchOf(created, IDENTITY_FIELDS)).toEqual({ id: 7, name: 'Jane', email: 'jane@example.test', role: 'end_user' });
  });

  it('carries only what an update changes, an emptied email included', () => {
    expect(personPatchOf({ type: 'user.updated', data: { userId: 7, email: null, updatedAt: 'x' } })).toEqual({ id: 7, email: null });
    expect(personPatchOf({ type: 'user.updated', data: { userId: 7, undeliverable: false, updatedAt: 'x' } }, IDENTITY_FIELDS)).toEqual({ id: 7 });
  });

  it('reads a bounce as deliverability only, and nothing for those who do not keep it', () => {
    const bounce = { type: 'user.email_bounced', data: { userId: 7, email: 'jane@example.test', permanent: true, undeliverable: true } };
    expect(personPatchOf(bounce)).toEqual({ id: 7, undeliverable: true });
    expect(personPatchOf(bounce, IDENTITY_FIELDS)).toBeNull();
  });

  it('says nothing of other events', () => {
    expect(personPatchOf({ type: 'group.created', data: { groupId: 1 } })).toBeNull();
  });
});

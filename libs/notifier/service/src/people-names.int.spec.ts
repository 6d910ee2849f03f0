import { randomUUID } from 'node:crypto';
import type { Message } from '@mailroom/contracts';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { applyPeopleNameEvent, loadPeopleNames, NamesOutOfOrder } from './people-names';

/** The notifier's group and organization names on a real PostgreSQL, applied in stream order. */
describe('notifier group and organization names', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.drop());

  let position = 0;
  const message = (type: string, streamId: string, streamVersion: number, data: Record<string, unknown>): Message => ({
    id: randomUUID(),
    kind: 'event',
    type,
    schemaVersion: 1,
    streamId,
    streamVersion,
    globalPosition: String(++position),
    data,
    metadata: { occurredAt: '2026-11-25T10:00:00.000Z' } as Message['metadata'],
  });
  const apply = (m: Message) => database.db.transaction((tx) => applyPeopleNameEvent(tx, m));
  const names = (groupId: number | null, orgIds: number[] = []) => database.db.transaction((tx) => loadPeopleNames(tx, 1, groupId, orgIds));

  it('follows a group through renames and memberships, and keeps the name once it is deleted', async () => {
    await apply(message('group.created', 'group-5', 1, { groupId: 5, name: 'Support', description: '', isDefault: true, createdAt: '' }));
    await apply(message('group_membership.created', 'group-5', 2, { membershipId: 1, groupId: 5, userId: 9, isDefault: true, createdAt: '' }));
    await apply(message('group.updated', 'group-5', 3, { groupId: 5, name: 'Second line', updatedAt: '' }));
    expect((await names(5)).groupName).toBe('Second line');
    // A redelivered older event changes nothing.
    await apply(message('group.created', 'group-5', 1, { groupId: 5, name: 'Support', description: '', isDefault: true, createdAt: '' }));
    expect((await names(5)).groupName).toBe('Second line');
    await apply(message('group.deleted', 'group-5', 4, { groupId: 5, deletedAt: '' }));
    expect((await names(5)).groupName).toBe('Second line');
    expect((await names(null)).groupName).toBeNull();
  });

  it('waits for an earlier event of the stream rather than skipping it', async () => {
    await expect(apply(message('group.updated', 'group-6', 2, { groupId: 6, name: 'Later', updatedAt: '' }))).rejects.toBeInstanceOf(NamesOutOfOrder);
    // A ticket in a group the notifier has not heard of yet is retried, not rendered with an empty name.
    await expect(names(6)).rejects.toBeInstanceOf(NamesOutOfOrder);
  });

  it('merges organization changes and answers them as placeholders show them', async () => {
    await apply(message('organization.created', 'organization-3', 1, { organizationId: 3, name: 'Acme Corp', domainNames: ['acme.example'], details: 'HQ', notes: '', tags: ['vip'], sharedTickets: false, sharedComments: false, groupId: null, externalId: null, createdAt: '' }));
    await apply(message('organization.updated', 'organization-3', 2, { organizationId: 3, notes: 'Key account', updatedAt: '' }));
    const { organization } = await names(null, [3]);
    expect(organization(3)).toEqual({ id: 3, name: 'Acme Corp', details: 'HQ', notes: 'Key account', tags: ['vip'], isShared: false, isSharedComments: false, externalId: null });
    expect(organization(null)).toBeNull();
    await expect(names(null, [4])).rejects.toBeInstanceOf(NamesOutOfOrder);
  });
});

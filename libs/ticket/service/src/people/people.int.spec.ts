import type { Actor, Message } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { Users } from '../users/users';
import { GroupsService, PeopleInputError } from './groups-service';
import { OrganizationsService } from './organizations-service';
import { applyToReadModel } from '../read-model/ticket-projection';
import { applyPeopleEvents, resetPeopleReadModel } from './people-projection';

const NOW = '2026-12-01T10:00:00.000Z';
const ADMIN: Actor = { userId: 1, role: 'admin' };

/** The people services on real PostgreSQL: uniqueness under concurrency, user mapping, rebuilds. */
describe('groups and organizations on PostgreSQL', () => {
  let t: TestDatabase;
  const store = new EventStore();
  const users = new Users(store);
  const groups = new GroupsService(store);
  const orgs = new OrganizationsService(store, users);

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.drop());

  const snapshot = async () => ({
    groups: await t.db.query(`SELECT id, version, deleted, is_default, data FROM ticket.groups ORDER BY id`),
    memberships: await t.db.query(`SELECT id, group_id, user_id, data FROM ticket.group_memberships ORDER BY id`),
    organizations: await t.db.query(`SELECT id, version, deleted, data FROM ticket.organizations ORDER BY id`),
  });

  it('lets only one of two concurrent requests add the same agent to a group', async () => {
    const agent = (await t.db.transaction((tx) => users.create(tx, { name: 'Ann', email: 'ann@mailroom.test', role: 'agent' }, ADMIN, NOW))).user;
    const g = await t.db.transaction((tx) => groups.create(tx, { name: 'Race' }, ADMIN, NOW));
    const results = await Promise.allSettled([1, 2].map(() => t.db.transaction((tx) => groups.addMember(tx, { userId: agent.id, groupId: g.id }, ADMIN, NOW))));
    // The loser either saw the first membership or lost the stream version (and would be retried).
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await groups.membershipsOfUser(t.db, agent.id)).length).toBe(1);
    const again = await t.db.transaction((tx) => groups.addMember(tx, { userId: agent.id, groupId: g.id }, ADMIN, NOW)).catch((e) => e);
    expect(again).toBeInstanceOf(PeopleInputError);
  });

  it('lets only one of two concurrent organizations claim a domain', async () => {
    const results = await Promise.allSettled(['One', 'Two'].map((name) => t.db.transaction((tx) => orgs.create(tx, { name, domainNames: ['shared.test'] }, ADMIN, NOW))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const owner = await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.organization_domains WHERE domain = 'shared.test'`);
    expect(Number(owner[0].n)).toBe(1);
  });

  it('maps a new user by domain, and frees a removed domain for another organization', async () => {
    const acme = await t.db.transaction((tx) => orgs.create(tx, { name: 'Acme', domainNames: ['acme.test'] }, ADMIN, NOW));
    const jo = (await t.db.transaction((tx) => users.create(tx, { email: 'Jo@ACME.test', role: 'end_user' }, ADMIN, NOW))).user;
    expect(jo.organization_id).toBe(acme.id);
    await t.db.transaction((tx) => orgs.update(tx, acme.id, { domainNames: [] }, ADMIN, NOW));
    const other = await t.db.transaction((tx) => orgs.create(tx, { name: 'Acme 2', domainNames: ['acme.test'] }, ADMIN, NOW));
    expect((await t.db.transaction((tx) => users.create(tx, { email: 'kim@acme.test', role: 'end_user' }, ADMIN, NOW))).user.organization_id).toBe(other.id);
    // Jo keeps the organization they were mapped to.
    expect((await users.byId(t.db, jo.id))?.organization_id).toBe(acme.id);
  });

  it('rebuilds the same read models from the log, and a replay changes nothing', async () => {
    const g = await t.db.transaction((tx) => groups.create(tx, { name: 'Rebuilt', description: 'x' }, ADMIN, NOW));
    await t.db.transaction((tx) => groups.update(tx, g.id, { default: true }, ADMIN, NOW));
    const gone = await t.db.transaction((tx) => groups.create(tx, { name: 'Gone' }, ADMIN, NOW));
    await t.db.transaction((tx) => groups.delete(tx, gone.id, ADMIN, NOW));
    const before = await snapshot();

    // Stream by stream (the order a projection relies on); readAll would also wait for unrelated
    // transactions of the whole cluster, which other suites may hold open.
    const streams = await t.db.query<{ stream_id: string }>(`SELECT stream_id FROM mailroom_events.streams WHERE stream_type IN ('group', 'organization') ORDER BY stream_id`);
    const all: Message[] = [];
    for (const { stream_id } of streams) all.push(...(await store.readStream(t.db, stream_id)));
    expect(all.length).toBeGreaterThan(10);
    await t.db.transaction(async (tx) => {
      await resetPeopleReadModel(tx);
      await applyPeopleEvents(tx, all);
    });
    expect(await snapshot()).toEqual(before);
    await t.db.transaction((tx) => applyPeopleEvents(tx, all));
    expect(await snapshot()).toEqual(before);
    expect((await snapshot()).groups.filter((r) => (r as { is_default: boolean }).is_default)).toHaveLength(1);
  });

  it('a late replay of older user events (the read-model processor behind the API) never undoes a later change', async () => {
    const globex = await t.db.transaction((tx) => orgs.create(tx, { name: 'Globex' }, ADMIN, NOW));
    const sam = (await t.db.transaction((tx) => users.create(tx, { name: 'Sam', email: 'sam@globex.test', role: 'end_user' }, ADMIN, NOW))).user;
    await t.db.transaction((tx) => users.update(tx, sam.id, { organizationId: globex.id }, ADMIN, NOW));
    await t.db.transaction((tx) => orgs.delete(tx, globex.id, ADMIN, NOW));
    expect((await users.byId(t.db, sam.id))?.organization_id).toBeNull();

    // The processor now follows the log: the user's stream from the start, then the first two again.
    const stream = await store.readStream(t.db, `user-${sam.id}`);
    expect(stream.map((m) => m.type)).toEqual(['user.created', 'user.updated', 'user.updated']);
    await t.db.transaction((tx) => applyToReadModel(tx, stream.slice(0, 2)));
    expect((await users.byId(t.db, sam.id))?.organization_id).toBeNull();
    await t.db.transaction((tx) => applyToReadModel(tx, stream));
    const [row] = await t.db.query<{ version: string; data: { organization_id: number | null } }>(`SELECT version, data FROM ticket.users WHERE id = $1`, [sam.id]);
    expect({ version: Number(row.version), organization: row.data.organization_id }).toEqual({ version: 3, organization: null });
  });

  it('keeps one default membership per agent: make_default moves it, and it moves on when the default membership ends', async () => {
    const ida = (await t.db.transaction((tx) => users.create(tx, { name: 'Ida', email: 'ida@mailroom.test', role: 'agent' }, ADMIN, NOW))).user;
    const a = await t.db.transaction((tx) => groups.create(tx, { name: 'Alpha' }, ADMIN, NOW));
    const b = await t.db.transaction((tx) => groups.create(tx, { name: 'Bravo' }, ADMIN, NOW));
    const c = await t.db.transaction((tx) => groups.create(tx, { name: 'Charlie' }, ADMIN, NOW));
    const ma = await t.db.transaction((tx) => groups.addMember(tx, { userId: ida.id, groupId: a.id }, ADMIN, NOW));
    await t.db.transaction((tx) => groups.addMember(tx, { userId: ida.id, groupId: b.id }, ADMIN, NOW));
    const mc = await t.db.transaction((tx) => groups.addMember(tx, { userId: ida.id, groupId: c.id }, ADMIN, NOW));
    const defaults = async () => (await groups.membershipsOfUser(t.db, ida.id)).filter((m) => m.default).map((m) => m.group_id);
    expect(await defaults()).toEqual([a.id]);

    const after = await t.db.transaction((tx) => groups.makeDefault(tx, ida.id, mc.id, ADMIN, NOW));
    expect(after?.map((m) => [m.group_id, m.default])).toEqual([
      [a.id, false],
      [b.id, false],
      [c.id, true],
    ]);
    expect(await t.db.transaction((tx) => groups.makeDefault(tx, ida.id, 999999, ADMIN, NOW))).toBeNull();

    // The default membership ends: the oldest remaining one takes over; a group deleted likewise.
    await t.db.transaction((tx) => groups.removeMember(tx, mc.id, ADMIN, NOW));
    expect(await defaults()).toEqual([a.id]);
    await t.db.transaction((tx) => groups.delete(tx, a.id, ADMIN, NOW));
    expect(await defaults()).toEqual([b.id]);
  });
});

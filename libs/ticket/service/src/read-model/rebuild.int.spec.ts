import type { Actor, CreateTicketV1, Via } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore, LogProcessor, rebuildReadModel } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { TicketCommands } from '../commands/ticket-commands';
import { GroupsService } from '../people/groups-service';
import { OrganizationsService } from '../people/organizations-service';
import { applyPeopleEvents, PEOPLE_READ_MODEL } from '../people/people-projection';
import { peopleReadModelRebuild } from '../people/people-rebuild';
import { Users } from '../users/users';
import { applyToReadModel, TICKET_READ_MODEL } from './ticket-projection';
import { ticketReadModelRebuild } from './ticket-rebuild';

const mail: Via = { channel: 'email', source: { from: { address: 'jane@customer.test', name: 'Jane' }, to: { address: 'support@mailroom.test' }, rel: null } };
const web: Via = { channel: 'api', source: { from: {}, to: {}, rel: null } };
const SYSTEM: Actor = { userId: null, role: 'system' };
const TABLES = [...ticketReadModelRebuild.tables, ...peopleReadModelRebuild.tables];

/** Every row of every read-model table, in key order: what "identical" means below. */
const snapshot = async (db: Db): Promise<Record<string, unknown[]>> => {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) out[table] = await db.query(`SELECT * FROM ${table} ORDER BY id`);
  return out;
};

/**
 * A rebuild reads the whole log and writes the read models set-based. It must give exactly what
 * the live path built, event by event (the writers' inline apply and the processors behind them),
 * and hand over to the live processors at the position it reached.
 */
describe('rebuilding the ticket and people read models from the log', () => {
  let t: TestDatabase;
  const store = new EventStore();
  let commands: TicketCommands;
  let groups: GroupsService;
  let orgs: OrganizationsService;
  let agent: Actor;
  let seq = 0;
  const now = () => new Date(Date.UTC(2026, 11, 1, 9, 0, seq++)).toISOString();
  const processors = () => [
    new LogProcessor({ id: TICKET_READ_MODEL, db: t.db, store, batchSize: 500, handle: (ms, tx) => applyToReadModel(tx, ms, { fromLog: true }) }),
    new LogProcessor({ id: PEOPLE_READ_MODEL, db: t.db, store, batchSize: 500, handle: (ms, tx) => applyPeopleEvents(tx, ms) }),
  ];
  const catchUp = async () => {
    for (const p of processors()) while ((await p.runOnce()) > 0);
  };
  const rebuildAll = async () => {
    await rebuildReadModel(t.db, store, ticketReadModelRebuild, { pageSize: 37 });
    await rebuildReadModel(t.db, store, peopleReadModelRebuild, { pageSize: 37 });
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    const users = new Users(store);
    commands = new TicketCommands(t.db, store, users);
    groups = new GroupsService(store);
    orgs = new OrganizationsService(store, users);
    const ann = (await t.db.transaction((tx) => users.create(tx, { name: 'Ann', email: 'ann@mailroom.test', role: 'agent' }, SYSTEM, now()))).user;
    agent = { userId: ann.id, role: 'agent' };
  });
  afterAll(async () => t?.drop());

  const newTicket = async (i: number) => {
    const c: CreateTicketV1 = {
      creationKey: `create-${i}`,
      subject: `Invoice twice (${i})`,
      requester: { email: `customer${i % 4}@customer.test`, name: `Customer ${i % 4}` },
      recipient: 'support@mailroom.test',
      comment: { body: 'I was billed twice', htmlBody: '<p>I was billed twice</p>', public: true, attachments: [] },
      ccs: i % 3 === 0 ? [{ email: 'boss@customer.test' }] : [],
      via: mail,
      mail: null,
      tags: ['billing'],
    };
    return (await commands.inTransaction((tx) => commands.createTicket(tx, c, { causationId: `c-${i}` })))!;
  };

  /** A help desk's day: people and groups, tickets, replies, agents' changes, rules, deliveries, bounces. */
  const aDayOfWork = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const created = await newTicket(i);
      const ticketId = created.ticketId;
      const version = created.events[created.events.length - 1].streamVersion;
      await commands.inTransaction((tx) =>
        commands.applyRuleActions(
          tx,
          {
            ticketId,
            updateId: created.updateId!,
            basedOnVersion: version,
            changes: { priority: 'high', addTags: ['vip'], ...(i % 2 ? { status: 'open' as const } : {}) },
            fired: [
              {
                kind: 'trigger',
                id: '11',
                title: 'Notify requester of received request',
                actions: [{ field: 'priority', value: 'high' }],
                notifications: [{ notificationId: `n-${i}`, recipientIds: [created.events[0].data ? (created.events[0].data as { requesterId: number }).requesterId : 0], suppressed: [], subject: 'Received', body: 'We got it' }],
              },
            ],
          },
          { causationId: `r-${i}` },
        ),
      );
      await commands.inTransaction((tx) =>
        commands.recordDelivery(
          tx,
          { ticketId, notificationId: `n-${i}`, outcome: i % 5 ? { status: 'delivered', to: ['x@customer.test'], messageId: `<n-${i}@mailroom.test>`, relayResponse: '250 ok', at: now() } : { status: 'failed', to: ['x@customer.test'], error: '451 later', permanent: false, at: now() } },
          { causationId: `d-${i}` },
        ),
      );
      await commands.inTransaction((tx) =>
        commands.addComment(
          tx,
          { ticketId, commentKey: `reply-${i}`, author: { email: `customer${i % 4}@customer.test` }, comment: { body: 'Any news?', htmlBody: '<p>Any news?</p>', public: true, attachments: [] }, via: mail, mail: null },
          { causationId: `a-${i}` },
        ),
      );
      await commands.inTransaction((tx) =>
        commands.execute(
          tx,
          ticketId,
          (_s, at) => ({ type: 'UpdateTicket', now: at, actor: agent, via: web, changes: { status: i % 3 ? 'solved' : 'pending', assigneeId: agent.userId, tags: ['billing', `t${i}`] }, comment: { commentId: 900_000 + i, authorId: agent.userId!, body: 'Refunded', htmlBody: '<p>Refunded</p>', public: i % 2 === 0, attachments: [] }, mail: null }),
          { actor: agent, via: web },
        ),
      );
      if (i % 4 === 0) {
        await commands.inTransaction((tx) =>
          commands.recordBounce(
            tx,
            { mailId: `bounce-${i}`, address: `customer${i % 4}@customer.test`, ticketId, action: 'failed', status: '4.2.2', diagnostic: 'mailbox full', permanent: i % 8 === 0, originalMessageId: null, bouncedAt: now() },
            { causationId: `b-${i}` },
          ),
        );
      }
    }
  };

  it('gives row for row what the live projections built, and the processors then have nothing to apply', async () => {
    const billing = await t.db.transaction((tx) => groups.create(tx, { name: 'Billing', description: 'Money' }, SYSTEM, now()));
    const support = await t.db.transaction((tx) => groups.create(tx, { name: 'Support' }, SYSTEM, now()));
    await t.db.transaction((tx) => groups.addMember(tx, { userId: agent.userId!, groupId: billing.id }, SYSTEM, now()));
    const second = await t.db.transaction((tx) => groups.addMember(tx, { userId: agent.userId!, groupId: support.id }, SYSTEM, now()));
    await t.db.transaction((tx) => groups.makeDefault(tx, agent.userId!, second.id, SYSTEM, now()));
    await t.db.transaction((tx) => groups.update(tx, billing.id, { name: 'Billing & refunds' }, SYSTEM, now()));
    const acme = await t.db.transaction((tx) => orgs.create(tx, { name: 'Acme', domainNames: ['customer.test'] }, SYSTEM, now()));
    await t.db.transaction((tx) => orgs.update(tx, acme.id, { notes: 'Pays late', tags: ['gold'] }, SYSTEM, now()));
    const gone = await t.db.transaction((tx) => orgs.create(tx, { name: 'Gone Ltd' }, SYSTEM, now()));
    await t.db.transaction((tx) => orgs.delete(tx, gone.id, SYSTEM, now()));
    await aDayOfWork(0, 12);
    await t.db.transaction((tx) => groups.removeMember(tx, second.id, SYSTEM, now()));
    await t.db.transaction((tx) => commands.users.update(tx, agent.userId!, { name: 'Ann Agent' }, SYSTEM, now()));
    await catchUp();

    const live = await snapshot(t.db);
    expect(live['ticket.tickets']).toHaveLength(12);
    expect(live['ticket.audits'].length).toBeGreaterThan(36);
    expect(live['ticket.group_memberships']).toHaveLength(1);

    await t.db.query(`TRUNCATE ${TABLES.join(', ')}`);
    await t.db.query(`DELETE FROM mailroom_events.checkpoints WHERE processor_id IN ($1, $2)`, [TICKET_READ_MODEL, PEOPLE_READ_MODEL]);
    await rebuildAll();

    expect(await snapshot(t.db)).toEqual(live);
    // The checkpoint stands where the rebuild stopped: the processors find nothing left to apply.
    for (const p of processors()) expect(await p.runOnce()).toBe(0);
    // And the live path goes on from the rebuilt rows.
    await aDayOfWork(12, 14);
    await catchUp();
    const after = await snapshot(t.db);
    expect(after['ticket.tickets']).toHaveLength(14);
  });

  it('ends consistent when tickets keep changing during the rebuild: the live path takes over from it', async () => {
    // Writers keep going (each applying its events inline, as the API does) while the rebuild runs.
    let writing = true;
    const writer = (async () => {
      let i = 100;
      while (writing) await aDayOfWork(i, ++i);
      return i;
    })();
    await new Promise((r) => setTimeout(r, 300));
    await rebuildAll();
    await new Promise((r) => setTimeout(r, 300));
    await rebuildAll();
    writing = false;
    await writer;
    await catchUp();
    const followed = await snapshot(t.db);

    // A rebuild of the quiet log is the reference: the same rows.
    await t.db.query(`TRUNCATE ${TABLES.join(', ')}`);
    await rebuildAll();
    expect(followed).toEqual(await snapshot(t.db));
  });
});

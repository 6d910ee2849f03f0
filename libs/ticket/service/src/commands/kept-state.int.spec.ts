import type { Actor, CreateTicketV1, Via } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { Users } from '../users/users';
import { TicketCommands } from './ticket-commands';

const web: Via = { channel: 'api', source: { from: {}, to: {}, rel: null } };
const SYSTEM: Actor = { userId: null, role: 'system' };

/**
 * Commands are decided from the state a process keeps (issue 8), on real PostgreSQL. What it keeps
 * must never be trusted over the log: another replica's writes are folded in, and what a
 * rolled-back transaction left in memory is thrown away.
 */
describe('ticket commands from kept state', () => {
  let t: TestDatabase;
  let a: TicketCommands;
  let b: TicketCommands;
  let agent: Actor;
  const store = new EventStore();

  beforeAll(async () => {
    t = await createTestDatabase();
    a = new TicketCommands(t.db, store, new Users(store));
    b = new TicketCommands(t.db, store, new Users(store));
    const ann = (await t.db.transaction((tx) => a.users.create(tx, { name: 'Ann', email: 'ann@mailroom.test', role: 'agent' }, SYSTEM, new Date().toISOString()))).user;
    agent = { userId: ann.id, role: 'agent' };
  });
  afterAll(async () => t?.drop());

  const newTicket = async (key: string): Promise<number> => {
    const c: CreateTicketV1 = {
      creationKey: key,
      subject: 'Parcel lost',
      requester: { email: 'jane@customer.test', name: 'Jane' },
      recipient: 'support@mailroom.test',
      comment: { body: 'Where is it?', htmlBody: '<p>Where is it?</p>', public: true, attachments: [] },
      ccs: [],
      via: web,
      mail: null,
      tags: [],
    };
    return (await a.inTransaction((tx) => a.createTicket(tx, c, { causationId: key })))!.ticketId;
  };

  const setPriority = (commands: TicketCommands, ticketId: number, priority: 'low' | 'high' | 'urgent') =>
    commands.inTransaction((tx) =>
      commands.execute(tx, ticketId, (_s, now) => ({ type: 'UpdateTicket', now, actor: agent, via: web, changes: { priority }, comment: null, mail: null }), { actor: agent, via: web }),
    );

  const logVersion = async (ticketId: number) => Number((await t.db.query<{ version: string }>(`SELECT version FROM mailroom_events.streams WHERE stream_id = $1`, [`ticket-${ticketId}`]))[0].version);

  it('folds in what another process appended since, and decides on it', async () => {
    const id = await newTicket('kept-1');
    await setPriority(a, id, 'low'); // a keeps the ticket at this version
    await setPriority(b, id, 'high'); // another replica moves it on
    const loaded = await a.load(t.db, id);
    expect(loaded.version).toBe(await logVersion(id));
    expect(loaded.state.priority).toBe('high');
    expect(loaded.history.map((m) => m.streamVersion)).toEqual(Array.from({ length: loaded.version }, (_, i) => i + 1));
    // Setting the priority it already has is no change: decided on the folded state, not the kept one.
    const same = await setPriority(a, id, 'high');
    expect(same.events).toHaveLength(0);
    const next = await setPriority(a, id, 'urgent');
    expect(next.events.map((m) => m.type)).toEqual(['ticket.priority_changed']);
    expect((next.events[0].data as { from: string }).from).toBe('high');
  });

  it('throws away what a rolled-back transaction left and reads the log again', async () => {
    const id = await newTicket('kept-2');
    await setPriority(a, id, 'low');
    const before = await logVersion(id);
    // a appends in a transaction that then fails: its memory now holds a version the log never got.
    await expect(
      t.db.transaction(async (tx) => {
        await a.execute(tx, id, (_s, now) => ({ type: 'UpdateTicket', now, actor: agent, via: web, changes: { priority: 'urgent' }, comment: null, mail: null }), { actor: agent, via: web });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await logVersion(id)).toBe(before);
    // Another replica then writes that same version number with other content.
    await setPriority(b, id, 'high');
    const loaded = await a.load(t.db, id);
    expect(loaded.version).toBe(before + 1);
    expect(loaded.state.priority).toBe('high');
    // And a command decided by a goes on from the log's state: from high, not from urgent.
    const next = await setPriority(a, id, 'urgent');
    expect((next.events[0].data as { from: string }).from).toBe('high');
  });
});

import { randomUUID } from 'node:crypto';
import type { Actor, ApplyRuleActionsV1, CreateTicketV1, FiredRule, Via } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { Users } from '../users/users';
import { TicketCommands } from './ticket-commands';

const mail: Via = { channel: 'email', source: { from: { address: 'jane@customer.test', name: 'Jane' }, to: { address: 'support@mailroom.test' }, rel: null } };
const web: Via = { channel: 'api', source: { from: {}, to: {}, rel: null } };
const SYSTEM: Actor = { userId: null, role: 'system' };

const automation = (id: string, title: string, actions: FiredRule['actions']): FiredRule => ({ kind: 'automation', id, title, actions, notifications: [] });

/**
 * An automation cycle's updates of one ticket arrive as one `ticket.apply_rule_actions` command:
 * the first update, then `then` in the order the automations fired. On real PostgreSQL the ticket
 * service applies them in that order, each an update of its own, once.
 */
describe("one cycle's automation updates of a ticket, as one command", () => {
  let t: TestDatabase;
  let commands: TicketCommands;
  let agent: Actor;
  const store = new EventStore();

  beforeAll(async () => {
    t = await createTestDatabase();
    commands = new TicketCommands(t.db, store, new Users(store));
    const ann = (await t.db.transaction((tx) => commands.users.create(tx, { name: 'Ann', email: 'ann@mailroom.test', role: 'agent' }, SYSTEM, new Date().toISOString()))).user;
    agent = { userId: ann.id, role: 'agent' };
  });
  afterAll(async () => t?.drop());

  const newTicket = async (key: string) => {
    const c: CreateTicketV1 = {
      creationKey: key,
      subject: 'Parcel lost',
      requester: { email: 'jane@customer.test', name: 'Jane' },
      recipient: 'support@mailroom.test',
      comment: { body: 'Where is it?', htmlBody: '<p>Where is it?</p>', public: true, attachments: [] },
      ccs: [],
      via: mail,
      mail: null,
      tags: [],
    };
    const created = (await commands.inTransaction((tx) => commands.createTicket(tx, c, { causationId: key })))!;
    // A new ticket: open it, as an agent would, so that the automations below can park it.
    await commands.inTransaction((tx) =>
      commands.execute(tx, created.ticketId, (_s, now) => ({ type: 'UpdateTicket', now, actor: agent, via: web, changes: { status: 'open' }, comment: null, mail: null }), { actor: agent, via: web }),
    );
    const [{ version }] = await t.db.query<{ version: string }>(`SELECT version FROM mailroom_events.streams WHERE stream_id = $1`, [`ticket-${created.ticketId}`]);
    return { id: created.ticketId, version: Number(version) };
  };

  /** What the scheduler sends: escalate, then (on the escalated ticket) tag and raise, then park. */
  const cycleCommand = (ticket: { id: number; version: number }): ApplyRuleActionsV1 => ({
    ticketId: ticket.id,
    updateId: randomUUID(),
    basedOnVersion: ticket.version,
    changes: { priority: 'high' },
    fired: [automation('a1', 'Escalate', [{ field: 'priority', value: 'high' }])],
    then: [
      {
        updateId: randomUUID(),
        changes: { priority: 'urgent', addTags: ['escalated'] },
        fired: [automation('a2', 'Tag and raise', [{ field: 'current_tags', value: 'escalated' }, { field: 'priority', value: 'urgent' }])],
      },
      { updateId: randomUUID(), changes: { status: 'pending' }, fired: [automation('a3', 'Park', [{ field: 'status', value: 'pending' }])] },
    ],
  });

  const row = async (id: number) => (await t.db.query<{ data: Record<string, unknown> }>(`SELECT data FROM ticket.tickets WHERE id = $1`, [id]))[0].data;
  const log = async (id: number, after: number) =>
    t.db.query<{ type: string; update_id: string; data: Record<string, unknown> }>(
      `SELECT type, metadata->>'updateId' AS update_id, data FROM mailroom_events.messages WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version`,
      [`ticket-${id}`, after],
    );
  const audits = async (id: number, updateIds: string[]) =>
    (await t.db.query<{ update_id: string; data: { events: Record<string, any>[] } }>(`SELECT update_id, data FROM ticket.audits WHERE ticket_id = $1 AND update_id = ANY($2::uuid[]) ORDER BY id`, [id, updateIds])).map(
      (a) => [a.update_id, a.data.events.filter((e) => e.type === 'AutomationFired').map((e) => [e.via.source.from.title, e.superseded])],
    );

  it('applies the updates in the order they fired, each its own update with its own audit, and only once', async () => {
    const ticket = await newTicket('ordered');
    const command = cycleCommand(ticket);
    const ids = [command.updateId, ...command.then!.map((u) => u.updateId)];
    const results = await commands.inTransaction((tx) => commands.applyRuleActions(tx, command, { causationId: 'cycle-command-1' }));
    expect(results.map((r) => r.updateId)).toEqual(ids);

    // The later automation's priority is the ticket's: applied after the first, not before.
    expect(await row(ticket.id)).toMatchObject({ priority: 'urgent', status: 'pending', tags: ['escalated'] });
    const written = await log(ticket.id, ticket.version);
    // Three updates, one after the other in the log: each update's events together, in firing order.
    expect(written.map((m) => ids.indexOf(m.update_id))).toEqual([...written.map((m) => ids.indexOf(m.update_id))].sort());
    expect([...new Set(written.map((m) => m.update_id))]).toEqual(ids);
    expect(written.filter((m) => m.type === 'ticket.priority_changed').map((m) => m.data.to)).toEqual(['high', 'urgent']);
    expect(await audits(ticket.id, ids)).toEqual([
      [ids[0], [['Escalate', undefined]]],
      [ids[1], [['Tag and raise', undefined]]],
      [ids[2], [['Park', undefined]]],
    ]);

    // The same command again (a redelivery, a resumed cycle): every update is known, nothing is appended.
    const again = await commands.inTransaction((tx) => commands.applyRuleActions(tx, command, { causationId: 'cycle-command-1-again' }));
    expect(again.map((r) => r.events.length)).toEqual([0, 0, 0]);
    expect(await log(ticket.id, ticket.version)).toHaveLength(written.length);
  });

  it('keeps what an agent changed after the cycle read the ticket, through every update of the command', async () => {
    const ticket = await newTicket('raced');
    const command = cycleCommand(ticket);
    // The agent lowers the priority between the cycle's read and the command.
    await commands.inTransaction((tx) =>
      commands.execute(tx, ticket.id, (_s, now) => ({ type: 'UpdateTicket', now, actor: agent, via: web, changes: { priority: 'low' }, comment: null, mail: null }), { actor: agent, via: web }),
    );
    await commands.inTransaction((tx) => commands.applyRuleActions(tx, command, { causationId: 'cycle-command-2' }));
    // Neither automation's priority undoes the agent's; the earlier automation's update does not
    // count as "later" for the next one; the tag and the status apply.
    expect(await row(ticket.id)).toMatchObject({ priority: 'low', status: 'pending', tags: ['escalated'] });
    const ids = [command.updateId, ...command.then!.map((u) => u.updateId)];
    expect(await audits(ticket.id, ids)).toEqual([
      [ids[0], [['Escalate', ['priority']]]],
      [ids[1], [['Tag and raise', ['priority']]]],
      [ids[2], [['Park', undefined]]],
    ]);
  });
});

import type { Actor, ApplyRuleActionsV1, CreateTicketV1, Via } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { Users } from '../users/users';
import { TicketCommands } from './ticket-commands';

const mail: Via = { channel: 'email', source: { from: { address: 'jane@customer.test', name: 'Jane' }, to: { address: 'support@mailroom.test' }, rel: null } };
const web: Via = { channel: 'api', source: { from: {}, to: {}, rel: null } };
const SYSTEM: Actor = { userId: null, role: 'system' };

/**
 * Triggers run after the update that set them off: their changes reach the ticket service as a
 * command, and an agent may have changed the ticket in between. On real PostgreSQL: the agent's
 * newer value stands, the rest of the rules' changes apply, the audit says what was not changed.
 */
describe('rule actions that arrive after a newer update', () => {
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
      subject: 'Invoice twice',
      requester: { email: 'jane@customer.test', name: 'Jane' },
      recipient: 'support@mailroom.test',
      comment: { body: 'I was billed twice', htmlBody: '<p>I was billed twice</p>', public: true, attachments: [] },
      ccs: [],
      via: mail,
      mail: null,
      tags: [],
    };
    const created = (await commands.inTransaction((tx) => commands.createTicket(tx, c, { causationId: key })))!;
    return { id: created.ticketId, version: created.events[created.events.length - 1].streamVersion, updateId: created.updateId! };
  };
  const rulesSaw = (ticket: { id: number; version: number; updateId: string }): ApplyRuleActionsV1 => ({
    ticketId: ticket.id,
    updateId: ticket.updateId,
    basedOnVersion: ticket.version,
    changes: { groupId: 40, priority: 'urgent', addTags: ['billing', 'refund'] },
    fired: [
      { kind: 'trigger', id: '11', title: 'Route billing', actions: [{ field: 'group_id', value: '40' }, { field: 'current_tags', value: 'billing refund' }], notifications: [] },
      { kind: 'trigger', id: '12', title: 'Urgent words', actions: [{ field: 'priority', value: 'urgent' }], notifications: [] },
    ],
  });
  const row = async (id: number) => (await t.db.query<{ data: Record<string, unknown> }>(`SELECT data FROM ticket.tickets WHERE id = $1`, [id]))[0].data;
  // The rules' changes belong to the update that set them off: its audit lists them.
  const firedOn = async (ticket: { id: number; updateId: string }) => {
    const [audit] = await t.db.query<{ data: { events: Record<string, any>[] } }>(`SELECT data FROM ticket.audits WHERE ticket_id = $1 AND update_id = $2`, [ticket.id, ticket.updateId]);
    return audit.data.events.filter((e) => e.type === 'TriggerFired').map((e) => [e.via.source.from.title, e.superseded]);
  };

  it('applies every change when nothing happened in between', async () => {
    const ticket = await newTicket('quiet');
    await commands.inTransaction((tx) => commands.applyRuleActions(tx, rulesSaw(ticket), { causationId: 'r-quiet' }));
    expect(await row(ticket.id)).toMatchObject({ group_id: 40, priority: 'urgent', tags: ['billing', 'refund'] });
    expect(await firedOn(ticket)).toEqual([
      ['Route billing', undefined],
      ['Urgent words', undefined],
    ]);
  });

  it('keeps the group and the removed tag the agent chose meanwhile, applies the rest, and says so on the audit', async () => {
    const ticket = await newTicket('raced');
    // The agent moves the ticket and drops a tag before the rules' command arrives.
    await commands.inTransaction((tx) =>
      commands.execute(tx, ticket.id, (_s, now) => ({ type: 'UpdateTicket', now, actor: agent, via: web, changes: { groupId: 7, tags: ['vip'] }, comment: null, mail: null }), { actor: agent, via: web }),
    );
    await commands.inTransaction((tx) =>
      commands.execute(tx, ticket.id, (_s, now) => ({ type: 'UpdateTicket', now, actor: agent, via: web, changes: { removeTags: ['vip'] }, comment: null, mail: null }), { actor: agent, via: web }),
    );
    await commands.inTransaction((tx) => commands.execute(tx, ticket.id, (_s, now) => ({ type: 'UpdateTicket', now, actor: agent, via: web, changes: { addTags: ['refund'] }, comment: null, mail: null }), { actor: agent, via: web }));
    await commands.inTransaction((tx) => commands.execute(tx, ticket.id, (_s, now) => ({ type: 'UpdateTicket', now, actor: agent, via: web, changes: { removeTags: ['refund'] }, comment: null, mail: null }), { actor: agent, via: web }));

    await commands.inTransaction((tx) => commands.applyRuleActions(tx, rulesSaw(ticket), { causationId: 'r-raced' }));
    expect(await row(ticket.id)).toMatchObject({ group_id: 7, priority: 'urgent', tags: ['billing'] });
    expect(await firedOn(ticket)).toEqual([
      ['Route billing', ['group_id', 'current_tags']],
      ['Urgent words', undefined],
    ]);
  });
});

import type { Actor, AddCommentV1, CreateTicketV1, Via } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { GroupsService } from '../people/groups-service';
import { Users } from '../users/users';
import { TicketCommands } from './ticket-commands';

const via: Via = { channel: 'email', source: { from: { address: 'jane@customer.test', name: 'Jane' }, to: { address: 'help@mailroom.test', name: 'Help' }, rel: null } };
const ADMIN: Actor = { userId: null, role: 'system' };

/**
 * Replies by email on the real ticket service and PostgreSQL: a reply to a closed ticket opens
 * exactly one follow-up, also when redelivered or racing the ticket's closing; CCs and an agent's
 * mail commands land in the comment's update.
 */
describe('email replies in the ticket service', () => {
  let t: TestDatabase;
  let commands: TicketCommands;
  let store: EventStore;
  let agentId: number;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore();
    commands = new TicketCommands(t.db, store, new Users(store));
    agentId = (await t.db.transaction((tx) => commands.users.create(tx, { name: 'Ann', email: 'ann@mailroom.test', role: 'agent' }, ADMIN, new Date().toISOString()))).user.id;
  });
  afterAll(async () => t?.drop());

  const newTicket = async (tags: string[] = []) => {
    const c: CreateTicketV1 = {
      creationKey: `create-${++seq}`,
      subject: `Printer ${seq}`,
      requester: { email: 'jane@customer.test', name: 'Jane' },
      recipient: 'support@mailroom.test',
      comment: { body: 'It burns', htmlBody: '<p>It burns</p>', public: true, attachments: [] },
      ccs: [{ email: 'carl@customer.test' }],
      via,
      mail: null,
      tags,
    };
    return (await commands.inTransaction((tx) => commands.createTicket(tx, c, { causationId: `c-${seq}` })))!.ticketId;
  };
  const close = (ticketId: number) =>
    commands.inTransaction((tx) =>
      commands.execute(tx, ticketId, (_s, now) => ({ type: 'UpdateTicket', now, actor: { userId: agentId, role: 'agent' }, via, changes: { status: 'closed', assigneeId: agentId, priority: 'high' }, comment: null, mail: null }), { actor: { userId: agentId, role: 'agent' }, via }),
    );
  const reply = (ticketId: number, over: Partial<AddCommentV1> = {}): AddCommentV1 => ({
    ticketId,
    commentKey: `mail:reply-${++seq}`,
    author: { email: 'jane@customer.test' },
    comment: { body: 'It burns again', htmlBody: '<p>It burns again</p>', public: true, attachments: [] },
    via,
    mail: { mailId: `m-${seq}`, messageId: `<r${seq}@customer.test>`, recipients: ['help@mailroom.test'], supportAddress: 'help@mailroom.test' },
    ...over,
  });
  const addComment = (c: AddCommentV1) => commands.inTransaction((tx) => commands.addComment(tx, c, { causationId: `cause-${c.commentKey}` }));
  const followUpsOf = async (ticketId: number) =>
    (await t.db.query<{ id: string; data: any }>(`SELECT id, data FROM ticket.tickets WHERE data->'via'->'source'->'from'->>'ticket_id' = $1 ORDER BY id`, [String(ticketId)])).map((r) => ({ id: Number(r.id), ...r.data }));
  const commentsOf = async (ticketId: number) => (await t.db.query<{ data: any }>(`SELECT data FROM ticket.comments WHERE ticket_id = $1 ORDER BY id`, [ticketId])).map((r) => r.data);

  it('opens one follow-up for a reply to a closed ticket, and a redelivery adds nothing', async () => {
    const closed = await newTicket(['vip', 'printer']);
    await close(closed);
    const c = reply(closed);
    const result = await addComment(c);
    expect(result!.ticketId).not.toBe(closed);
    expect(await addComment(c)).toBeNull();

    const [followUp, ...more] = await followUpsOf(closed);
    expect(more).toEqual([]);
    expect(followUp).toMatchObject({
      id: result!.ticketId,
      subject: (await t.db.query<{ data: any }>(`SELECT data FROM ticket.tickets WHERE id = $1`, [closed]))[0].data.subject,
      status: 'new',
      recipient: 'help@mailroom.test',
      priority: null,
      assignee_id: null,
      via: { channel: 'closed_ticket', source: { rel: 'follow_up', from: { ticket_id: closed } } },
    });
    expect(followUp.tags.sort()).toEqual(['printer', 'vip']);
    expect(followUp.email_cc_ids).toHaveLength(1);
    expect((await commentsOf(followUp.id)).map((x) => x.body)).toEqual(['It burns again']);
    expect(await commentsOf(closed)).toHaveLength(1);
  });

  it('lands a reply racing the ticket’s closing exactly once: on the ticket or on its follow-up', async () => {
    for (let round = 0; round < 5; round++) {
      const ticketId = await newTicket();
      const c = reply(ticketId);
      await Promise.all([close(ticketId), addComment(c)]);
      const onTicket = (await commentsOf(ticketId)).filter((x) => x.body === 'It burns again').length;
      const followUps = await followUpsOf(ticketId);
      const onFollowUp = followUps.length ? (await commentsOf(followUps[0].id)).length : 0;
      expect(onTicket + onFollowUp).toBe(1);
      expect(followUps.length).toBe(onFollowUp);
    }
  });

  it('adds the reply’s CCs and applies an agent’s mail commands in the comment’s update', async () => {
    const ticketId = await newTicket();
    await addComment(reply(ticketId, { author: { email: 'ann@mailroom.test' }, ccs: [{ email: 'dora@customer.test', name: 'Dora' }], changes: { status: 'solved', addTags: ['fixed'] } }));
    const [row] = await t.db.query<{ data: any }>(`SELECT data FROM ticket.tickets WHERE id = $1`, [ticketId]);
    expect(row.data).toMatchObject({ status: 'solved', assignee_id: agentId, tags: ['fixed'] });
    expect(row.data.email_cc_ids).toHaveLength(2);
    const audits = await t.db.query<{ data: any }>(`SELECT data FROM ticket.audits WHERE ticket_id = $1 ORDER BY id`, [ticketId]);
    const update = audits.find((a) => a.data.events.some((e: any) => e.type === 'Comment' && e.body === 'It burns again'))!.data;
    expect(update.events.map((e: any) => e.field_name ?? e.type)).toEqual(expect.arrayContaining(['Comment', 'status', 'assignee_id', 'tags', 'EmailCcChange']));
  });

  it('ignores mail-command changes from an end user but keeps the comment', async () => {
    const ticketId = await newTicket();
    await addComment(reply(ticketId, { changes: { status: 'solved', assignee: { email: 'ann@mailroom.test' } } }));
    const [row] = await t.db.query<{ data: any }>(`SELECT data FROM ticket.tickets WHERE id = $1`, [ticketId]);
    expect(row.data).toMatchObject({ status: 'new', assignee_id: null });
    expect(await commentsOf(ticketId)).toHaveLength(2);
  });

  it('finds the group an agent’s #group names, by name or id, and refuses one that does not exist', async () => {
    const groups = new GroupsService(store);
    const billing = await t.db.transaction((tx) => groups.create(tx, { name: 'Billing Team' }, ADMIN, new Date().toISOString()));
    const gone = await t.db.transaction((tx) => groups.create(tx, { name: 'Old Team' }, ADMIN, new Date().toISOString()));
    await t.db.transaction((tx) => groups.delete(tx, gone.id, ADMIN, new Date().toISOString()));
    const groupOf = async (id: number) => (await t.db.query<{ data: any }>(`SELECT data FROM ticket.tickets WHERE id = $1`, [id]))[0].data.group_id;
    const refusals = async (id: number) =>
      (await t.db.query<{ data: any }>(`SELECT data FROM ticket.audits WHERE ticket_id = $1 ORDER BY id`, [id])).flatMap((a) => a.data.events).filter((e: any) => e.type === 'MailCommandError');
    const ann = { email: 'ann@mailroom.test' };

    const byName = await newTicket();
    await addComment(reply(byName, { author: ann, changes: { group: { name: 'billing  team ' }, priority: 'high' } }));
    expect(await groupOf(byName)).toBe(billing.id);

    const byId = await newTicket();
    await addComment(reply(byId, { author: ann, changes: { group: { id: billing.id } } }));
    expect(await groupOf(byId)).toBe(billing.id);

    // An unknown or deleted group changes nothing else's fate: the comment and the other commands land.
    const unknown = await newTicket();
    await addComment(reply(unknown, { author: ann, changes: { group: { name: 'Nobody' }, priority: 'urgent' } }));
    await addComment(reply(unknown, { author: ann, changes: { group: { id: gone.id } } }));
    const [row] = await t.db.query<{ data: any }>(`SELECT data FROM ticket.tickets WHERE id = $1`, [unknown]);
    expect(row.data).toMatchObject({ group_id: null, priority: 'urgent' });
    expect((await refusals(unknown)).map((e: any) => [e.command, e.value, e.error])).toEqual([
      ['#group', 'Nobody', 'no such group'],
      ['#group', String(gone.id), 'no such group'],
    ]);
    expect(await commentsOf(unknown)).toHaveLength(3);
  });

  it('opens a ticket on a customer’s behalf from an agent’s mail commands, and ignores them from anyone else', async () => {
    const groups = new GroupsService(store);
    const desk = await t.db.transaction((tx) => groups.create(tx, { name: 'Front Desk' }, ADMIN, new Date().toISOString()));
    const create = (key: string, over: Partial<CreateTicketV1>) =>
      commands.inTransaction((tx) =>
        commands.createTicket(
          tx,
          { creationKey: key, subject: 'Phone call', requester: { email: 'ann@mailroom.test' }, recipient: 'support@mailroom.test', comment: { body: 'Called in.', htmlBody: '<p>Called in.</p>', public: true, attachments: [] }, ccs: [], via, mail: null, ...over },
          { causationId: key },
        ),
      );
    const ticketOf = async (id: number) => (await t.db.query<{ data: any }>(`SELECT data FROM ticket.tickets WHERE id = $1`, [id]))[0].data;

    const opened = (await create('agent-opens', { changes: { requester: { email: 'walkin@customer.test', name: 'Walk In' }, group: { name: 'front desk' }, priority: 'high', addTags: ['phone'] } }))!;
    const walkIn = (await commands.users.byEmail(t.db, 'walkin@customer.test'))!;
    expect(await ticketOf(opened.ticketId)).toMatchObject({ requester_id: walkIn.id, submitter_id: agentId, group_id: desk.id, priority: 'high', tags: ['phone'], email_cc_ids: [agentId] });
    expect((await commentsOf(opened.ticketId))[0]).toMatchObject({ author_id: agentId, body: 'Called in.' });

    // A command the ticket refuses (an unknown assignee) is recorded; the ticket opens with the rest.
    const partly = (await create('agent-partly', { changes: { assignee: { email: 'nobody@mailroom.test' }, status: 'pending' } }))!;
    expect(await ticketOf(partly.ticketId)).toMatchObject({ requester_id: agentId, assignee_id: null, status: 'pending' });
    const refused = (await t.db.query<{ data: any }>(`SELECT data FROM ticket.audits WHERE ticket_id = $1`, [partly.ticketId])).flatMap((a) => a.data.events).filter((e: any) => e.type === 'MailCommandError');
    expect(refused.map((e: any) => [e.command, e.error])).toEqual([['#assignee', 'no such user']]);

    // An end user's commands change nothing.
    const customer = (await create('customer-tries', { requester: { email: 'jane@customer.test' }, changes: { status: 'solved', requester: { email: 'victim@customer.test' } } }))!;
    const jane = (await commands.users.byEmail(t.db, 'jane@customer.test'))!;
    expect(await ticketOf(customer.ticketId)).toMatchObject({ requester_id: jane.id, submitter_id: jane.id, status: 'new', email_cc_ids: [] });
    expect(await commands.users.byEmail(t.db, 'victim@customer.test')).toBeNull();
  });
});

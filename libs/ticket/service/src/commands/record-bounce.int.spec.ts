import type { Actor, CreateTicketV1, RecordBounceV1, Via } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { applyToReadModel, resetReadModel } from '../read-model/ticket-projection';
import { Users } from '../users/users';
import { TicketCommands } from './ticket-commands';

const via: Via = { channel: 'email', source: { from: { address: 'jane@customer.test', name: 'Jane' }, to: { address: 'support@mailroom.test', name: 'Support' }, rel: null } };
const SYSTEM: Actor = { userId: null, role: 'system' };

/**
 * `ticket.record_bounce` on the real ticket service and PostgreSQL: the user's email is marked
 * (hard at once, soft on the tenth), the ticket's audit records the bounce, an agent clears the
 * mark, and the user row is the same after a rebuild from the log.
 */
describe('recording bounces in the ticket service', () => {
  let t: TestDatabase;
  let store: EventStore;
  let commands: TicketCommands;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestDatabase();
    store = new EventStore();
    commands = new TicketCommands(t.db, store, new Users(store));
  });
  afterAll(async () => t?.drop());

  const newTicket = async (email: string) => {
    const c: CreateTicketV1 = {
      creationKey: `create-${++seq}`,
      subject: `Printer ${seq}`,
      requester: { email, name: email.split('@')[0] },
      recipient: 'support@mailroom.test',
      comment: { body: 'It burns', htmlBody: '<p>It burns</p>', public: true, attachments: [] },
      ccs: [],
      via,
      mail: null,
    };
    return (await commands.inTransaction((tx) => commands.createTicket(tx, c, { causationId: `c-${seq}` })))!.ticketId;
  };
  const bounce = (over: Partial<RecordBounceV1>): RecordBounceV1 => ({
    // Each report about a mail of its own unless the test says otherwise.
    mailId: `mail-${++seq}`,
    address: 'jane@customer.test',
    ticketId: null,
    action: 'failed',
    status: '5.1.1',
    diagnostic: '550 5.1.1 user unknown',
    permanent: true,
    originalMessageId: `<mr.t1-x${seq}@mailroom.test>`,
    bouncedAt: '2026-12-01T09:00:00.000Z',
    ...over,
  });
  const record = (c: RecordBounceV1) => commands.inTransaction((tx) => commands.recordBounce(tx, c, { causationId: `cmd-${c.mailId}` }));
  const user = async (email: string) => (await t.db.query<{ data: any }>(`SELECT u.data FROM ticket.users u WHERE u.email = $1`, [email]))[0].data;
  const bouncesOnAudit = async (ticketId: number) =>
    (await t.db.query<{ data: any }>(`SELECT data FROM ticket.audits WHERE ticket_id = $1 ORDER BY id`, [ticketId])).flatMap((r) => r.data.events).filter((e: any) => e.type === 'NotificationBounce');

  it('a hard bounce marks the user undeliverable and is recorded on the ticket it was about', async () => {
    const ticketId = await newTicket('jane@customer.test');
    await record(bounce({ ticketId }));
    expect(await user('jane@customer.test')).toMatchObject({ undeliverable: true, email_undeliverable_at: '2026-12-01T09:00:00.000Z', email_soft_bounces: 0 });
    const [onAudit] = await bouncesOnAudit(ticketId);
    expect(onAudit).toMatchObject({ recipient: 'jane@customer.test', bounce: 'hard', status: '5.1.1', diagnostic: '550 5.1.1 user unknown', undeliverable: true, user_id: (await user('jane@customer.test')).id });
    const audits = await t.db.query<{ data: any }>(`SELECT data FROM ticket.audits WHERE ticket_id = $1 ORDER BY id`, [ticketId]);
    expect(audits[audits.length - 1].data.via).toMatchObject({ channel: 'system', source: { rel: 'bounce' } });
  });

  it('soft bounces mark the email on the tenth; an agent marking it deliverable starts the count anew', async () => {
    await newTicket('sam@customer.test');
    for (let i = 1; i <= 9; i++) await record(bounce({ address: 'sam@customer.test', permanent: false, action: 'delayed', status: '4.4.1' }));
    expect(await user('sam@customer.test')).toMatchObject({ undeliverable: false, email_soft_bounces: 9, email_undeliverable_at: null });
    await record(bounce({ address: 'sam@customer.test', permanent: false, action: 'failed', status: '4.2.2' }));
    const marked = await user('sam@customer.test');
    expect(marked).toMatchObject({ undeliverable: true, email_soft_bounces: 10 });

    await commands.inTransaction((tx) => commands.users.update(tx, marked.id, { undeliverable: false }, { userId: null, role: 'system' }, '2026-12-01T10:00:00.000Z'));
    expect(await user('sam@customer.test')).toMatchObject({ undeliverable: false, email_soft_bounces: 0, email_undeliverable_at: null });
    await record(bounce({ address: 'sam@customer.test', permanent: false, action: 'delayed', status: '4.4.1' }));
    expect(await user('sam@customer.test')).toMatchObject({ undeliverable: false, email_soft_bounces: 1 });

    // The same after a rebuild of the read model from the log.
    const before = await user('sam@customer.test');
    // Stream by stream: readAll stops short of any transaction in flight anywhere on the cluster,
    // and the suites that run beside this one hold such transactions.
    await t.db.transaction(async (tx) => {
      await resetReadModel(tx);
      const streams = await tx.query<{ stream_id: string }>(`SELECT stream_id FROM mailroom_events.streams ORDER BY stream_id`);
      for (const { stream_id } of streams) await applyToReadModel(tx, await store.readStream(tx, stream_id));
    });
    expect(await user('sam@customer.test')).toEqual(before);
  });

  it('records a bounce of an address nobody has on the ticket only, and one for a ticket that is gone on the user only', async () => {
    const ticketId = await newTicket('kim@customer.test');
    await record(bounce({ ticketId, address: 'stranger@elsewhere.test' }));
    expect(await bouncesOnAudit(ticketId)).toMatchObject([{ recipient: 'stranger@elsewhere.test', user_id: null, undeliverable: false }]);
    await expect(record(bounce({ ticketId: 999999, address: 'kim@customer.test' }))).resolves.toBeNull();
    expect(await user('kim@customer.test')).toMatchObject({ undeliverable: true });
  });

  it('the same report handled twice records one bounce on the ticket and counts once on the user', async () => {
    const ticketId = await newTicket('lee@customer.test');
    const c = bounce({ ticketId, address: 'lee@customer.test', permanent: false, action: 'delayed', status: '4.4.1' });
    await record(c);
    await record(c);
    expect(await bouncesOnAudit(ticketId)).toHaveLength(1);
    expect(await user('lee@customer.test')).toMatchObject({ undeliverable: false, email_soft_bounces: 1 });
  });

  it('counts a mail that was first delayed and then failed softly as one soft bounce; a final hard failure still marks the address', async () => {
    await newTicket('max@customer.test');
    const about = (id: string, over: Partial<RecordBounceV1>) => bounce({ address: 'max@customer.test', originalMessageId: `<${id}@mailroom.test>`, permanent: false, ...over });
    await record(about('one', { action: 'delayed', status: '4.4.1' }));
    await record(about('one', { action: 'failed', status: '4.4.7' }));
    expect(await user('max@customer.test')).toMatchObject({ undeliverable: false, email_soft_bounces: 1 });
    await record(about('two', { action: 'delayed', status: '4.4.1' }));
    expect(await user('max@customer.test')).toMatchObject({ email_soft_bounces: 2 });
    await record(about('two', { action: 'failed', status: '5.1.1', permanent: true }));
    expect(await user('max@customer.test')).toMatchObject({ undeliverable: true, email_soft_bounces: 2 });

    // Marked deliverable again, a new report about the same old mail counts anew.
    const marked = await user('max@customer.test');
    await commands.inTransaction((tx) => commands.users.update(tx, marked.id, { undeliverable: false }, SYSTEM, '2026-12-01T10:00:00.000Z'));
    await record(about('one', { action: 'failed', status: '4.2.2' }));
    expect(await user('max@customer.test')).toMatchObject({ undeliverable: false, email_soft_bounces: 1 });
  });
});

import type { Actor, CreateTicketV1, Via } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { TicketCommands } from '../commands/ticket-commands';
import { Users } from '../users/users';
import { applyToReadModel } from './ticket-projection';

const via: Via = { channel: 'email', source: { from: { address: 'jane@customer.test' }, to: { address: 'support@mailroom.test' }, rel: null } };
const SYSTEM: Actor = { userId: null, role: 'system' };

/**
 * The read-model processor replays events the writer applied already. While the writer of the
 * next change holds the ticket's row, such a replay must pass without waiting for it: a lock
 * timeout makes any wait an error here.
 */
describe('the read-model processor behind a writer', () => {
  let t: TestDatabase;
  const store = new EventStore();
  let commands: TicketCommands;

  beforeAll(async () => {
    t = await createTestDatabase();
    commands = new TicketCommands(t.db, store, new Users(store));
  });
  afterAll(async () => t?.drop());

  it('passes over events applied already without waiting for the row a writer holds, and still applies what is missing', async () => {
    const c: CreateTicketV1 = {
      creationKey: 'locked-row',
      subject: 'Locked',
      requester: { email: 'jane@customer.test' },
      recipient: 'support@mailroom.test',
      comment: { body: 'Hello', htmlBody: '<p>Hello</p>', public: true, attachments: [] },
      ccs: [],
      via,
      mail: null,
    };
    const created = (await commands.inTransaction((tx) => commands.createTicket(tx, c, { causationId: 'c' })))!;
    const stream = await store.readStream(t.db, `ticket-${created.ticketId}`);
    const users = await store.readStream(t.db, `user-${(await commands.users.byEmail(t.db, 'jane@customer.test'))!.id}`);

    // A writer holds the ticket's and the user's rows, as the transaction of the next change does.
    const writer = t.db.dataSource.createQueryRunner();
    await writer.connect();
    await writer.startTransaction();
    await writer.query(`SELECT 1 FROM ticket.tickets WHERE id = $1 FOR UPDATE`, [created.ticketId]);
    await writer.query(`SELECT 1 FROM ticket.users WHERE id = $1 FOR UPDATE`, [(users[0].data as { userId: number }).userId]);
    try {
      await t.db.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '300ms'`);
        await applyToReadModel(tx, [...stream, ...users], { fromLog: true });
      });
    } finally {
      await writer.rollbackTransaction();
      await writer.release();
    }

    // What the writer's side never applied, the processor does (here: after a lost row).
    await t.db.query(`DELETE FROM ticket.tickets WHERE id = $1`, [created.ticketId]);
    await t.db.transaction((tx) => applyToReadModel(tx, stream, { fromLog: true }));
    const [row] = await t.db.query<{ version: string; data: { subject: string } }>(`SELECT version, data FROM ticket.tickets WHERE id = $1`, [created.ticketId]);
    expect({ version: Number(row.version), subject: row.data.subject }).toEqual({ version: stream.length, subject: 'Locked' });
  });
});

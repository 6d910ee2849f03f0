import type { NewMessage, TicketEvent, Via } from '@mailroom/contracts';
import { EventStore, LOG_START, rebuildReadModel, type LogPosition } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { handleSchedulerMessage } from './scheduler-consumer';
import { schedulerProjectionRebuild } from './scheduler-rebuild';

const via: Via = { channel: 'email', source: { from: { address: 'jane@customer.test' }, to: { address: 'support@mailroom.test' }, rel: null } };
const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 9, minute)).toISOString();

/**
 * The scheduler's projection follows the broker, not a checkpoint: rebuilt from the log it must
 * equal what the consumer built message by message, and the messages the consumer still has
 * queued must then change nothing.
 */
describe('rebuilding the scheduler projection from the log', () => {
  let t: TestDatabase;
  const store = new EventStore();
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.drop());

  const append = (ticketId: number, events: TicketEvent[], minute: number, role: 'end_user' | 'agent' | 'system') =>
    t.db.transaction((tx) => store.append(tx, `ticket-${ticketId}`, 'ticket', 'any', events as NewMessage[], { occurredAt: at(minute), actor: { userId: role === 'system' ? null : 5, role } }));

  // Reads until every row of the log has been handled: readAll stops short (an empty page) while
  // any transaction on the cluster is in flight, e.g. another suite's.
  const consumeAll = async () => {
    const [{ n }] = await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM mailroom_events.messages`);
    let position: LogPosition = LOG_START;
    let handled = 0;
    for (const deadline = Date.now() + 20_000; handled < Number(n) && Date.now() < deadline; ) {
      const page = await store.readAll(t.db, position, 100);
      if (page.messages.length === 0) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      for (const m of page.messages) await handleSchedulerMessage(t.db, m);
      handled += page.messages.length;
      position = page.position;
    }
  };
  const rows = () => t.db.query(`SELECT * FROM scheduler.tickets ORDER BY id`);

  it('equals the consumer’s rows, and redelivered or still-queued messages change nothing', async () => {
    for (let id = 1; id <= 8; id++) {
      const d = id * 10;
      await append(id, [{ type: 'ticket.created', data: { ticketId: id, subject: `T${id}`, requesterId: 5, submitterId: 5, recipient: 'support@mailroom.test', status: 'new', priority: null, type: null, groupId: null, assigneeId: null, tags: [], ccIds: [], externalId: null, via, mail: null, createdAt: at(d) } }], d, 'end_user');
      await append(id, [{ type: 'ticket.status_changed', data: { ticketId: id, from: 'new', to: id % 2 ? 'pending' : 'open' } }], d + 1, 'agent');
      await append(id, [{ type: 'ticket.comment_added', data: { ticketId: id, commentId: id, authorId: 5, body: 'More', htmlBody: '<p>More</p>', public: true, attachments: [], via, mail: null, createdAt: at(d + 2) } } as TicketEvent], d + 2, id % 3 ? 'end_user' : 'agent');
      await append(id, [{ type: 'ticket.notification_delivered', data: { ticketId: id, notificationId: `n${id}`, to: ['jane@customer.test'], messageId: `<n${id}@x>`, relayResponse: '250', deliveredAt: at(d + 3) } } as TicketEvent], d + 3, 'system');
      if (id % 4 === 0) {
        await append(id, [{ type: 'ticket.status_changed', data: { ticketId: id, from: 'open', to: 'solved' } }], d + 4, 'agent');
        await append(id, [{ type: 'ticket.status_changed', data: { ticketId: id, from: 'solved', to: 'closed' } }], d + 5, 'system');
      }
    }
    await consumeAll();
    const live = await rows();
    expect(live).toHaveLength(8);

    await t.db.query(`TRUNCATE scheduler.tickets`);
    const result = await rebuildReadModel(t.db, store, schedulerProjectionRebuild, { pageSize: 7 });
    expect(result.rows).toEqual({ 'scheduler.tickets': 8, 'scheduler.users': 0 });
    expect(await rows()).toEqual(live);

    // Redelivered (inbox), and as if still queued (no inbox row): the versions keep them out.
    await consumeAll();
    await t.db.query(`DELETE FROM mailroom_events.inbox`);
    await consumeAll();
    expect(await rows()).toEqual(live);
  });
});

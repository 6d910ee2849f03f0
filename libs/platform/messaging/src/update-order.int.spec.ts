import { type Message, type NewMessage, updateOf } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import type { QueueSpec } from './topology';
import { eventsToApply, UpdateOutOfOrder } from './update-order';

/** A projection that binds the ticket's own changes, not its delivery records (as rules, the scheduler and the notifier do). */
const queue: QueueSpec = { name: 'test.projection', bindings: ['ticket.created', 'ticket.updated', 'ticket.rule_actions'].map((pattern) => ({ exchange: 'updates', pattern })) };

describe('a projection that binds only some update kinds keeps its stream order', () => {
  let t: TestDatabase;
  const store = new EventStore();
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  const append = async (stream: string, events: NewMessage[], via: 'email' | 'rule' | 'system' = 'email'): Promise<Message[]> =>
    t.db.transaction(async (tx) => (await store.append(tx, stream, 'ticket', 'any', events, { via: { channel: via, source: { from: {}, to: {}, rel: null } } })).messages);
  const ev = (type: string, ticketId: number): NewMessage => ({ type, data: { ticketId } });

  it('skips the versions of delivery records it does not bind, and waits for an update it binds', async () => {
    const created = await append('ticket-1', [ev('ticket.created', 1), ev('ticket.comment_added', 1)]);
    await append('ticket-1', [ev('ticket.notification_delivered', 1), ev('ticket.notification_delivered', 1)], 'system');
    const reply = await append('ticket-1', [ev('ticket.comment_added', 1)]);
    expect(await eventsToApply(t.db, queue, 0, updateOf(created))).toHaveLength(2);
    // Versions 3–4 were delivery records: the reply at 5 follows on from 2.
    expect((await eventsToApply(t.db, queue, 2, updateOf(reply))).map((m) => m.streamVersion)).toEqual([5]);
    // Seen already (a redelivery): nothing to apply.
    expect(await eventsToApply(t.db, queue, 5, updateOf(reply))).toEqual([]);

    const agent = await append('ticket-1', [ev('ticket.status_changed', 1)]);
    const after = await append('ticket-1', [ev('ticket.comment_added', 1)]);
    // The agent's update at 6 is one it binds and has not handled: the one at 7 waits for it.
    await expect(eventsToApply(t.db, queue, 5, updateOf(after))).rejects.toThrow(UpdateOutOfOrder);
    expect(await eventsToApply(t.db, queue, 5, updateOf(agent))).toHaveLength(1);
  });
});

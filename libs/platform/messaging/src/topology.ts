import type { Channel } from 'amqplib';
import type { Topology } from '@mailroom/contracts';

export interface Binding {
  exchange: 'events' | 'commands';
  /** Topic pattern on routing keys like `ticket.created.v1`. */
  pattern: string;
}

export interface QueueSpec {
  /** Consumer name, e.g. `rules.ticket-events`; the queue is `<namespace>.<name>`. */
  name: string;
  bindings: Binding[];
}

/**
 * Declares the exchanges and, for each consumer, its three queues:
 *  - the main queue: quorum (replicated, fsynced before confirm), single active consumer so one
 *    consumer at a time sees a ticket's events in order, even with several replicas running;
 *  - the retry queue: messages wait there for their back-off (per-message TTL) and then
 *    dead-letter back into the main queue;
 *  - the dead-letter queue: what failed its last attempt, kept for an operator to read and replay.
 * Declaring is idempotent; every service declares what it uses at start-up.
 */
export const declareTopology = async (ch: Channel, t: Topology, queues: QueueSpec[]): Promise<void> => {
  await ch.assertExchange(t.eventsExchange, 'topic', { durable: true });
  await ch.assertExchange(t.commandsExchange, 'topic', { durable: true });
  await ch.assertExchange(t.deadLetterExchange, 'direct', { durable: true });
  for (const q of queues) {
    const main = t.queue(q.name);
    await ch.assertQueue(main, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-single-active-consumer': true },
    });
    await ch.assertQueue(t.retryQueue(q.name), {
      durable: true,
      arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': main },
    });
    const dlq = t.deadLetterQueue(q.name);
    await ch.assertQueue(dlq, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.bindQueue(dlq, t.deadLetterExchange, q.name);
    for (const b of q.bindings) {
      await ch.bindQueue(main, b.exchange === 'events' ? t.eventsExchange : t.commandsExchange, b.pattern);
    }
  }
};

/**
 * Removes what {@link declareTopology} made for these queues under a namespace: its main, retry
 * and dead-letter queues, then the namespace's exchanges. For tests and benchmarks that clean up
 * after themselves; a deployment never calls it.
 */
export const deleteTopology = async (ch: Channel, t: Topology, queues: QueueSpec[]): Promise<void> => {
  for (const q of queues) {
    for (const name of [t.queue(q.name), t.retryQueue(q.name), t.deadLetterQueue(q.name)]) await ch.deleteQueue(name);
  }
  for (const name of [t.eventsExchange, t.commandsExchange, t.deadLetterExchange]) await ch.deleteExchange(name);
};

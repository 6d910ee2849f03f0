import type { Channel } from 'amqplib';
import { partitionWord, type Topology } from '@mailroom/contracts';

export interface Binding {
  /**
   * `updates`: one message per update, keys like `ticket.created`, `user.updated` (what Mailroom's
   * consumers bind); `commands`: keys like `ticket.create_ticket.v1`; `events`: one message per
   * event, keys like `ticket.created.v1` (for subscribers).
   */
  exchange: 'events' | 'commands' | 'updates';
  pattern: string;
}

const exchangeOf = (t: Topology, b: Binding): string =>
  b.exchange === 'updates' ? t.updatesExchange : b.exchange === 'commands' ? t.commandsExchange : t.eventsExchange;

export interface QueueSpec {
  /** Consumer name, e.g. `rules.ticket-events`; the queue is `<namespace>.<name>`. */
  name: string;
  bindings: Binding[];
  /**
   * Bindings of earlier versions, removed at start-up: before updates, consumers bound the events
   * exchange (`ticket.#`) and would otherwise keep receiving every event besides every update.
   */
  retiredBindings?: Binding[];
}

/**
 * The delay tiers a retry waits in, shortest first. RabbitMQ expires messages only at the head of a
 * queue, so one queue holding different waits makes a short wait sit behind a long one. With one
 * queue per tier and a queue-level TTL, every message in a queue waits the same time and the head
 * is always the next to leave. A requested wait is rounded up to the next tier (past the last, the
 * last); the ladder holds the waits the services ask for (README "Delivery guarantees").
 */
export const RETRY_TIERS: readonly { label: string; ms: number }[] = [
  { label: '50ms', ms: 50 },
  { label: '100ms', ms: 100 },
  { label: '250ms', ms: 250 },
  { label: '500ms', ms: 500 },
  { label: '1s', ms: 1_000 },
  { label: '2s', ms: 2_000 },
  { label: '5s', ms: 5_000 },
  { label: '10s', ms: 10_000 },
  { label: '15s', ms: 15_000 },
  { label: '1m', ms: 60_000 },
  { label: '5m', ms: 300_000 },
];

/** The tier a wait of `delayMs` goes to: the shortest that is not shorter, or the longest. */
export const retryTierFor = (delayMs: number): { label: string; ms: number } =>
  RETRY_TIERS.find((t) => t.ms >= delayMs) ?? RETRY_TIERS[RETRY_TIERS.length - 1];

/** A binding pattern for one partition's queue: the key's last word names the partition. */
export const partitionPattern = (pattern: string, partition: number): string => `${pattern}.${partitionWord(partition)}`;

/**
 * The routing key a retry of partition `partition` of a consumer waits under in a delay tier; the
 * partition's queue is bound to the return exchange with the same key, the tier word as `*`.
 */
export const retryKeyFor = (tier: string, consumer: string, partition: number): string => (partition === 0 ? `${tier}.${consumer}` : `${tier}.${consumer}.${partitionWord(partition)}`);

/** Thrown when a namespace was set up with another partition count than this process's. */
export class PartitionCountMismatch extends Error {}

/**
 * Declares the exchanges, the delay tiers and, for each consumer, its queues:
 *  - one main queue per partition (Topology.partitions): quorum (replicated, fsynced before
 *    confirm), single active consumer so one consumer at a time sees a partition's messages in
 *    order. The forwarder appends the stream's partition to each update's and command's routing key
 *    (`ticket.created.p3`), and partition p's queue binds each pattern with `.p<p>` appended, so a
 *    ticket's messages all go to one queue. Replicas share the partitions by lease
 *    (partition-leases.ts). Partition 0 keeps the consumer's unpartitioned queue name and its
 *    unsuffixed bindings: what an earlier version's forwarder publishes during a rolling upgrade,
 *    and what waited in the queue before, is read there;
 *  - the dead-letter queue: what failed its last attempt, kept for an operator to read and replay.
 *
 * The delay tiers are shared by all consumers of a namespace rather than one set per consumer:
 * eleven queues per installation instead of eleven per consumer (a quorum queue costs a Raft
 * group each), and sharing costs nothing in waiting, because everyone in a tier waits the same
 * time whoever it belongs to. A waiting message is published to the delay exchange with routing
 * key `<tier>.<consumer>`; on expiry the tier dead-letters it, routing key kept, into the return
 * exchange, where the consumer's main queue is bound with `*.<consumer>`. The tiers are quorum
 * queues with at-least-once dead-lettering, so a message cannot be lost between the tier and the
 * main queue (classic queues dead-letter without confirms).
 *
 * Declaring is idempotent; every service declares what it uses at start-up. The tiers carry new
 * names: the per-consumer `.retry` queues of earlier versions had other arguments, and
 * redeclaring a queue with other arguments is refused. Those old queues are left alone: where they
 * exist they still dead-letter what they hold back into the main queue by their own arguments.
 */
export const declareTopology = async (ch: Channel, t: Topology, queues: QueueSpec[]): Promise<void> => {
  await ch.assertExchange(t.eventsExchange, 'topic', { durable: true });
  await ch.assertExchange(t.updatesExchange, 'topic', { durable: true });
  await ch.assertExchange(t.commandsExchange, 'topic', { durable: true });
  await ch.assertExchange(t.deadLetterExchange, 'direct', { durable: true });
  await ch.assertExchange(t.retryDelayExchange, 'topic', { durable: true });
  await ch.assertExchange(t.retryReturnExchange, 'topic', { durable: true });
  await assertPartitionCount(ch, t);
  for (const tier of RETRY_TIERS) {
    const name = t.retryDelayQueue(tier.label);
    await ch.assertQueue(name, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-message-ttl': tier.ms,
        'x-dead-letter-exchange': t.retryReturnExchange,
        'x-dead-letter-strategy': 'at-least-once',
        // at-least-once dead-lettering needs reject-publish; there is no length limit to reach.
        'x-overflow': 'reject-publish',
      },
    });
    await ch.bindQueue(name, t.retryDelayExchange, `${tier.label}.#`);
  }
  for (const q of queues) {
    for (let p = 0; p < t.partitions; p++) {
      const main = t.partitionQueue(q.name, p);
      await ch.assertQueue(main, {
        durable: true,
        arguments: { 'x-queue-type': 'quorum', 'x-single-active-consumer': true },
      });
      await ch.bindQueue(main, t.retryReturnExchange, retryKeyFor('*', q.name, p));
      for (const b of q.bindings) {
        await ch.bindQueue(main, exchangeOf(t, b), partitionPattern(b.pattern, p));
        if (p === 0) await ch.bindQueue(main, exchangeOf(t, b), b.pattern);
      }
    }
    const dlq = t.deadLetterQueue(q.name);
    await ch.assertQueue(dlq, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.bindQueue(dlq, t.deadLetterExchange, q.name);
    // Unbinding what is not bound is not an error in RabbitMQ.
    for (const b of q.retiredBindings ?? []) await ch.unbindQueue(t.queue(q.name), exchangeOf(t, b), b.pattern);
  }
};

/**
 * The partition count is the namespace's, not a process's: a forwarder that splits by 8 while the
 * consumers read 4 partitions would route to queues nobody reads. The first process to declare the
 * namespace records its count as an argument of a marker exchange; RabbitMQ refuses a redeclaration
 * with another value, and the process stops with one line saying so. Changing the count: drain the
 * queues, delete `<namespace>.partitions`, restart everything with the new MAILROOM_PARTITIONS.
 */
const assertPartitionCount = async (ch: Channel, t: Topology): Promise<void> => {
  const marker = t.partitionsMarker;
  try {
    await ch.assertExchange(marker, 'fanout', { durable: true, arguments: { 'x-mailroom-partitions': t.partitions } });
  } catch (err) {
    const msg = (err as Error).message ?? '';
    if (/inequivalent arg 'x-mailroom-partitions'/.test(msg)) {
      const was = /but current is '?(\d+)/.exec(msg)?.[1];
      throw new PartitionCountMismatch(`MAILROOM_PARTITIONS is ${t.partitions} but this namespace's queues were set up with ${was ?? 'another number'}; use that number, or drain the queues and delete the exchange ${marker} first`);
    }
    throw err;
  }
};

/**
 * Removes what {@link declareTopology} made for these queues under a namespace: their main and
 * dead-letter queues (and the `.retry` queue of earlier versions, where there is one), the delay
 * tiers, then the namespace's exchanges. For tests and benchmarks that clean up after themselves;
 * a deployment never calls it.
 */
export const deleteTopology = async (ch: Channel, t: Topology, queues: QueueSpec[]): Promise<void> => {
  // Deleting a queue that does not exist is not an error in RabbitMQ.
  for (const q of queues) {
    for (let p = 1; p < t.partitions; p++) await ch.deleteQueue(t.partitionQueue(q.name, p));
    for (const name of [t.queue(q.name), t.retryQueue(q.name), t.deadLetterQueue(q.name)]) await ch.deleteQueue(name);
  }
  for (const tier of RETRY_TIERS) await ch.deleteQueue(t.retryDelayQueue(tier.label));
  for (const name of [t.partitionsMarker, t.eventsExchange, t.updatesExchange, t.commandsExchange, t.deadLetterExchange, t.retryDelayExchange, t.retryReturnExchange]) await ch.deleteExchange(name);
};

/**
 * Names on the broker. Every name starts with a namespace so that several installations (or test
 * runs) can share one RabbitMQ vhost without seeing each other's messages.
 */
export interface Topology {
  /** Topic exchange with every event of the log: the one internal teams subscribe to. */
  eventsExchange: string;
  /**
   * Topic exchange with one message per update (see updates.ts), routing key `<category>.<kind>`:
   * what Mailroom's own consumers read. Internal; subscribers use the events exchange.
   */
  updatesExchange: string;
  /** Topic exchange for commands between services. */
  commandsExchange: string;
  /** Where a consumer's failed messages end up after their last retry. */
  deadLetterExchange: string;
  /** Topic exchange a message waiting for a retry is published to, routing key `<tier>.<consumer>`. */
  retryDelayExchange: string;
  /** Topic exchange the delay queues dead-letter into; each main queue is bound with `*.<consumer>`. */
  retryReturnExchange: string;
  queue(consumer: string): string;
  /** The queue of one delay tier (e.g. `250ms`), shared by every consumer of the namespace. */
  retryDelayQueue(tier: string): string;
  /**
   * The per-consumer retry queue of versions before delay tiers (per-message TTL). Nothing
   * publishes to it any more; where it still exists it drains into the main queue by its own
   * arguments. Kept here so that deleting a namespace removes it too.
   */
  retryQueue(consumer: string): string;
  deadLetterQueue(consumer: string): string;
  /**
   * How many partitions each consumer's work is split into (MAILROOM_PARTITIONS): a stream (ticket)
   * always falls in the same one, so its messages keep their order while replicas share the rest.
   */
  partitions: number;
  /** A marker exchange whose argument records the namespace's partition count (declareTopology). */
  partitionsMarker: string;
  /** The queue of one partition of a consumer: partition 0 keeps the consumer's unpartitioned name. */
  partitionQueue(consumer: string, partition: number): string;
}

/**
 * The partition of a stream: FNV-1a (32 bit) of its id, modulo the partition count. Stable across
 * processes and versions, which is all routing needs; not a security boundary.
 */
export const partitionOf = (streamId: string, partitions: number): number => {
  if (partitions <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < streamId.length; i++) {
    h ^= streamId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
};

/**
 * The stream a message is partitioned by: its own, except for a command that names a ticket
 * (`data.ticketId`), which goes with that ticket's stream. A ticket's commands then meet in one
 * partition and are handled one after another, instead of in batches of different partitions that
 * append to the same ticket at once (and deadlock on its rows).
 */
export const partitionKeyOf = (m: { kind: string; streamId: string; data: unknown }): string => {
  const ticketId = m.kind === 'command' ? (m.data as { ticketId?: unknown } | null)?.ticketId : undefined;
  return typeof ticketId === 'number' && Number.isSafeInteger(ticketId) ? `ticket-${ticketId}` : m.streamId;
};

/** The routing-key word naming a partition, appended to update and command keys: `ticket.created.p3`. */
export const partitionWord = (partition: number): string => `p${partition}`;

export const topologyFor = (namespace: string, partitions = 1): Topology => ({
  eventsExchange: `${namespace}.events`,
  updatesExchange: `${namespace}.updates`,
  commandsExchange: `${namespace}.commands`,
  deadLetterExchange: `${namespace}.dead-letter`,
  retryDelayExchange: `${namespace}.retry-delay`,
  retryReturnExchange: `${namespace}.retry-return`,
  queue: (consumer) => `${namespace}.${consumer}`,
  retryDelayQueue: (tier) => `${namespace}.retry-delay.${tier}`,
  retryQueue: (consumer) => `${namespace}.${consumer}.retry`,
  deadLetterQueue: (consumer) => `${namespace}.${consumer}.dlq`,
  partitions,
  partitionsMarker: `${namespace}.partitions`,
  partitionQueue: (consumer, partition) => (partition === 0 ? `${namespace}.${consumer}` : `${namespace}.${consumer}.${partitionWord(partition)}`),
});

/**
 * Names on the broker. Every name starts with a namespace so that several installations (or test
 * runs) can share one RabbitMQ vhost without seeing each other's messages.
 */
export interface Topology {
  /** Topic exchange with every event of the log: the one internal teams subscribe to. */
  eventsExchange: string;
  /** Topic exchange for commands between services. */
  commandsExchange: string;
  /** Where a consumer's failed messages end up after their last retry. */
  deadLetterExchange: string;
  queue(consumer: string): string;
  retryQueue(consumer: string): string;
  deadLetterQueue(consumer: string): string;
}

export const topologyFor = (namespace: string): Topology => ({
  eventsExchange: `${namespace}.events`,
  commandsExchange: `${namespace}.commands`,
  deadLetterExchange: `${namespace}.dead-letter`,
  queue: (consumer) => `${namespace}.${consumer}`,
  retryQueue: (consumer) => `${namespace}.${consumer}.retry`,
  deadLetterQueue: (consumer) => `${namespace}.${consumer}.dlq`,
});

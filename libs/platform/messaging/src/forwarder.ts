import { groupIntoUpdates, partitionKeyOf, partitionOf, partitionWord, routingKeyOf, type Message } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore, LogProcessor, type LogWakeup } from '@mailroom/event-store';
import type { Broker } from './broker';

/**
 * A reader of the log whose batches never end inside an update: when the batch limit falls between
 * two events of one update, the rest of it is read too. An update's rows are consecutive in the log
 * (one statement of one transaction, all committed before any reader passes them), so the next
 * `updateSize - updateIndex - 1` messages are exactly its rest. The updates the forwarder publishes
 * are therefore always whole, and the same however the log is cut into batches (republishing the
 * log yields the same update ids for the consumers' inboxes).
 */
const wholeUpdates = (store: EventStore): EventStore => {
  const aligned = Object.create(store) as EventStore;
  aligned.readAll = async (db, after, limit) => {
    const read = await store.readAll(db, after, limit);
    const last = read.messages[read.messages.length - 1];
    const rest = last && last.kind === 'event' ? (last.metadata.updateSize ?? 1) - (last.metadata.updateIndex ?? 0) - 1 : 0;
    if (rest <= 0) return read;
    const more = await store.readAll(db, read.position, rest);
    return more.messages.length ? { messages: [...read.messages, ...more.messages], position: more.position } : read;
  };
  return aligned;
};

/**
 * The only publisher of the log (DESIGN.md §2.3): reads it from a checkpoint and publishes it to
 * RabbitMQ with publisher confirms. The checkpoint moves only after the broker confirmed, so a crash
 * or an absent broker means "publish again", never "lost".
 *
 * Each batch goes out three ways (README "Delivery guarantees", "Events for subscribers"):
 *  - every update (the events one command appended to one stream) as one message to the updates
 *    exchange, routing key `<category>.<kind>` (`ticket.created`, `ticket.delivery_recorded`,
 *    `user.created`), messageId = its first event's id: what Mailroom's own consumers read, one
 *    delivery and one transaction per update, and only the kinds they bind;
 *  - every event alone to the events exchange, routing key `<type>.v<n>`, messageId = event id: the
 *    documented per-type subscription for internal teams. With no queue bound this is a publish that
 *    RabbitMQ routes to nothing: no queue write, no delivery;
 *  - every command alone to the commands exchange.
 * Updates and commands carry their stream's partition as the last word of the routing key
 * (`ticket.created.p3`, `ticket.create_ticket.v1.p3`; topology.ts), so each goes to the one queue of
 * each consumer group that holds its ticket's partition (a command naming a ticket goes with that
 * ticket: partitionKeyOf). Events for subscribers keep plain keys.
 */
export const createForwarder = (opts: { db: Db; store: EventStore; broker: Broker; wakeup?: LogWakeup; onError?: (err: unknown) => void; instance?: string; batchSize?: number }): LogProcessor =>
  new LogProcessor({
    id: 'forwarder',
    db: opts.db,
    store: wholeUpdates(opts.store),
    wakeup: opts.wakeup,
    idleMs: 250,
    // Under load a pass per wake-up took ~3 log rows; 10 ms lets a pass take what a burst wrote.
    gatherMs: 10,
    batchSize: opts.batchSize ?? 500,
    onError: opts.onError,
    handle: async (messages: Message[]) => {
      const t = opts.broker.topology;
      const part = (streamId: string): string => `.${partitionWord(partitionOf(streamId, t.partitions))}`;
      // Which process published it: with the forwarder a role any replica may take, an operator
      // (and a test) can tell who forwarded a message.
      const by = opts.instance ? { 'x-mailroom-published-by': opts.instance } : {};
      await opts.broker.publishBatch([
        ...messages.map((m) => ({
          exchange: m.kind === 'command' ? t.commandsExchange : t.eventsExchange,
          routingKey: m.kind === 'command' ? routingKeyOf(m) + part(partitionKeyOf(m)) : routingKeyOf(m),
          body: Buffer.from(JSON.stringify(m)),
          messageId: m.id,
          headers: { 'x-mailroom-stream': m.streamId, 'x-mailroom-stream-version': m.streamVersion, ...by },
        })),
        ...groupIntoUpdates(messages).map((u) => ({
          exchange: t.updatesExchange,
          routingKey: u.routingKey + part(u.streamId),
          body: Buffer.from(JSON.stringify(u)),
          messageId: u.id,
          headers: { 'x-mailroom-stream': u.streamId, 'x-mailroom-stream-version': u.toVersion, 'x-mailroom-update': u.updateId, ...by },
        })),
      ]);
    },
  });

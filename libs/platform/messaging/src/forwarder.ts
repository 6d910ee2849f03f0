import { routingKeyOf, type Message } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore, LogProcessor, type LogWakeup } from '@mailroom/event-store';
import type { Broker } from './broker';

/**
 * The only publisher of the log (DESIGN.md §2.3): reads it from a checkpoint and publishes each
 * message to RabbitMQ with publisher confirms, messageId = event id. The checkpoint moves only after
 * the broker confirmed, so a crash or an absent broker means "publish again", never "lost".
 */
export const createForwarder = (opts: { db: Db; store: EventStore; broker: Broker; wakeup?: LogWakeup; onError?: (err: unknown) => void; instance?: string }): LogProcessor =>
  new LogProcessor({
    id: 'forwarder',
    db: opts.db,
    store: opts.store,
    wakeup: opts.wakeup,
    idleMs: 250,
    batchSize: 500,
    onError: opts.onError,
    handle: async (messages: Message[]) => {
      const t = opts.broker.topology;
      await opts.broker.publishBatch(
        messages.map((m) => ({
          exchange: m.kind === 'command' ? t.commandsExchange : t.eventsExchange,
          routingKey: routingKeyOf(m),
          body: Buffer.from(JSON.stringify(m)),
          messageId: m.id,
          // Which process published it: with the forwarder a role any replica may take, an operator
          // (and a test) can tell who forwarded a message.
          headers: { 'x-mailroom-stream': m.streamId, 'x-mailroom-stream-version': m.streamVersion, ...(opts.instance ? { 'x-mailroom-published-by': opts.instance } : {}) },
        })),
      );
    },
  });

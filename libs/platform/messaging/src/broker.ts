import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { type ConsumedUpdateKey, isUpdate, type Message, topicMatches, type Topology, topologyFor, type Update, updateOf } from '@mailroom/contracts';
import { declareTopology, retryTierFor, type QueueSpec } from './topology';

/** Thrown by a handler when retrying cannot help (bad data): the message goes to the dead-letter queue at once. */
export class PermanentFailure extends Error {}

/**
 * Thrown by a handler that must wait for another message first (a ticket's earlier version, the
 * user a ticket names). Waiting is not failing: it is retried soon and does not use up attempts,
 * within a generous bound after which the message is dead-lettered for an operator to look at.
 */
export class RetryLater extends Error {}

const MAX_WAITS = 200;

export interface DeliveryInfo {
  attempt: number;
  redelivered: boolean;
}
export type UpdateHandler = (update: Update, delivery: DeliveryInfo) => Promise<void>;
export type CommandHandler = (command: Message, delivery: DeliveryInfo) => Promise<void>;

/**
 * A consumer's handlers: one per update routing key it binds on the updates exchange (`ticket.created`,
 * `user.updated`, …) and one per command type it binds on the commands exchange
 * (`ticket.create_ticket`). Checked against the bindings when the consumer is registered
 * ({@link checkHandlers}): a bound key without a handler, a key with two, or a handler nothing
 * routes to refuses to start (DESIGN.md §4).
 */
export interface HandlerMap {
  updates?: readonly (readonly [ConsumedUpdateKey, UpdateHandler])[];
  commands?: readonly (readonly [string, CommandHandler])[];
}

/** What one delivery carries: an update (events) or a single command. */
export type Delivered = Update | Message;

export interface ConsumerSpec extends QueueSpec {
  handlers: HandlerMap;
  /** Messages in flight at once; different streams run in parallel, one stream's in order. */
  prefetch?: number;
  /** Attempts before a message is dead-lettered. */
  maxAttempts?: number;
  /** Back-off before attempt 2, 3, …; the last value repeats. Each is rounded up to a delay tier (RETRY_TIERS). */
  retryDelaysMs?: number[];
  /**
   * What to do with a message whose handling failed for good (attempts used up, or a
   * PermanentFailure), instead of dead-lettering it: for a consumer that must never leave its
   * input unhandled (ingest sets the mail aside as a suspended ticket). Only when this throws as
   * well does the message go to the dead-letter queue.
   */
  lastResort?: (input: Delivered, failure: { attempts: number; error: string }) => Promise<void>;
}

/** A bound update key or command type with no handler, two handlers for one, or a handler nothing routes to. */
export class HandlerMapError extends Error {}

const hasWildcard = (pattern: string): boolean => pattern.split('.').some((w) => w === '*' || w === '#');

/**
 * The start-up check of a consumer's handler map against its bindings (DESIGN.md §4, STYLE.md
 * "Each message type has one handler"). Consumers bind exact keys, so every key that reaches the
 * queue has exactly one handler; a wildcard binding must at least be covered by one.
 */
export const checkHandlers = (spec: Pick<ConsumerSpec, 'name' | 'bindings' | 'handlers'>): void => {
  const problems: string[] = [];
  const updateKeys = (spec.handlers.updates ?? []).map(([k]) => k as string);
  // Commands are routed as `<type>.v<schema version>`; a handler takes every version of its type.
  const commandKeys = (spec.handlers.commands ?? []).map(([k]) => `${k}.v1`);
  for (const [what, keys] of [['update', updateKeys], ['command', commandKeys]] as const) {
    const seen = new Set<string>();
    for (const k of keys) {
      if (seen.has(k)) problems.push(`two handlers for ${what} ${k}`);
      seen.add(k);
    }
  }
  for (const b of spec.bindings) {
    if (b.exchange === 'events') {
      problems.push(`binds ${b.pattern} on the events exchange, which is for subscribers: bind updates`);
      continue;
    }
    const keys = b.exchange === 'updates' ? updateKeys : commandKeys;
    const matching = keys.filter((k) => topicMatches(b.pattern, k));
    if (matching.length === 0) problems.push(`binds ${b.exchange} ${b.pattern} with no handler`);
    else if (!hasWildcard(b.pattern) && matching.length > 1) problems.push(`two handlers for ${b.exchange} ${b.pattern}`);
  }
  for (const k of updateKeys) if (!spec.bindings.some((b) => b.exchange === 'updates' && topicMatches(b.pattern, k))) problems.push(`a handler for update ${k} that no binding routes to`);
  for (const k of commandKeys) if (!spec.bindings.some((b) => b.exchange === 'commands' && topicMatches(b.pattern, k))) problems.push(`a handler for command ${k.slice(0, -3)} that no binding routes to`);
  if (problems.length) throw new HandlerMapError(`consumer ${spec.name} refuses to start: ${problems.join('; ')}`);
};

/** Finds the handler of what was delivered; a legacy single event (published before updates) is a one-event update. */
const dispatcherFor = (spec: ConsumerSpec): ((input: Delivered, delivery: DeliveryInfo) => Promise<void>) => {
  const updates = new Map<string, UpdateHandler>(spec.handlers.updates ?? []);
  const commands = new Map<string, CommandHandler>(spec.handlers.commands ?? []);
  return async (input, delivery) => {
    if (isUpdate(input)) {
      const h = updates.get(input.routingKey);
      if (!h) throw new PermanentFailure(`consumer ${spec.name} has no handler for update ${input.routingKey}`);
      return h(input, delivery);
    }
    const h = commands.get(input.type);
    if (h) return h(input, delivery);
    const u = updates.get(updateOf([input]).routingKey);
    if (input.kind === 'event' && u) return u(updateOf([input]), delivery);
    throw new PermanentFailure(`consumer ${spec.name} has no handler for ${input.kind} ${input.type}`);
  };
};

const describe = (input: Delivered): string => (isUpdate(input) ? `update ${input.routingKey} ${input.id}` : `${input.type} ${input.id}`);

export interface BrokerOptions {
  url: string;
  namespace: string;
  connectionName: string;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

/**
 * What this process's brokers did, for bench/ to read per process: messages published (confirmed
 * by RabbitMQ; retries and dead-letters included) and messages delivered to each consumer. The
 * management plugin that would count them broker-side is not enabled everywhere; two additions per
 * message cost nothing.
 */
export const brokerCounters = { published: 0, delivered: {} as Record<string, number> };

const ATTEMPT_HEADER = 'x-mailroom-attempt';
const WAITS_HEADER = 'x-mailroom-waits';

/**
 * One AMQP connection per service with reconnection: while RabbitMQ is away, publishing fails (the
 * forwarder keeps its checkpoint and tries again) and consumers wait; when it is back, the
 * topology is declared again and consumers resume. No restart needed.
 */
export class Broker {
  readonly topology: Topology;
  private model: ChannelModel | null = null;
  private publisher: ConfirmChannel | null = null;
  private readonly consumers: ConsumerSpec[] = [];
  private closed = false;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private readonly connectedWaiters: (() => void)[] = [];

  constructor(private readonly opts: BrokerOptions) {
    this.topology = topologyFor(opts.namespace);
  }

  get connected(): boolean {
    return this.publisher !== null;
  }

  /** Registers a consumer; it starts (and restarts after reconnects) whenever the broker is connected. */
  consume(spec: ConsumerSpec): void {
    if (this.consumers.some((c) => c.name === spec.name)) throw new Error(`consumer ${spec.name} registered twice`);
    checkHandlers(spec);
    this.consumers.push(spec);
    const model = this.model;
    if (model) {
      void (async () => {
        const setup = await model.createChannel();
        await declareTopology(setup, this.topology, [spec]);
        await setup.close();
        await this.startConsumer(model, spec);
      })().catch((err) => this.log('error', `consumer ${spec.name}: ${err}`));
    }
  }

  start(): void {
    void this.connectLoop();
  }

  /** Resolves once connected (for start-up ordering in tests and scripts). */
  waitUntilConnected(timeoutMs = 30000): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('broker not connected in time')), timeoutMs);
      this.connectedWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private log(level: 'info' | 'warn' | 'error', msg: string): void {
    this.opts.log?.(level, msg);
  }

  private connectLoop(): Promise<void> {
    if (this.connecting || this.closed) return this.connecting ?? Promise.resolve();
    this.connecting = (async () => {
      try {
        const model = await connect(this.opts.url, { clientProperties: { connection_name: this.opts.connectionName } });
        model.on('error', (err) => this.log('warn', `amqp connection error: ${err.message}`));
        model.on('close', () => this.onClosed(model));
        const setup = await model.createChannel();
        await declareTopology(setup, this.topology, this.consumers);
        await setup.close();
        const publisher = await model.createConfirmChannel();
        publisher.on('error', (err) => this.log('warn', `amqp publish channel error: ${err.message}`));
        publisher.on('close', () => {
          if (this.publisher === publisher) this.publisher = null;
          if (this.model === model && !this.closed) void model.close().catch(() => undefined);
        });
        for (const spec of this.consumers) await this.startConsumer(model, spec);
        this.model = model;
        this.publisher = publisher;
        this.attempt = 0;
        this.log('info', 'connected to RabbitMQ');
        this.connectedWaiters.splice(0).forEach((w) => w());
      } catch (err) {
        this.log('warn', `RabbitMQ not reachable: ${(err as Error).message}`);
        this.scheduleReconnect();
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  private onClosed(model: ChannelModel): void {
    if (this.model === model) {
      this.model = null;
      this.publisher = null;
    }
    if (!this.closed) {
      this.log('warn', 'RabbitMQ connection closed; reconnecting');
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    const delay = Math.min(5000, 100 * 2 ** Math.min(this.attempt++, 6));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connectLoop();
    }, delay);
  }

  /** Publishes and waits for the broker's confirm; throws when the broker is away or refuses. */
  async publish(exchange: string, routingKey: string, body: Buffer, props: { messageId: string; headers?: Record<string, unknown> }): Promise<void> {
    const ch = this.publisher;
    if (!ch) throw new Error('RabbitMQ is not connected');
    await new Promise<void>((resolve, reject) => {
      ch.publish(
        exchange,
        routingKey,
        body,
        { persistent: true, contentType: 'application/json', messageId: props.messageId, headers: props.headers },
        (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
      );
    });
    brokerCounters.published++;
  }

  /** Publishes a batch with one wait for confirms. */
  async publishBatch(items: { exchange: string; routingKey: string; body: Buffer; messageId: string; headers?: Record<string, unknown> }[]): Promise<void> {
    const ch = this.publisher;
    if (!ch) throw new Error('RabbitMQ is not connected');
    for (const i of items) {
      ch.publish(i.exchange, i.routingKey, i.body, { persistent: true, contentType: 'application/json', messageId: i.messageId, headers: i.headers });
    }
    await ch.waitForConfirms();
    brokerCounters.published += items.length;
  }

  private async startConsumer(model: ChannelModel, spec: ConsumerSpec): Promise<void> {
    const ch = await model.createChannel();
    ch.on('error', (err) => this.log('warn', `consumer ${spec.name} channel error: ${err.message}`));
    await ch.prefetch(spec.prefetch ?? 16);
    const chains = new Map<string, Promise<void>>();
    const dispatch = dispatcherFor(spec);
    await ch.consume(
      this.topology.queue(spec.name),
      (msg) => {
        if (!msg) return; // cancelled by the broker
        brokerCounters.delivered[spec.name] = (brokerCounters.delivered[spec.name] ?? 0) + 1;
        let key = '';
        try {
          key = (JSON.parse(msg.content.toString('utf8')) as Delivered).streamId ?? '';
        } catch {
          key = '';
        }
        // Per-stream order: a stream's messages are handled one after another.
        const prev = chains.get(key) ?? Promise.resolve();
        const next = prev.then(() => this.deliver(ch, spec, dispatch, msg)).catch((err) => this.log('error', `consumer ${spec.name}: ${err}`));
        chains.set(key, next);
        void next.then(() => {
          if (chains.get(key) === next) chains.delete(key);
        });
      },
      { noAck: false },
    );
  }

  private async deliver(ch: Channel, spec: ConsumerSpec, dispatch: (input: Delivered, delivery: DeliveryInfo) => Promise<void>, msg: ConsumeMessage): Promise<void> {
    const attempt = Number(msg.properties.headers?.[ATTEMPT_HEADER] ?? 1);
    let message: Delivered;
    try {
      message = JSON.parse(msg.content.toString('utf8')) as Delivered;
      if (!message || typeof message.id !== 'string' || (!isUpdate(message) && typeof message.type !== 'string')) throw new Error('not a Mailroom message');
    } catch (err) {
      await this.deadLetter(ch, spec, msg, attempt, `unreadable message: ${(err as Error).message}`);
      return;
    }
    try {
      await dispatch(message, { attempt, redelivered: msg.fields.redelivered });
      ch.ack(msg);
    } catch (err) {
      const reason = (err as Error)?.message ?? String(err);
      const waits = Number(msg.properties.headers?.[WAITS_HEADER] ?? 0);
      if (err instanceof RetryLater && waits < MAX_WAITS) {
        try {
          await this.parkForRetry(spec, msg.content, Math.min(2000, 25 * 2 ** Math.min(waits, 7)), {
            messageId: msg.properties.messageId ?? message.id,
            headers: { ...msg.properties.headers, [WAITS_HEADER]: waits + 1, 'x-mailroom-last-error': reason.slice(0, 500) },
          });
          ch.ack(msg);
        } catch {
          ch.nack(msg, false, true);
        }
        return;
      }
      const max = spec.maxAttempts ?? 8;
      if (err instanceof PermanentFailure || attempt >= max) {
        if (spec.lastResort) {
          try {
            await spec.lastResort(message, { attempts: attempt, error: reason });
            this.log('error', `consumer ${spec.name}: ${describe(message)} failed after attempt ${attempt}, handed to its last resort: ${reason}`);
            ch.ack(msg);
            return;
          } catch (lastErr) {
            this.log('error', `consumer ${spec.name}: ${describe(message)} LAST RESORT FAILED, dead-lettering it (needs an operator): ${(lastErr as Error)?.message ?? String(lastErr)}`);
          }
        }
        this.log('error', `consumer ${spec.name}: ${describe(message)} dead-lettered after attempt ${attempt}: ${reason}`);
        await this.deadLetter(ch, spec, msg, attempt, reason);
      } else {
        const delays = spec.retryDelaysMs ?? [200, 1000, 5000, 15000, 60000];
        const delay = delays[Math.min(attempt - 1, delays.length - 1)];
        this.log('warn', `consumer ${spec.name}: ${describe(message)} attempt ${attempt} failed, retrying in ${retryTierFor(delay).label}: ${reason}`);
        try {
          await this.parkForRetry(spec, msg.content, delay, {
            messageId: msg.properties.messageId ?? message.id,
            headers: { ...msg.properties.headers, [ATTEMPT_HEADER]: attempt + 1, 'x-mailroom-last-error': reason.slice(0, 500) },
          });
          ch.ack(msg);
        } catch {
          // Could not park it for later: hand it back; the broker redelivers it.
          ch.nack(msg, false, true);
        }
      }
    }
  }

  /**
   * Parks a message in the delay tier for `delayMs` (rounded up to a tier); when its time is up the
   * tier dead-letters it back into this consumer's queue (see declareTopology).
   */
  private parkForRetry(spec: ConsumerSpec, body: Buffer, delayMs: number, props: { messageId: string; headers: Record<string, unknown> }): Promise<void> {
    return this.publish(this.topology.retryDelayExchange, `${retryTierFor(delayMs).label}.${spec.name}`, body, props);
  }

  private async deadLetter(ch: Channel, spec: ConsumerSpec, msg: ConsumeMessage, attempt: number, reason: string): Promise<void> {
    try {
      await this.publish(this.topology.deadLetterExchange, spec.name, msg.content, {
        messageId: msg.properties.messageId ?? 'unknown',
        headers: { ...msg.properties.headers, [ATTEMPT_HEADER]: attempt, 'x-mailroom-error': reason.slice(0, 1000), 'x-mailroom-failed-at': new Date().toISOString() },
      });
      ch.ack(msg);
    } catch {
      ch.nack(msg, false, true);
    }
  }

  /** Moves every message of a consumer's dead-letter queue back to its main queue; returns how many. */
  async replayDeadLetters(consumer: string): Promise<number> {
    const model = this.model;
    if (!model) throw new Error('RabbitMQ is not connected');
    const ch = await model.createChannel();
    let moved = 0;
    try {
      for (;;) {
        const m = await ch.get(this.topology.deadLetterQueue(consumer), { noAck: false });
        if (!m) break;
        const headers = { ...m.properties.headers };
        delete headers[ATTEMPT_HEADER];
        await this.publish('', this.topology.queue(consumer), m.content, { messageId: m.properties.messageId ?? 'unknown', headers });
        ch.ack(m);
        moved++;
      }
    } finally {
      await ch.close().catch(() => undefined);
    }
    return moved;
  }

  /** Reads (without removing) what waits in a consumer's dead-letter queue. */
  async peekDeadLetters(consumer: string, max = 100): Promise<{ message: Delivered | string; error: string | null; attempts: number }[]> {
    const model = this.model;
    if (!model) throw new Error('RabbitMQ is not connected');
    const ch = await model.createChannel();
    const out: { message: Delivered | string; error: string | null; attempts: number }[] = [];
    try {
      for (let i = 0; i < max; i++) {
        const m = await ch.get(this.topology.deadLetterQueue(consumer), { noAck: false });
        if (!m) break;
        let parsed: Delivered | string;
        try {
          parsed = JSON.parse(m.content.toString('utf8')) as Delivered;
        } catch {
          parsed = m.content.toString('utf8');
        }
        out.push({ message: parsed, error: (m.properties.headers?.['x-mailroom-error'] as string) ?? null, attempts: Number(m.properties.headers?.[ATTEMPT_HEADER] ?? 0) });
      }
    } finally {
      await ch.close().catch(() => undefined); // un-acked gets go back to the queue
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    const model = this.model;
    this.model = null;
    this.publisher = null;
    if (model) await model.close().catch(() => undefined);
  }
}

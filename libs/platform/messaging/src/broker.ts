import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { type ConsumedUpdateKey, isUpdate, type Message, partitionKeyOf, partitionOf, topicMatches, type Topology, topologyFor, type Update, updateOf } from '@mailroom/contracts';
import { claimInBatch, type Db, unclaimInBatch } from '@mailroom/database';
import { hostname } from 'node:os';
import { PartitionLeases } from './partition-leases';
import { declareTopology, PartitionCountMismatch, retryKeyFor, retryTierFor, type QueueSpec } from './topology';

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
  /**
   * Handle what has arrived together as one batch (up to `prefetch` messages of one partition) in
   * one transaction of `db` (DataSourceDb.batch): one multi-row insert claims the inbox rows (for
   * `inboxConsumer`, default the consumer's name; the handlers' handleOnce then skips its own),
   * messages seen before are acked without running, each handler runs in a savepoint, and the batch
   * is acked with one `multiple` ack after the commit. A handler that fails is rolled back alone
   * (its savepoint and its inbox row) and takes the usual retry path; a batch that cannot commit is
   * handled again message by message, each in a transaction of its own. Without it, each message is
   * handled and acked on its own, and a partition's different streams run in parallel.
   */
  batch?: { db: BatchDb; inboxConsumer?: string };
}

/** What a batch needs of the database: DataSourceDb.batch. */
export interface BatchDb {
  batch<T>(work: (tx: Db) => Promise<T>): Promise<T>;
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
  /** Partitions of every consumer's work (MAILROOM_PARTITIONS); the namespace's, checked at declaration. Default 1. */
  partitions?: number;
  /**
   * Shares partitions with the other replicas of each consumer (partition-leases.ts). Without it
   * this process consumes every partition (each queue's single active consumer still keeps a
   * second process a standby).
   */
  leases?: PartitionLeases;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

/**
 * The broker of a service process: its namespace and partition count from the configuration, and
 * (when there is more than one partition) leases on its own PostgreSQL connection so that its
 * replicas share the partitions. Closing the broker gives the leases up.
 */
export const brokerFor = (cfg: { amqpUrl: string; amqpNamespace: string; amqpPartitions: number; databaseUrl: string }, connectionName: string, log?: (level: 'info' | 'warn' | 'error', msg: string) => void): Broker =>
  new Broker({
    url: cfg.amqpUrl,
    namespace: cfg.amqpNamespace,
    partitions: cfg.amqpPartitions,
    connectionName,
    leases: cfg.amqpPartitions > 1 ? new PartitionLeases({ databaseUrl: cfg.databaseUrl, instance: `${connectionName} ${hostname()}/${process.pid}`, log }) : undefined,
    log,
  });

/** One partition's consumer on its channel: stopping cancels it and waits for what it took to be settled. */
interface RunningPartition {
  ch: Channel;
  tag: string;
  idle(): Promise<void>;
  /** What it is doing, for a log line when stopping it takes long. */
  state(): string;
}

interface ConsumerEntry {
  spec: ConsumerSpec;
  /** Partitions this process consumes (all, or those its leases hold). */
  owned: Set<number>;
  running: Map<number, RunningPartition>;
  /** Start/stop of this consumer's partitions, one at a time. */
  queue: Promise<void>;
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
  private readonly consumers: ConsumerEntry[] = [];
  private closed = false;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private readonly connectedWaiters: (() => void)[] = [];

  constructor(private readonly opts: BrokerOptions) {
    this.topology = topologyFor(opts.namespace, opts.partitions ?? 1);
  }

  /** The partitions of a consumer this process consumes now. */
  partitionsOf(consumer: string): number[] {
    return [...(this.consumers.find((c) => c.spec.name === consumer)?.running.keys() ?? [])].sort((a, b) => a - b);
  }

  get connected(): boolean {
    return this.publisher !== null;
  }

  /** Registers a consumer; it starts (and restarts after reconnects) whenever the broker is connected. */
  consume(spec: ConsumerSpec): void {
    if (this.consumers.some((c) => c.spec.name === spec.name)) throw new Error(`consumer ${spec.name} registered twice`);
    checkHandlers(spec);
    const entry: ConsumerEntry = { spec, owned: new Set(), running: new Map(), queue: Promise.resolve() };
    this.consumers.push(entry);
    const model = this.model;
    if (model) {
      // Registered while connected: its queues are declared before any of its partitions starts.
      entry.queue = (async () => {
        const setup = await model.createChannel();
        await declareTopology(setup, this.topology, [spec]);
        await setup.close();
      })().catch((err) => this.log('error', `consumer ${spec.name}: ${err}`));
    }
    if (this.opts.leases && this.topology.partitions > 1) {
      this.opts.leases.join(`${this.topology.partitionsMarker}/${spec.name}`, this.topology.partitions, {
        start: (p) => this.own(entry, p),
        stop: (p) => this.disown(entry, p),
      });
    } else {
      for (let p = 0; p < this.topology.partitions; p++) void this.own(entry, p).catch((err) => this.log('error', `consumer ${spec.name}: ${err}`));
    }
  }

  /** Serialises the starts and stops of one consumer's partitions. */
  private serial(entry: ConsumerEntry, work: () => Promise<void>): Promise<void> {
    const next = entry.queue.then(work);
    entry.queue = next.catch(() => undefined);
    return next;
  }

  /** Takes a partition on: consumed now if connected, else as soon as the connection is up. */
  private own(entry: ConsumerEntry, p: number): Promise<void> {
    return this.serial(entry, async () => {
      entry.owned.add(p);
      const model = this.model;
      if (model && !entry.running.has(p)) {
        try {
          entry.running.set(p, await this.startPartition(model, entry.spec, p));
        } catch (err) {
          entry.owned.delete(p);
          throw err;
        }
      }
    });
  }

  /** Gives a partition up: cancels its consumer, waits for what it took to be settled, closes its channel. */
  private disown(entry: ConsumerEntry, p: number): Promise<void> {
    return this.serial(entry, async () => {
      entry.owned.delete(p);
      const run = entry.running.get(p);
      entry.running.delete(p);
      if (!run) return;
      await run.ch.cancel(run.tag).catch(() => undefined);
      // A partition that does not settle in 10 s says what it is stuck on (then keeps waiting).
      const slow = setTimeout(() => this.log('warn', `consumer ${entry.spec.name} partition ${p}: still settling after 10 s: ${run.state()}`), 10_000);
      slow.unref();
      await run.idle();
      clearTimeout(slow);
      // Anything still unacked (nothing, normally) goes back to the queue for the next holder.
      await run.ch.close().catch(() => undefined);
    });
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
        try {
          await declareTopology(setup, this.topology, this.consumers.map((c) => c.spec));
        } catch (err) {
          if (err instanceof PartitionCountMismatch) {
            this.log('error', err.message);
            await model.close().catch(() => undefined);
          }
          throw err;
        }
        await setup.close();
        const publisher = await model.createConfirmChannel();
        publisher.on('error', (err) => this.log('warn', `amqp publish channel error: ${err.message}`));
        publisher.on('close', () => {
          if (this.publisher === publisher) this.publisher = null;
          if (this.model === model && !this.closed) void model.close().catch(() => undefined);
        });
        for (const entry of this.consumers) {
          entry.running.clear(); // channels of a previous connection are gone with it
          for (const p of entry.owned) entry.running.set(p, await this.startPartition(model, entry.spec, p));
        }
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

  private async startPartition(model: ChannelModel, spec: ConsumerSpec, partition: number): Promise<RunningPartition> {
    const ch = await model.createChannel();
    ch.on('error', (err) => this.log('warn', `consumer ${spec.name} partition ${partition} channel error: ${err.message}`));
    await ch.prefetch(spec.prefetch ?? 16);
    const dispatch = dispatcherFor(spec);
    const queue = this.topology.partitionQueue(spec.name, partition);
    const count = (): void => {
      brokerCounters.delivered[spec.name] = (brokerCounters.delivered[spec.name] ?? 0) + 1;
    };
    if (spec.batch) {
      // What arrived waits here; one loop at a time takes all of it as the next batch.
      const waiting: ConsumeMessage[] = [];
      let loop: Promise<void> | null = null;
      let inBatch = '';
      const drain = async (): Promise<void> => {
        while (waiting.length) {
          const batch = waiting.splice(0, spec.prefetch ?? 16);
          inBatch = batch.map((m) => m.properties.messageId).join(' ');
          await this.handleBatch(ch, spec, dispatch, partition, batch).catch((err) => this.log('error', `consumer ${spec.name}: batch: ${err}`));
        }
        loop = null;
      };
      const { consumerTag } = await ch.consume(
        queue,
        (msg) => {
          if (!msg) return; // cancelled by the broker
          count();
          waiting.push(msg);
          // Let the rest of what the broker sent in this burst arrive before the batch is cut.
          if (!loop) loop = new Promise<void>((resolve) => setImmediate(resolve)).then(drain);
        },
        { noAck: false },
      );
      return { ch, tag: consumerTag, idle: async () => { while (loop) await loop; }, state: () => `batch loop ${loop ? 'running' : 'idle'}, ${waiting.length} waiting, in the batch: ${inBatch}` };
    }
    const chains = new Map<string, Promise<void>>();
    const { consumerTag } = await ch.consume(
      queue,
      (msg) => {
        if (!msg) return; // cancelled by the broker
        count();
        let key = '';
        try {
          key = (JSON.parse(msg.content.toString('utf8')) as Delivered).streamId ?? '';
        } catch {
          key = '';
        }
        // Per-stream order: a stream's messages are handled one after another.
        const prev = chains.get(key) ?? Promise.resolve();
        const next = prev.then(() => this.deliver(ch, spec, dispatch, partition, msg)).catch((err) => this.log('error', `consumer ${spec.name}: ${err}`));
        chains.set(key, next);
        void next.then(() => {
          if (chains.get(key) === next) chains.delete(key);
        });
      },
      { noAck: false },
    );
    return { ch, tag: consumerTag, idle: () => Promise.all([...chains.values()]).then(() => undefined), state: () => `${chains.size} streams in flight` };
  }

  /** Reads a delivery; what is not a Mailroom message is dead-lettered (resolves null then). */
  private async parse(spec: ConsumerSpec, msg: ConsumeMessage): Promise<Delivered | null> {
    try {
      const message = JSON.parse(msg.content.toString('utf8')) as Delivered;
      if (!message || typeof message.id !== 'string' || (!isUpdate(message) && typeof message.type !== 'string')) throw new Error('not a Mailroom message');
      return message;
    } catch (err) {
      const attempt = Number(msg.properties.headers?.[ATTEMPT_HEADER] ?? 1);
      await this.deadLetter(spec, msg, attempt, `unreadable message: ${(err as Error).message}`);
      return null;
    }
  }

  private async deliver(ch: Channel, spec: ConsumerSpec, dispatch: (input: Delivered, delivery: DeliveryInfo) => Promise<void>, partition: number, msg: ConsumeMessage): Promise<void> {
    const attempt = Number(msg.properties.headers?.[ATTEMPT_HEADER] ?? 1);
    let message: Delivered | null;
    try {
      message = await this.parse(spec, msg);
    } catch {
      ch.nack(msg, false, true);
      return;
    }
    if (!message) {
      ch.ack(msg);
      return;
    }
    try {
      await dispatch(message, { attempt, redelivered: msg.fields.redelivered });
      ch.ack(msg);
    } catch (err) {
      if ((await this.settleFailure(spec, partition, message, msg, err)) === 'requeue') ch.nack(msg, false, true);
      else ch.ack(msg);
    }
  }

  /**
   * One partition's batch (ConsumerSpec.batch): one transaction, one inbox insert, a savepoint per
   * message, one ack. A message whose handler failed takes the retry path after the commit; a
   * batch that could not commit is handled again message by message.
   */
  private async handleBatch(ch: Channel, spec: ConsumerSpec, dispatch: (input: Delivered, delivery: DeliveryInfo) => Promise<void>, partition: number, msgs: ConsumeMessage[]): Promise<void> {
    const batch = spec.batch as NonNullable<ConsumerSpec['batch']>;
    const inbox = batch.inboxConsumer ?? spec.name;
    const items: { msg: ConsumeMessage; message: Delivered | null; failure?: unknown }[] = [];
    const requeue = new Set<ConsumeMessage>();
    for (const msg of msgs) {
      try {
        items.push({ msg, message: await this.parse(spec, msg) });
      } catch {
        requeue.add(msg); // could not even dead-letter it: the broker will redeliver it
      }
    }
    const readable = items.filter((i) => i.message);
    try {
      await batch.db.batch(async (tx) => {
        // Message ids are UUIDs; PostgreSQL answers them in lower case.
        const ids = [...new Set(readable.map((i) => (i.message as Delivered).id.toLowerCase()))];
        const fresh = new Set(
          ids.length
            ? (
                await tx.query<{ message_id: string }>(
                  `INSERT INTO mailroom_events.inbox (consumer, message_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING message_id::text`,
                  [inbox, ids],
                )
              ).map((r) => r.message_id)
            : [],
        );
        claimInBatch(inbox, fresh);
        for (const item of readable) {
          const message = item.message as Delivered;
          item.failure = undefined;
          if (!fresh.has(message.id.toLowerCase())) continue; // handled before (a redelivery, or twice in this batch)
          fresh.delete(message.id.toLowerCase());
          const attempt = Number(item.msg.properties.headers?.[ATTEMPT_HEADER] ?? 1);
          try {
            await tx.transaction(() => dispatch(message, { attempt, redelivered: item.msg.fields.redelivered }));
          } catch (err) {
            item.failure = err ?? new Error('failed');
            unclaimInBatch(inbox, message.id);
            await tx.query(`DELETE FROM mailroom_events.inbox WHERE consumer = $1 AND message_id = $2`, [inbox, message.id]);
          }
        }
      });
    } catch (err) {
      // Nothing of the batch is committed: handle each message again, alone, in order.
      this.log('warn', `consumer ${spec.name}: a batch of ${msgs.length} failed to commit (${(err as Error)?.message ?? err}); handling them one by one`);
      for (const msg of msgs) {
        if (requeue.has(msg)) ch.nack(msg, false, true);
        else await this.deliver(ch, spec, dispatch, partition, msg);
      }
      return;
    }
    for (const item of readable) {
      if (item.failure === undefined) continue;
      if ((await this.settleFailure(spec, partition, item.message as Delivered, item.msg, item.failure)) === 'requeue') requeue.add(item.msg);
    }
    for (const msg of requeue) ch.nack(msg, false, true);
    const last = [...msgs].reverse().find((m) => !requeue.has(m));
    if (last) ch.ack(last, true);
  }

  /**
   * What becomes of a message whose handler threw: parked for a retry (RetryLater, or attempts
   * left), handed to the last resort, or dead-lettered. 'settled' when it may be acked, 'requeue'
   * when it could not be put anywhere and the broker must deliver it again.
   */
  private async settleFailure(spec: ConsumerSpec, partition: number, message: Delivered, msg: ConsumeMessage, err: unknown): Promise<'settled' | 'requeue'> {
    const attempt = Number(msg.properties.headers?.[ATTEMPT_HEADER] ?? 1);
    const reason = (err as Error)?.message ?? String(err);
    const waits = Number(msg.properties.headers?.[WAITS_HEADER] ?? 0);
    if (err instanceof RetryLater && waits < MAX_WAITS) {
      try {
        await this.parkForRetry(spec, partition, msg.content, Math.min(2000, 25 * 2 ** Math.min(waits, 7)), {
          messageId: msg.properties.messageId ?? message.id,
          headers: { ...msg.properties.headers, [WAITS_HEADER]: waits + 1, 'x-mailroom-last-error': reason.slice(0, 500) },
        });
        return 'settled';
      } catch {
        return 'requeue';
      }
    }
    const max = spec.maxAttempts ?? 8;
    if (err instanceof PermanentFailure || attempt >= max) {
      if (spec.lastResort) {
        try {
          await spec.lastResort(message, { attempts: attempt, error: reason });
          this.log('error', `consumer ${spec.name}: ${describe(message)} failed after attempt ${attempt}, handed to its last resort: ${reason}`);
          return 'settled';
        } catch (lastErr) {
          this.log('error', `consumer ${spec.name}: ${describe(message)} LAST RESORT FAILED, dead-lettering it (needs an operator): ${(lastErr as Error)?.message ?? String(lastErr)}`);
        }
      }
      this.log('error', `consumer ${spec.name}: ${describe(message)} dead-lettered after attempt ${attempt}: ${reason}`);
      try {
        await this.deadLetter(spec, msg, attempt, reason);
        return 'settled';
      } catch {
        return 'requeue';
      }
    }
    const delays = spec.retryDelaysMs ?? [200, 1000, 5000, 15000, 60000];
    const delay = delays[Math.min(attempt - 1, delays.length - 1)];
    this.log('warn', `consumer ${spec.name}: ${describe(message)} attempt ${attempt} failed, retrying in ${retryTierFor(delay).label}: ${reason}`);
    try {
      await this.parkForRetry(spec, partition, msg.content, delay, {
        messageId: msg.properties.messageId ?? message.id,
        headers: { ...msg.properties.headers, [ATTEMPT_HEADER]: attempt + 1, 'x-mailroom-last-error': reason.slice(0, 500) },
      });
      return 'settled';
    } catch {
      // Could not park it for later: hand it back; the broker redelivers it.
      return 'requeue';
    }
  }

  /**
   * Parks a message in the delay tier for `delayMs` (rounded up to a tier); when its time is up the
   * tier dead-letters it back into the queue of the partition it came from (see declareTopology).
   */
  private parkForRetry(spec: ConsumerSpec, partition: number, body: Buffer, delayMs: number, props: { messageId: string; headers: Record<string, unknown> }): Promise<void> {
    return this.publish(this.topology.retryDelayExchange, retryKeyFor(retryTierFor(delayMs).label, spec.name, partition), body, props);
  }

  /** Publishes a message to the consumer's dead-letter queue (throws when that fails). */
  private deadLetter(spec: ConsumerSpec, msg: ConsumeMessage, attempt: number, reason: string): Promise<void> {
    return this.publish(this.topology.deadLetterExchange, spec.name, msg.content, {
      messageId: msg.properties.messageId ?? 'unknown',
      headers: { ...msg.properties.headers, [ATTEMPT_HEADER]: attempt, 'x-mailroom-error': reason.slice(0, 1000), 'x-mailroom-failed-at': new Date().toISOString() },
    });
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
        let streamId = '';
        try {
          const parsed = JSON.parse(m.content.toString('utf8')) as Delivered;
          streamId = isUpdate(parsed) ? parsed.streamId : partitionKeyOf(parsed);
        } catch {
          streamId = '';
        }
        await this.publish('', this.topology.partitionQueue(consumer, partitionOf(streamId, this.topology.partitions)), m.content, { messageId: m.properties.messageId ?? 'unknown', headers });
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
    // Stop the partitions first (what is in flight is settled) so that another replica takes them at once.
    await this.opts.leases?.close();
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    const model = this.model;
    this.model = null;
    this.publisher = null;
    if (model) await model.close().catch(() => undefined);
  }
}

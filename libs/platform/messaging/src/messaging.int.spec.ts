import { type ConsumedUpdateKey, type Message, type Update, updateOf } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, eventually, startTcpProxy, testNamespace, TEST_AMQP_URL, type TcpProxy, type TestDatabase } from '@mailroom/testing';
import { connect } from 'amqplib';
import { Broker, brokerCounters, PermanentFailure, RetryLater, type HandlerMap, type UpdateHandler } from './broker';
import { deleteTopology, RETRY_TIERS, retryTierFor } from './topology';
import { createForwarder } from './forwarder';
import { handleOnce } from './inbox';

/** A test consumer's handler map: one handler for one update key of its own. */
const on = (key: string, handle: UpdateHandler): HandlerMap => ({ updates: [[key as ConsumedUpdateKey, handle]] });
const updatesOn = (key: string) => [{ exchange: 'updates' as const, pattern: key }];

describe('messaging on RabbitMQ', () => {
  let t: TestDatabase;
  let proxy: TcpProxy;
  let broker: Broker;
  const store = new EventStore();
  const namespace = testNamespace();

  beforeAll(async () => {
    t = await createTestDatabase();
    const amqp = new URL(TEST_AMQP_URL);
    proxy = await startTcpProxy(amqp.hostname, Number(amqp.port || 5672));
    broker = new Broker({ url: proxy.url(TEST_AMQP_URL), namespace, connectionName: 'test' });
  });
  afterAll(async () => {
    await broker.close();
    await proxy.close();
    await t.drop();
    // Run outside `npm test` (no vhost of its own), the queues would stay behind on the broker.
    const conn = await connect(TEST_AMQP_URL);
    try {
      const ch = await conn.createChannel();
      await deleteTopology(ch, broker.topology, ['test.effects', 'test.flaky', 'test.waiting', 'test.tiers', 'test.upgraded', 'test.whole', 'test.placed-only'].map((name) => ({ name, bindings: [] })));
      await ch.close();
    } finally {
      await conn.close();
    }
  });

  it('forwards the log with confirms, survives a broker outage, and consumers take effect once', async () => {
    const seen: Update[] = [];
    await t.db.query(`CREATE TABLE public.effects (message_id uuid PRIMARY KEY, stream text, n int)`);
    broker.consume({
      name: 'test.effects',
      bindings: updatesOn('order.placed'),
      handlers: on('order.placed', async (u) => {
        seen.push(u);
        await handleOnce(t.db, 'test.effects', u.id, async (tx) => {
          for (const m of u.events) await tx.query(`INSERT INTO public.effects VALUES ($1, $2, $3)`, [m.id, m.streamId, (m.data as { n: number }).n]);
        });
      }),
    });
    broker.start();
    await broker.waitUntilConnected();
    const forwarder = createForwarder({ db: t.db, store, broker });
    forwarder.start();
    try {
      for (let i = 1; i <= 5; i++) {
        await t.db.transaction((tx) => store.append(tx, `order-${i % 2}`, 'order', 'any', [{ type: 'order.placed', data: { n: i } }]));
      }
      await eventually(async () => (await t.db.query(`SELECT * FROM public.effects`)).length === 5, 'five effects');

      // Broker gone: appends keep working, nothing is published, nothing is lost.
      proxy.cut();
      await eventually(() => !broker.connected, 'broker disconnected');
      for (let i = 6; i <= 8; i++) {
        await t.db.transaction((tx) => store.append(tx, `order-${i % 2}`, 'order', 'any', [{ type: 'order.placed', data: { n: i } }]));
      }
      await new Promise((r) => setTimeout(r, 500));
      expect((await t.db.query(`SELECT * FROM public.effects`)).length).toBe(5);
      proxy.restore();
      await eventually(async () => (await t.db.query(`SELECT * FROM public.effects`)).length === 8, 'all eight effects after the broker came back');

      // A redelivered message (same id) has no second effect.
      const again = seen[0];
      await broker.publish(broker.topology.updatesExchange, 'order.placed', Buffer.from(JSON.stringify(again)), { messageId: again.id });
      await eventually(() => seen.filter((m) => m.id === again.id).length >= 2, 'the redelivery');
      expect((await t.db.query(`SELECT * FROM public.effects`)).length).toBe(8);
      // Each stream's messages were handled in order.
      for (const stream of ['order-0', 'order-1']) {
        const ns = seen.filter((m) => m.streamId === stream && m.id !== again.id).map((m) => m.fromVersion);
        expect([...new Set(ns)]).toEqual([...new Set(ns)].sort((a, b) => a - b));
      }
    } finally {
      await forwarder.stop();
    }
  });

  it('retries a failing handler with back-off, then dead-letters it for an operator to replay', async () => {
    let attempts = 0;
    let healed = false;
    const handled: string[] = [];
    broker.consume({
      name: 'test.flaky',
      bindings: updatesOn('flaky.thing'),
      maxAttempts: 3,
      retryDelaysMs: [50, 100],
      handlers: on('flaky.thing', async ({ events: [m] }, d) => {
        if ((m.data as { permanent?: boolean }).permanent && !healed) throw new PermanentFailure('cannot ever work');
        if (!healed) {
          attempts = d.attempt;
          throw new Error(`transient failure ${d.attempt}`);
        }
        handled.push(m.id);
      }),
    });
    await eventually(() => broker.connected, 'connected');
    await new Promise((r) => setTimeout(r, 300));
    const msg = (id: string, data: unknown): Message => ({
      id, kind: 'event', type: 'flaky.thing', schemaVersion: 1, streamId: 'f', streamVersion: 1, globalPosition: '1', data, metadata: { occurredAt: new Date().toISOString() },
    });
    const a = '00000000-0000-4000-8000-00000000000a';
    const b = '00000000-0000-4000-8000-00000000000b';
    await broker.publish(broker.topology.updatesExchange, 'flaky.thing', Buffer.from(JSON.stringify(updateOf([msg(a, {})]))), { messageId: a });
    await broker.publish(broker.topology.updatesExchange, 'flaky.thing', Buffer.from(JSON.stringify(updateOf([msg(b, { permanent: true })]))), { messageId: b });
    const dead = await eventually(async () => {
      const d = await broker.peekDeadLetters('test.flaky');
      return d.length === 2 ? d : undefined;
    }, 'two dead letters');
    expect(attempts).toBe(3);
    expect(dead.map((d) => d.error).sort()).toEqual(['cannot ever work', 'transient failure 3']);
    healed = true;
    expect(await broker.replayDeadLetters('test.flaky')).toBe(2);
    await eventually(() => handled.length === 2, 'replayed messages handled');
    expect(await broker.peekDeadLetters('test.flaky')).toEqual([]);
  });

  it('lets a handler wait for an earlier message without using up its attempts', async () => {
    let waits = 0;
    const done: string[] = [];
    broker.consume({
      name: 'test.waiting',
      bindings: updatesOn('waiting.thing'),
      maxAttempts: 2,
      handlers: on('waiting.thing', async (m) => {
        if (waits < 6) {
          waits++;
          throw new RetryLater('the earlier message has not arrived yet');
        }
        done.push(m.id);
      }),
    });
    await new Promise((r) => setTimeout(r, 300));
    const id = '00000000-0000-4000-8000-00000000000c';
    const m: Message = { id, kind: 'event', type: 'waiting.thing', schemaVersion: 1, streamId: 'w', streamVersion: 1, globalPosition: '1', data: {}, metadata: { occurredAt: new Date().toISOString() } };
    await broker.publish(broker.topology.updatesExchange, 'waiting.thing', Buffer.from(JSON.stringify(updateOf([m]))), { messageId: id });
    await eventually(() => done.length === 1, 'the message handled after waiting');
    expect(waits).toBe(6);
    expect(await broker.peekDeadLetters('test.waiting')).toEqual([]);
  });

  it('rounds a wait up to its delay tier', () => {
    expect(retryTierFor(0).label).toBe('50ms');
    expect(retryTierFor(200).label).toBe('250ms');
    expect(retryTierFor(1000).label).toBe('1s');
    expect(retryTierFor(1001).label).toBe('2s');
    expect(retryTierFor(86_400_000).label).toBe('5m');
    expect(RETRY_TIERS.map((t) => t.ms)).toEqual([...RETRY_TIERS.map((t) => t.ms)].sort((a, b) => a - b));
  });

  it('does not hold a short retry behind a long one of the same consumer', async () => {
    const handledAt = new Map<string, number>();
    const deliveries: string[] = [];
    let shortWaited = false;
    broker.consume({
      name: 'test.tiers',
      bindings: updatesOn('tiers.thing'),
      retryDelaysMs: [60_000],
      handlers: on('tiers.thing', async ({ events: [m] }, d) => {
        deliveries.push(`${(m.data as { name: string }).name}#${d.attempt}`);
        const name = (m.data as { name: string }).name;
        if (name === 'long') throw new Error('fails into the one-minute tier');
        if (!shortWaited) {
          shortWaited = true;
          throw new RetryLater('fails into the shortest tier');
        }
        handledAt.set(name, Date.now());
      }),
    });
    await new Promise((r) => setTimeout(r, 300));
    const publish = async (id: string, name: string) => {
      const m: Message = { id, kind: 'event', type: 'tiers.thing', schemaVersion: 1, streamId: `tiers-${name}`, streamVersion: 1, globalPosition: '1', data: { name }, metadata: { occurredAt: new Date().toISOString() } };
      await broker.publish(broker.topology.updatesExchange, 'tiers.thing', Buffer.from(JSON.stringify(updateOf([m]))), { messageId: id });
    };
    await publish('00000000-0000-4000-8000-0000000000d1', 'long');
    await eventually(() => deliveries.includes('long#1'), 'the long one failed once');
    const parkedAt = Date.now();
    await publish('00000000-0000-4000-8000-0000000000d2', 'short');
    // With one retry queue and per-message TTLs, "short" expired only once "long" left the head: a minute.
    await eventually(() => handledAt.get('short'), 'the short retry handled', 5000);
    expect(handledAt.get('short')! - parkedAt).toBeLessThan(5000);
    expect(deliveries).toEqual(['long#1', 'short#1', 'short#1']);
  });

  it('still drains the per-consumer retry queue of an earlier version', async () => {
    // What an installation upgraded with messages in flight has: the old queue, its arguments, a message with its own TTL.
    const t = broker.topology;
    const conn = await connect(TEST_AMQP_URL);
    try {
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue(t.queue('test.upgraded'), { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-single-active-consumer': true } });
      await ch.assertQueue(t.retryQueue('test.upgraded'), { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': t.queue('test.upgraded') } });
      const id = '00000000-0000-4000-8000-0000000000e1';
      const m: Message = { id, kind: 'event', type: 'upgraded.thing', schemaVersion: 1, streamId: 'u', streamVersion: 1, globalPosition: '1', data: {}, metadata: { occurredAt: new Date().toISOString() } };
      ch.sendToQueue(t.retryQueue('test.upgraded'), Buffer.from(JSON.stringify(m)), { persistent: true, messageId: id, expiration: '200', headers: { 'x-mailroom-attempt': 2 } });
      await ch.waitForConfirms();
      await ch.close();
    } finally {
      await conn.close();
    }
    const handled: number[] = [];
    // A single event as earlier versions published it: handled as a one-event update.
    broker.consume({ name: 'test.upgraded', bindings: updatesOn('upgraded.thing'), handlers: on('upgraded.thing', async (_u, d) => void handled.push(d.attempt)) });
    await eventually(() => handled.length === 1, 'the message parked by the earlier version handled');
    expect(handled).toEqual([2]);
  });

  it('publishes the events one append wrote as one update, whole even across forwarder batches, to the consumers that bind its kind only', async () => {
    const whole: Update[] = [];
    const placedOnly: Update[] = [];
    broker.consume({ name: 'test.whole', bindings: updatesOn('basket.#'), handlers: { updates: [['basket.filled' as ConsumedUpdateKey, async (u) => void whole.push(u)], ['basket.emptied' as ConsumedUpdateKey, async (u) => void whole.push(u)]] } });
    broker.consume({ name: 'test.placed-only', bindings: updatesOn('basket.emptied'), handlers: on('basket.emptied', async (u) => void placedOnly.push(u)) });
    await eventually(() => broker.connected, 'connected');
    await new Promise((r) => setTimeout(r, 300));
    const deliveredBefore = brokerCounters.delivered['test.placed-only'] ?? 0;
    // Batches of two: the three-event update is read past the batch's end rather than cut in two.
    const forwarder = createForwarder({ db: t.db, store, broker, batchSize: 2 });
    await t.db.transaction((tx) => store.append(tx, 'basket-1', 'basket', 'any', [1, 2, 3].map((n) => ({ type: 'basket.filled', data: { n } }))));
    await t.db.transaction((tx) => store.append(tx, 'basket-1', 'basket', 'any', [{ type: 'basket.emptied', data: {} }]));
    forwarder.start();
    try {
      await eventually(() => whole.length === 2 && placedOnly.length === 1, 'both updates forwarded');
    } finally {
      await forwarder.stop();
    }
    expect(whole.map((u) => [u.routingKey, u.fromVersion, u.toVersion, u.events.length])).toEqual([
      ['basket.filled', 1, 3, 3],
      ['basket.emptied', 4, 4, 1],
    ]);
    expect(whole[0].id).toBe(whole[0].events[0].id);
    // The consumer that binds only `basket.emptied` never received the filled update.
    expect(placedOnly.map((u) => u.routingKey)).toEqual(['basket.emptied']);
    expect((brokerCounters.delivered['test.placed-only'] ?? 0) - deliveredBefore).toBe(1);
  });
});

import type { Message } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, eventually, startTcpProxy, testNamespace, TEST_AMQP_URL, type TcpProxy, type TestDatabase } from '@mailroom/testing';
import { connect } from 'amqplib';
import { Broker, PermanentFailure, RetryLater } from './broker';
import { deleteTopology, RETRY_TIERS, retryTierFor } from './topology';
import { createForwarder } from './forwarder';
import { handleOnce } from './inbox';

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
      await deleteTopology(ch, broker.topology, ['test.effects', 'test.flaky', 'test.waiting', 'test.tiers', 'test.upgraded'].map((name) => ({ name, bindings: [] })));
      await ch.close();
    } finally {
      await conn.close();
    }
  });

  it('forwards the log with confirms, survives a broker outage, and consumers take effect once', async () => {
    const seen: Message[] = [];
    await t.db.query(`CREATE TABLE public.effects (message_id uuid PRIMARY KEY, stream text, n int)`);
    broker.consume({
      name: 'test.effects',
      bindings: [{ exchange: 'events', pattern: 'order.#' }],
      handle: async (m) => {
        seen.push(m);
        await handleOnce(t.db, 'test.effects', m.id, async (tx) => {
          await tx.query(`INSERT INTO public.effects VALUES ($1, $2, $3)`, [m.id, m.streamId, (m.data as { n: number }).n]);
        });
      },
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
      await broker.publish(broker.topology.eventsExchange, 'order.placed.v1', Buffer.from(JSON.stringify(again)), { messageId: again.id });
      await eventually(() => seen.filter((m) => m.id === again.id).length >= 2, 'the redelivery');
      expect((await t.db.query(`SELECT * FROM public.effects`)).length).toBe(8);
      // Each stream's messages were handled in order.
      for (const stream of ['order-0', 'order-1']) {
        const ns = seen.filter((m) => m.streamId === stream && m.id !== again.id).map((m) => m.streamVersion);
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
      bindings: [{ exchange: 'events', pattern: 'flaky.#' }],
      maxAttempts: 3,
      retryDelaysMs: [50, 100],
      handle: async (m, d) => {
        if ((m.data as { permanent?: boolean }).permanent && !healed) throw new PermanentFailure('cannot ever work');
        if (!healed) {
          attempts = d.attempt;
          throw new Error(`transient failure ${d.attempt}`);
        }
        handled.push(m.id);
      },
    });
    await eventually(() => broker.connected, 'connected');
    await new Promise((r) => setTimeout(r, 300));
    const msg = (id: string, data: unknown): Message => ({
      id, kind: 'event', type: 'flaky.thing', schemaVersion: 1, streamId: 'f', streamVersion: 1, globalPosition: '1', data, metadata: { occurredAt: new Date().toISOString() },
    });
    const a = '00000000-0000-4000-8000-00000000000a';
    const b = '00000000-0000-4000-8000-00000000000b';
    await broker.publish(broker.topology.eventsExchange, 'flaky.thing.v1', Buffer.from(JSON.stringify(msg(a, {}))), { messageId: a });
    await broker.publish(broker.topology.eventsExchange, 'flaky.thing.v1', Buffer.from(JSON.stringify(msg(b, { permanent: true }))), { messageId: b });
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
      bindings: [{ exchange: 'events', pattern: 'waiting.#' }],
      maxAttempts: 2,
      handle: async (m) => {
        if (waits < 6) {
          waits++;
          throw new RetryLater('the earlier message has not arrived yet');
        }
        done.push(m.id);
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    const id = '00000000-0000-4000-8000-00000000000c';
    const m = { id, kind: 'event', type: 'waiting.thing', schemaVersion: 1, streamId: 'w', streamVersion: 1, globalPosition: '1', data: {}, metadata: { occurredAt: new Date().toISOString() } };
    await broker.publish(broker.topology.eventsExchange, 'waiting.thing.v1', Buffer.from(JSON.stringify(m)), { messageId: id });
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
      bindings: [{ exchange: 'events', pattern: 'tiers.#' }],
      retryDelaysMs: [60_000],
      handle: async (m, d) => {
        deliveries.push(`${(m.data as { name: string }).name}#${d.attempt}`);
        const name = (m.data as { name: string }).name;
        if (name === 'long') throw new Error('fails into the one-minute tier');
        if (!shortWaited) {
          shortWaited = true;
          throw new RetryLater('fails into the shortest tier');
        }
        handledAt.set(name, Date.now());
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    const publish = async (id: string, name: string) => {
      const m: Message = { id, kind: 'event', type: 'tiers.thing', schemaVersion: 1, streamId: `tiers-${name}`, streamVersion: 1, globalPosition: '1', data: { name }, metadata: { occurredAt: new Date().toISOString() } };
      await broker.publish(broker.topology.eventsExchange, 'tiers.thing.v1', Buffer.from(JSON.stringify(m)), { messageId: id });
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
    broker.consume({ name: 'test.upgraded', bindings: [{ exchange: 'events', pattern: 'upgraded.#' }], handle: async (_m, d) => void handled.push(d.attempt) });
    await eventually(() => handled.length === 1, 'the message parked by the earlier version handled');
    expect(handled).toEqual([2]);
  });
});

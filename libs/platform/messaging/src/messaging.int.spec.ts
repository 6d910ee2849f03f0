import type { Message } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, eventually, startTcpProxy, testNamespace, TEST_AMQP_URL, type TcpProxy, type TestDatabase } from '@mailroom/testing';
import { connect } from 'amqplib';
import { Broker, PermanentFailure, RetryLater } from './broker';
import { deleteTopology } from './topology';
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
      await deleteTopology(ch, broker.topology, ['test.effects', 'test.flaky', 'test.waiting'].map((name) => ({ name, bindings: [] })));
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
});

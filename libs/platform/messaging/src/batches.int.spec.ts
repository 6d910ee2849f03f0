import { type ConsumedUpdateKey, type Message, type Update, updateOf } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { createTestDatabase, eventually, sleep, startTcpProxy, testNamespace, TEST_AMQP_URL, type TcpProxy, type TestDatabase } from '@mailroom/testing';
import { connect } from 'amqplib';
import { Broker, brokerCounters, type ConsumerSpec, type UpdateHandler } from './broker';
import { handleOnce } from './inbox';
import { declareTopology, deleteTopology } from './topology';

/**
 * Consumers that handle what arrives together as one batch: one transaction, one inbox insert,
 * one ack (ConsumerSpec.batch), on the real PostgreSQL and RabbitMQ.
 */
describe('batched consumers', () => {
  let t: TestDatabase;
  let proxy: TcpProxy;
  let broker: Broker;
  const namespace = testNamespace();
  const groups = ['test.batch-midway', 'test.batch-commit', 'test.batch-redelivered'];
  /** Batches each consumer opened. */
  const batches: Record<string, number> = {};
  const logged: string[] = [];

  /** The test's db, counting the batches each consumer opens. */
  const counting = (group: string) => ({
    batch: <T>(work: (tx: Db) => Promise<T>): Promise<T> => {
      batches[group] = (batches[group] ?? 0) + 1;
      return t.db.batch(work);
    },
  });

  const consumer = (group: string, handle: UpdateHandler, extra: Partial<ConsumerSpec> = {}): ConsumerSpec => ({
    name: group,
    bindings: [{ exchange: 'updates', pattern: 'thing.done' }],
    prefetch: 50,
    batch: { db: counting(group) },
    handlers: { updates: [['thing.done' as ConsumedUpdateKey, handle]] },
    ...extra,
  });

  const update = (i: number, data: Record<string, unknown> = {}): Update => {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const m: Message = { id, kind: 'event', type: 'thing.done', schemaVersion: 1, streamId: `thing-${i}`, streamVersion: 1, globalPosition: String(i), data: { i, ...data }, metadata: { occurredAt: new Date().toISOString() } };
    return updateOf([m]);
  };

  /** Publishes to partition 0's queue directly, before its consumer starts, so that they arrive as one batch. */
  const publish = async (u: Update): Promise<void> => {
    await broker.publish(broker.topology.updatesExchange, 'thing.done', Buffer.from(JSON.stringify(u)), { messageId: u.id });
  };

  const effects = async (group: string): Promise<number[]> =>
    (await t.db.query<{ i: number }>(`SELECT i FROM public.effects WHERE grp = $1 ORDER BY i`, [group])).map((r) => r.i);

  const record = (group: string, u: Update) =>
    handleOnce(t.db, group, u.id, async (tx) => {
      await tx.query(`INSERT INTO public.effects (grp, i) VALUES ($1, $2)`, [group, (u.events[0].data as { i: number }).i]);
    });

  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db.query(`CREATE TABLE public.effects (grp text, i int, poison boolean DEFAULT false)`);
    // Fails a transaction at COMMIT when it wrote a poisoned row: a batch that breaks after every handler ran.
    await t.db.query(`CREATE FUNCTION public.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.poison THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NULL; END $$`);
    await t.db.query(`CREATE CONSTRAINT TRIGGER refuse_poison AFTER INSERT ON public.effects DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.refuse_poison()`);
    const amqp = new URL(TEST_AMQP_URL);
    proxy = await startTcpProxy(amqp.hostname, Number(amqp.port || 5672));
    broker = new Broker({ url: proxy.url(TEST_AMQP_URL), namespace, connectionName: 'batches', log: (level, msg) => logged.push(`${level}: ${msg}`) });
    broker.start();
    await broker.waitUntilConnected();
  });

  afterAll(async () => {
    await broker.close();
    await proxy.close();
    await t.drop();
    const conn = await connect(TEST_AMQP_URL);
    try {
      const ch = await conn.createChannel();
      await deleteTopology(ch, broker.topology, groups.map((name) => ({ name, bindings: [] })));
      await ch.close();
    } finally {
      await conn.close();
    }
  });

  /** Declares a consumer's queue without consuming (a consumer that is not started), fills it, then starts it. */
  const fillThenConsume = async (spec: ConsumerSpec, updates: Update[]): Promise<void> => {
    const conn = await connect(TEST_AMQP_URL);
    try {
      const ch = await conn.createChannel();
      await declareTopology(ch, broker.topology, [spec]);
      await ch.close();
    } finally {
      await conn.close();
    }
    for (const u of updates) await publish(u);
    broker.consume(spec);
  };

  it('handles what arrived together in one transaction; a handler failing midway is rolled back alone and retried once', async () => {
    const group = groups[0];
    let failedOnce = false;
    await fillThenConsume(
      consumer(group, async (u) => {
        await record(group, u);
        // The fifth fails after writing its effect, once: its savepoint and inbox row go, the others stay.
        if ((u.events[0].data as { i: number }).i === 5 && !failedOnce) {
          failedOnce = true;
          throw new Error('midway failure');
        }
      }, { retryDelaysMs: [50] }),
      Array.from({ length: 10 }, (_, k) => update(k + 1)),
    );
    await eventually(async () => (await effects(group)).length === 10, 'ten effects');
    await sleep(300);
    expect(await effects(group)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(failedOnce).toBe(true);
    // Batches took the ten (one, when they all arrived in one burst); the retried fifth came back alone.
    expect(batches[group]).toBeGreaterThanOrEqual(2);
    expect(batches[group]).toBeLessThanOrEqual(5);
    const inbox = await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM mailroom_events.inbox WHERE consumer = $1`, [group]);
    expect(Number(inbox[0].n)).toBe(10);
    // Every batch committed (none fell back to one message at a time).
    expect(logged.filter((l) => l.includes(`consumer ${group}: a batch`))).toEqual([]);
  });

  it('leaves nothing of a batch that cannot commit, then handles its messages one by one without duplicates', async () => {
    const group = groups[1];
    const ran: number[] = [];
    await fillThenConsume(
      consumer(group, async (u) => {
        const { i, poison } = u.events[0].data as { i: number; poison?: boolean };
        ran.push(i);
        await handleOnce(t.db, group, u.id, async (tx) => {
          await tx.query(`INSERT INTO public.effects (grp, i, poison) VALUES ($1, $2, $3)`, [group, i, poison === true]);
        });
      }, { maxAttempts: 2, retryDelaysMs: [50] }),
      Array.from({ length: 8 }, (_, k) => update(100 + k, k === 3 ? { poison: true } : {})),
    );
    // The poisoned one fails at every commit: dead-lettered after its attempts; the seven others land once.
    const dead = await eventually(async () => {
      const d = await broker.peekDeadLetters(group);
      return d.length === 1 ? d : undefined;
    }, 'the poisoned update dead-lettered');
    expect(dead[0].error).toMatch(/poisoned row/);
    expect(await effects(group)).toEqual([100, 101, 102, 104, 105, 106, 107]);
    // The batch holding the poisoned one could not commit and was handled again message by message.
    expect(logged.some((l) => l.includes(`consumer ${group}: a batch of`) && l.includes('failed to commit'))).toBe(true);
    expect(ran.filter((i) => i === 103).length).toBeGreaterThanOrEqual(2);
    const inbox = await t.db.query<{ message_id: string }>(`SELECT message_id FROM mailroom_events.inbox WHERE consumer = $1`, [group]);
    expect(inbox).toHaveLength(7);
    expect(inbox.map((r) => r.message_id)).not.toContain(update(103).id);
  });

  it('has no second effect when a committed batch is delivered again (its ack was lost)', async () => {
    const group = groups[2];
    let handled = 0;
    let cut = false;
    await fillThenConsume(
      consumer(group, async (u) => {
        handled++;
        await record(group, u);
        // The connection goes after the last handler, before the ack: the broker will deliver all ten again.
        if (handled === 10 && !cut) {
          cut = true;
          proxy.cut();
        }
      }),
      Array.from({ length: 10 }, (_, k) => update(200 + k)),
    );
    await eventually(() => cut, 'the connection cut');
    const deliveredBefore = brokerCounters.delivered[group] ?? 0;
    await sleep(200);
    proxy.restore();
    // All ten when they arrived as one batch; on a busy machine the first ones may have come (and been
    // acked) in an earlier batch, and only the unacked rest is delivered again.
    await eventually(() => (brokerCounters.delivered[group] ?? 0) > deliveredBefore, 'the batch delivered again', 20000);
    await sleep(300);
    expect(await effects(group)).toEqual([200, 201, 202, 203, 204, 205, 206, 207, 208, 209]);
    // The redelivered ten were recognised by the one inbox insert: no handler ran again.
    expect(handled).toBe(10);
    expect(logged.filter((l) => l.includes(`consumer ${group}: a batch`))).toEqual([]);
  });
});

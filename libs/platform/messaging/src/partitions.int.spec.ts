import { type ConsumedUpdateKey, type Update } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, eventually, startTcpProxy, testNamespace, TEST_AMQP_URL, type TcpProxy, type TestDatabase } from '@mailroom/testing';
import { connect } from 'amqplib';
import { Broker, type ConsumerSpec } from './broker';
import { createForwarder } from './forwarder';
import { handleOnce } from './inbox';
import { PartitionLeases } from './partition-leases';
import { deleteTopology } from './topology';

/**
 * Replicas sharing a consumer's partitions (leases in PostgreSQL, one queue per partition on the
 * real RabbitMQ), a killed replica's partitions moving to the others, and each stream's updates
 * handled in stream-version order throughout; batches handled in one transaction each.
 */
const P = 6;
const GROUP = 'test.parted';

interface Replica {
  name: string;
  broker: Broker;
  leases: PartitionLeases;
  /** The replica's connections to RabbitMQ and (for its leases) PostgreSQL: cutting both is its death. */
  amqp: TcpProxy;
  pg: TcpProxy;
}

describe('partitions shared by replicas', () => {
  let t: TestDatabase;
  const store = new EventStore();
  const namespace = testNamespace();
  const replicas: Replica[] = [];
  let publisher: Broker;
  const violations: string[] = [];

  const spec = (replica: string): ConsumerSpec => ({
    name: GROUP,
    bindings: [{ exchange: 'updates', pattern: 'item.added' }],
    prefetch: 20,
    batch: { db: t.db },
    handlers: {
      updates: [
        [
          'item.added' as ConsumedUpdateKey,
          async (u: Update) => {
            await handleOnce(t.db, GROUP, u.id, async (tx) => {
              // The version this consumer saw last for the stream: the order check, at the consumer.
              const last = await tx.query<{ v: number }>(`SELECT max(version) AS v FROM public.seen WHERE stream = $1`, [u.streamId]);
              const expected = (last[0]?.v ?? 0) + 1;
              if (u.fromVersion !== expected) violations.push(`${replica} ${u.streamId}: got version ${u.fromVersion}, expected ${expected}`);
              await tx.query(`INSERT INTO public.seen (stream, version, replica) VALUES ($1, $2, $3)`, [u.streamId, u.fromVersion, replica]);
            });
          },
        ],
      ],
    },
  });

  const startReplica = async (name: string): Promise<Replica> => {
    const amqp = await startTcpProxy(new URL(TEST_AMQP_URL).hostname, Number(new URL(TEST_AMQP_URL).port || 5672));
    const pg = await startTcpProxy(new URL(t.url).hostname, Number(new URL(t.url).port || 5432));
    const leases = new PartitionLeases({ databaseUrl: pg.url(t.url), instance: name, checkEveryMs: 200 });
    const broker = new Broker({ url: amqp.url(TEST_AMQP_URL), namespace, partitions: P, leases, connectionName: name });
    broker.consume(spec(name));
    broker.start();
    await broker.waitUntilConnected();
    const r = { name, broker, leases, amqp, pg };
    replicas.push(r);
    return r;
  };

  const append = async (streams: number, perStream: number, offset: number): Promise<void> => {
    for (let v = 1; v <= perStream; v++) {
      for (let s = 0; s < streams; s++) {
        await t.db.transaction((tx) => store.append(tx, `item-${s}`, 'item', 'any', [{ type: 'item.added', data: { n: offset + v } }]));
      }
    }
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db.query(`CREATE TABLE public.seen (stream text, version int, replica text, at timestamptz DEFAULT clock_timestamp(), PRIMARY KEY (stream, version))`);
    publisher = new Broker({ url: TEST_AMQP_URL, namespace, partitions: P, connectionName: 'publisher' });
    publisher.start();
    await publisher.waitUntilConnected();
  });

  afterAll(async () => {
    for (const r of replicas) {
      await r.broker.close().catch(() => undefined);
      await r.amqp.close().catch(() => undefined);
      await r.pg.close().catch(() => undefined);
    }
    await publisher.close();
    await t.drop();
    const conn = await connect(TEST_AMQP_URL);
    try {
      const ch = await conn.createChannel();
      await deleteTopology(ch, publisher.topology, [{ name: GROUP, bindings: [] }]);
      await ch.close();
    } finally {
      await conn.close();
    }
  });

  it('shares the partitions among three replicas, keeps each stream in order, and moves a killed replica’s partitions', async () => {
    const [a, b, c] = [await startReplica('replica-a'), await startReplica('replica-b'), await startReplica('replica-c')];
    // Three members, six partitions: two each, all held, none twice.
    await eventually(() => [a, b, c].every((r) => r.broker.partitionsOf(GROUP).length === 2), 'two partitions each', 15000);
    expect([a, b, c].flatMap((r) => r.broker.partitionsOf(GROUP)).sort()).toEqual([0, 1, 2, 3, 4, 5]);

    const forwarder = createForwarder({ db: t.db, store, broker: publisher });
    forwarder.start();
    try {
      await append(24, 5, 0);
      await eventually(async () => Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM public.seen`))[0].n) === 120, 'every update handled', 30000);
      const shares = await t.db.query<{ replica: string; n: string }>(`SELECT replica, count(*) AS n FROM public.seen GROUP BY replica`);
      expect(shares.map((s) => s.replica).sort()).toEqual(['replica-a', 'replica-b', 'replica-c']);
      // A stream stays with one replica while nobody joins or leaves.
      const owners = await t.db.query<{ stream: string; n: string }>(`SELECT stream, count(DISTINCT replica) AS n FROM public.seen GROUP BY stream`);
      expect(owners.every((o) => Number(o.n) === 1)).toBe(true);

      // Kill replica c: its connections drop at once, as when its process dies.
      const lost = c.broker.partitionsOf(GROUP);
      const killedAt = Date.now();
      c.amqp.cut();
      c.pg.cut();
      await eventually(() => a.broker.partitionsOf(GROUP).length === 3 && b.broker.partitionsOf(GROUP).length === 3, 'the survivors hold three partitions each', 15000);
      const movedInMs = Date.now() - killedAt;
      expect([...a.broker.partitionsOf(GROUP), ...b.broker.partitionsOf(GROUP)].sort()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(movedInMs).toBeLessThan(10000);
      expect(lost).toHaveLength(2);

      await append(24, 5, 5);
      await eventually(async () => Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM public.seen`))[0].n) === 240, 'every update handled after the kill', 30000);
      const late = await t.db.query<{ replica: string }>(`SELECT DISTINCT replica FROM public.seen WHERE version > 5`);
      expect(late.map((r) => r.replica).sort()).toEqual(['replica-a', 'replica-b']);
      // Order: every stream's versions 1..10 each once (the handler refused any out of order).
      const perStream = await t.db.query<{ stream: string; vs: number[] }>(`SELECT stream, array_agg(version ORDER BY at) AS vs FROM public.seen GROUP BY stream`);
      expect(perStream).toHaveLength(24);
      for (const s of perStream) expect(s.vs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(violations).toEqual([]);
    } finally {
      await forwarder.stop();
    }
  });
});

import { hostname } from 'node:os';
import { readCommonConfig } from '@mailroom/config';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, eventually, sleep, testNamespace, TEST_AMQP_URL, type TestDatabase } from '@mailroom/testing';
import { connect, type ChannelModel } from 'amqplib';
import { Broker } from './broker';
import { startForwarderRole, withForwarderRole, type ForwarderRole } from './forwarder-role';
import { deleteTopology } from './topology';

/** What a subscriber saw: each event id with the process that published it. */
interface Seen {
  id: string;
  by: string;
}

describe('the forwarder as a leased role', () => {
  let t: TestDatabase;
  let amqp: ChannelModel;
  const namespace = testNamespace();
  const store = new EventStore();
  const brokers: Broker[] = [];
  const roles: ForwarderRole[] = [];
  const seen: Seen[] = [];
  let appended = 0;

  const newBroker = async (name: string): Promise<Broker> => {
    const b = new Broker({ url: TEST_AMQP_URL, namespace, connectionName: name });
    brokers.push(b);
    b.start();
    await b.waitUntilConnected();
    return b;
  };
  const role = async (instance: string): Promise<ForwarderRole> => {
    const r = startForwarderRole({ databaseUrl: t.url, db: t.db, store, broker: await newBroker(instance), instance, checkEveryMs: 500 });
    roles.push(r);
    return r;
  };
  const append = async (n: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      appended++;
      const { messages: [e] } = await t.db.transaction((tx) => store.append(tx, `role-${appended % 3}`, 'role', 'any', [{ type: 'role.thing', data: { n: appended } }]));
      ids.push(e.id);
    }
    return ids;
  };
  const allSeen = (ids: string[]) => eventually(() => ids.every((id) => seen.some((s) => s.id === id)), `${ids.length} events published`, 10_000);
  /** The lease holder's backend, as an operator finds it. */
  const holderPid = async (): Promise<number | undefined> => {
    const rows = await t.db.query<{ pid: number }>(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 7261002 AND objid = 1 AND granted`);
    return rows[0]?.pid;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    const subscriberBroker = await newBroker('role-subscriber'); // declares the exchanges
    amqp = await connect(TEST_AMQP_URL);
    const ch = await amqp.createChannel();
    const q = `${subscriberBroker.topology.queue('test.role-watch')}`;
    await ch.assertQueue(q, { exclusive: true });
    await ch.bindQueue(q, subscriberBroker.topology.eventsExchange, 'role.#');
    await ch.consume(q, (m) => {
      if (m) seen.push({ id: m.properties.messageId as string, by: String(m.properties.headers?.['x-mailroom-published-by']) });
    }, { noAck: true });
  });
  afterAll(async () => {
    for (const r of roles) await r.stop();
    for (const b of brokers) await b.close();
    await amqp.close();
    await t.drop();
    const conn = await connect(TEST_AMQP_URL);
    try {
      const ch = await conn.createChannel();
      await deleteTopology(ch, brokers[0].topology, []);
      await ch.close();
    } finally {
      await conn.close();
    }
  });

  it('lets one of two forwarders on one log publish, and the other stand by', async () => {
    const a = await role('forwarder-a');
    const b = await role('forwarder-b');
    await eventually(() => a.active || b.active, 'one forwarder active');
    const ids = await append(20);
    await allSeen(ids);
    await sleep(1500); // several lease checks: the standby stays a standby
    const [active, standby] = a.active ? [a, b] : [b, a];
    expect(standby.active).toBe(false);
    expect(active.active).toBe(true);
    expect(new Set(seen.map((s) => s.by))).toEqual(new Set([active.instance]));
    expect(seen).toHaveLength(20);
  });

  it('hands over to the standby when the active one stops, from the checkpoint on', async () => {
    const [active, standby] = roles[0].active ? [roles[0], roles[1]] : [roles[1], roles[0]];
    const before = seen.length;
    await active.stop();
    await eventually(() => standby.active, 'the standby took over', 3000);
    const ids = await append(10);
    await allSeen(ids);
    // A clean stop checkpointed everything it published: the new holder publishes only what is new.
    expect(seen.slice(before).map((s) => s.by)).toEqual(ids.map(() => standby.instance));
    expect(seen).toHaveLength(before + 10);
  });

  it('hands over when the holder loses its database connection, and the old holder stands by', async () => {
    const holder = roles.find((r) => r.active)!;
    const c = await role('forwarder-c');
    await sleep(1000);
    expect(c.active).toBe(false);
    const pid = await holderPid();
    expect(pid).toBeDefined();
    const admin = await t.db.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid]);
    expect(admin[0].ok).toBe(true);
    await eventually(() => !holder.active, 'the old holder gave the role up', 3000);
    await eventually(() => c.active, 'the standby took over', 5000);
    const ids = await append(10);
    await allSeen(ids);
    // At least once: every event arrived, each published by the new holder; the old one is a standby again.
    for (const id of ids) expect(seen.filter((s) => s.id === id).map((s) => s.by)).toContain(c.instance);
    await eventually(async () => (await holderPid()) !== pid, 'the lease held by another backend');
    expect(holder.active).toBe(false);
    expect(roles.filter((r) => r.active)).toEqual([c]);
  });

  it('runs the role beside a service whose main asks for it with MAILROOM_FORWARDER', async () => {
    for (const r of roles) await r.stop();
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const config = (forwarder: string) =>
      readCommonConfig({ MAILROOM_ENV: 'development', DATABASE_URL: t.url, AMQP_URL: TEST_AMQP_URL, MAILROOM_AMQP_NAMESPACE: namespace, MAILROOM_FORWARDER: forwarder });
    let serviceClosed = 0;
    const start = withForwarderRole(async () => ({ close: async () => void serviceClosed++ }));
    const without = await start(config('false'), quiet);
    const ids = await append(3);
    await sleep(1500);
    expect(seen.filter((s) => ids.includes(s.id))).toEqual([]);
    const withRole = await start(config('true'), quiet);
    try {
      await allSeen(ids);
      expect(new Set(seen.filter((s) => ids.includes(s.id)).map((s) => s.by))).toEqual(new Set([`${hostname()}/${process.pid}`]));
    } finally {
      await withRole.close();
      await without.close();
    }
    expect(serviceClosed).toBe(2);
  });
});

import type { Message } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { EventStore, ExpectedVersionConflict, LOG_START } from './event-store';
import { LogProcessor, rebuildProjection } from './log-processor';

describe('event store on PostgreSQL', () => {
  let t: TestDatabase;
  const store = new EventStore();

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.drop());

  it('appends with an expected version and refuses a stale writer', async () => {
    const r1 = await t.db.transaction((tx) => store.append(tx, 'ticket-1', 'ticket', 'no_stream', [{ type: 'a', data: { n: 1 } }, { type: 'b', data: { n: 2 } }]));
    expect(r1.version).toBe(2);
    expect(r1.messages.map((m) => m.streamVersion)).toEqual([1, 2]);
    expect(r1.messages[0].metadata.updateId).toBe(r1.messages[1].metadata.updateId);
    expect(r1.messages[1].metadata).toMatchObject({ updateSize: 2, updateIndex: 1 });

    await expect(t.db.transaction((tx) => store.append(tx, 'ticket-1', 'ticket', 1, [{ type: 'c', data: {} }]))).rejects.toBeInstanceOf(ExpectedVersionConflict);
    await expect(t.db.transaction((tx) => store.append(tx, 'ticket-1', 'ticket', 'no_stream', [{ type: 'c', data: {} }]))).rejects.toBeInstanceOf(ExpectedVersionConflict);
    const r2 = await t.db.transaction((tx) => store.append(tx, 'ticket-1', 'ticket', 2, [{ type: 'c', data: {} }]));
    expect(r2.version).toBe(3);
    expect((await store.readStream(t.db, 'ticket-1')).map((m) => m.type)).toEqual(['a', 'b', 'c']);
  });

  it('lets exactly one of two concurrent writers at the same version win', async () => {
    await t.db.transaction((tx) => store.append(tx, 'race', 'ticket', 'no_stream', [{ type: 'x', data: {} }]));
    const results = await Promise.allSettled(
      [1, 2].map((i) => t.db.transaction((tx) => store.append(tx, 'race', 'ticket', 1, [{ type: `w${i}`, data: {} }]))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await store.streamVersion(t.db, 'race')).toBe(2);
  });

  it('never lets a reader pass a transaction that is still in flight', async () => {
    // Read past everything the earlier tests wrote: readAll stops short while any transaction on the
    // cluster is in flight (another suite's), so wait until the whole log so far has been read.
    const [{ n }] = await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM mailroom_events.messages`);
    const before = await drain(store, t, LOG_START, (read) => read.length >= Number(n));
    // A slow writer takes a position first but commits last.
    const slow = t.db.dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    await slow.query(`SELECT pg_current_xact_id()`);
    await slow.query(
      `INSERT INTO mailroom_events.messages (message_id, kind, stream_id, stream_version, type, schema_version, data, metadata)
       VALUES (gen_random_uuid(), 'event', 'slow', 1, 'slow', 1, '{}', '{}')`,
    );
    await t.db.transaction((tx) => store.append(tx, 'fast', 'ticket', 'no_stream', [{ type: 'fast', data: {} }]));
    const whileOpen = await store.readAll(t.db, before.position);
    expect(whileOpen.messages.map((m) => m.type)).not.toContain('fast');
    await slow.commitTransaction();
    await slow.release();
    const after = await drain(store, t, before.position, (read) => read.length >= 2);
    expect(after.messages.map((m) => m.type)).toEqual(['slow', 'fast']);
  });

  it('commits a projection and its checkpoint together and rebuilds it from zero', async () => {
    await t.db.query(`CREATE TABLE IF NOT EXISTS public.type_counts (type text PRIMARY KEY, n int NOT NULL)`);
    const handle = async (messages: Message[], tx: Db) => {
      for (const m of messages) {
        await tx.query(`INSERT INTO public.type_counts VALUES ($1, 1) ON CONFLICT (type) DO UPDATE SET n = type_counts.n + 1`, [m.type]);
      }
    };
    let failNext = true;
    const p = new LogProcessor({
      id: 'counts',
      db: t.db,
      store,
      handle: async (messages, tx) => {
        await handle(messages, tx);
        if (failNext) {
          failNext = false;
          throw new Error('crash after writing the projection');
        }
      },
    });
    await expect(p.runOnce()).rejects.toThrow('crash');
    // Nothing of the failed batch stayed behind.
    expect(await t.db.query(`SELECT * FROM public.type_counts`)).toEqual([]);
    const counts = async () => Object.fromEntries((await t.db.query<{ type: string; n: number }>(`SELECT type, n FROM public.type_counts`)).map((r) => [r.type, r.n]));
    const logSize = Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM mailroom_events.messages`))[0].n);
    const total = async () => Object.values(await counts()).reduce((a, b) => a + b, 0);
    // The processor may stop short while another suite's transaction is open on the cluster; it
    // catches up once that commits, so run it until it has seen the whole log.
    const catchUp = async () => {
      for (const deadline = Date.now() + 10_000; (await total()) < logSize && Date.now() < deadline; ) if ((await p.runOnce()) === 0) await new Promise((r) => setTimeout(r, 20));
    };
    await catchUp();
    const first = await counts();
    expect(first).toMatchObject({ a: 1, b: 1, c: 1, fast: 1, slow: 1 });
    await rebuildProjection(t.db, 'counts', (tx) => tx.query(`TRUNCATE public.type_counts`).then(() => undefined));
    expect(await counts()).toEqual({});
    await catchUp();
    expect(await counts()).toEqual(first);
  });
});

/**
 * Reads the log from a position until a page comes back empty — and, when `enough` is given, until
 * it says so (another suite's open transaction may hold the reader back for a moment), 10 s at most.
 */
const drain = async (store: EventStore, t: TestDatabase, from: typeof LOG_START, enough: (read: Message[]) => boolean = () => true) => {
  let position = from;
  const all: Message[] = [];
  for (const deadline = Date.now() + 10_000; ; ) {
    const r = await store.readAll(t.db, position);
    if (r.messages.length === 0) {
      if (enough(all) || Date.now() > deadline) return { messages: all, position };
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    all.push(...r.messages);
    position = r.position;
  }
};

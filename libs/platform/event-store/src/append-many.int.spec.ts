import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { EventStore, ExpectedVersionConflict } from './event-store';

describe('appending to many streams in one transaction', () => {
  let t: TestDatabase;
  const store = new EventStore();

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.drop());

  it('appends to new, known and any streams with the same versions and update ids as one append each', async () => {
    await t.db.transaction((tx) => store.append(tx, 'many-known', 'ticket', 'no_stream', [{ type: 'a', data: {} }]));
    await t.db.transaction((tx) => store.append(tx, 'many-any', 'ticket', 'no_stream', [{ type: 'a', data: {} }, { type: 'b', data: {} }]));
    const results = await t.db.transaction((tx) =>
      store.appendMany(tx, [
        { streamId: 'many-new', streamType: 'mail', expected: 'no_stream', messages: [{ type: 'mail.received', data: { n: 1 } }], common: { correlationId: 'c1' } },
        { streamId: 'many-known', streamType: 'ticket', expected: 1, messages: [{ type: 'b', data: {} }, { type: 'c', data: {} }] },
        { streamId: 'many-any', streamType: 'ticket', expected: 'any', messages: [{ type: 'c', data: {} }] },
        { streamId: 'many-zero', streamType: 'ticket', expected: 0, messages: [{ type: 'a', data: {} }] },
      ]),
    );
    expect(results.map((r) => r.version)).toEqual([1, 3, 3, 1]);
    expect(results[1].messages.map((m) => [m.type, m.streamVersion])).toEqual([['b', 2], ['c', 3]]);
    expect(results[1].messages[0].metadata).toMatchObject({ updateSize: 2, updateIndex: 0, updateId: results[1].messages[1].metadata.updateId });
    expect(results[0].messages[0].metadata).toMatchObject({ correlationId: 'c1', updateSize: 1 });
    expect(results[0].messages[0].metadata.updateId).not.toBe(results[1].messages[0].metadata.updateId);
    expect((await store.readStream(t.db, 'many-known')).map((m) => m.type)).toEqual(['a', 'b', 'c']);
    expect(await store.streamVersion(t.db, 'many-any')).toBe(3);
  });

  it('refuses the whole batch when one stream is not at its expected version', async () => {
    await t.db.transaction((tx) => store.append(tx, 'taken', 'mail', 'no_stream', [{ type: 'x', data: {} }]));
    await t.db.transaction((tx) => store.append(tx, 'stale', 'ticket', 'no_stream', [{ type: 'x', data: {} }, { type: 'y', data: {} }]));
    for (const wrong of [
      { streamId: 'taken', streamType: 'mail', expected: 'no_stream' as const, messages: [{ type: 'x', data: {} }] },
      { streamId: 'stale', streamType: 'ticket', expected: 1, messages: [{ type: 'z', data: {} }] },
    ]) {
      await expect(
        t.db.transaction((tx) =>
          store.appendMany(tx, [{ streamId: `innocent-${wrong.streamId}`, streamType: 'mail', expected: 'no_stream', messages: [{ type: 'x', data: {} }] }, wrong]),
        ),
      ).rejects.toBeInstanceOf(ExpectedVersionConflict);
      expect(await store.streamVersion(t.db, `innocent-${wrong.streamId}`)).toBe(0);
    }
    expect(await store.streamVersion(t.db, 'stale')).toBe(2);
  });

  it('lets exactly one of two concurrent batches claiming the same stream win', async () => {
    const results = await Promise.allSettled(
      [1, 2].map((i) =>
        t.db.transaction((tx) =>
          store.appendMany(tx, [
            { streamId: `own-${i}`, streamType: 'mail', expected: 'no_stream', messages: [{ type: 'x', data: {} }] },
            { streamId: 'contested', streamType: 'mail', expected: 'no_stream', messages: [{ type: `w${i}`, data: {} }] },
          ]),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await store.readStream(t.db, 'contested')).length).toBe(1);
    expect((await store.streamVersion(t.db, 'own-1')) + (await store.streamVersion(t.db, 'own-2'))).toBe(1);
  });
});

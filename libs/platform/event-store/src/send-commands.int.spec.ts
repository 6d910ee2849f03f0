import { randomUUID } from 'node:crypto';
import type { Message } from '@mailroom/contracts';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { EventStore } from './event-store';

const command = (id: string, n: number) => ({ id, type: 'ticket.do_something', data: { n } });

describe('sending a batch of commands in one transaction', () => {
  let t: TestDatabase;
  const store = new EventStore();

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.drop());

  const rowsOf = async (ids: string[]) =>
    (
      await t.db.query<{ message_id: string; kind: string; stream_id: string; stream_version: string; type: string; data: unknown; metadata: Message['metadata']; global_position: string }>(
        `SELECT message_id, kind, stream_id, stream_version, type, data, metadata, global_position FROM mailroom_events.messages WHERE message_id = ANY($1::uuid[]) ORDER BY global_position`,
        [ids],
      )
    ).map((r) => ({ ...r, global_position: Number(r.global_position) }));

  it('appends each command as sendCommand would, in the order given, with consecutive global positions', async () => {
    // Not in id order: the log keeps the caller's order.
    const ids = Array.from({ length: 5 }, () => randomUUID()).sort().reverse();
    const single = randomUUID();
    await t.db.transaction((tx) => store.sendCommand(tx, command(single, 0), { correlationId: 'c' }));
    const sent = await t.db.transaction((tx) => store.sendCommands(tx, ids.map((id, i) => command(id, i + 1)), { correlationId: 'c' }));
    expect(sent).toEqual([true, true, true, true, true]);

    const rows = await rowsOf(ids);
    expect(rows.map((r) => r.message_id)).toEqual(ids);
    expect(rows.map((r) => r.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]);
    expect(rows.map((r) => r.global_position - rows[0].global_position)).toEqual([0, 1, 2, 3, 4]);
    // The same shape as one sent alone: its own stream at version 1, its own update.
    const [alone] = await rowsOf([single]);
    for (const r of rows) {
      expect(r).toMatchObject({ kind: alone.kind, stream_id: `command-${r.message_id}`, stream_version: alone.stream_version, type: alone.type });
      expect(Object.keys(r.metadata).sort()).toEqual(Object.keys(alone.metadata).sort());
      expect(r.metadata).toMatchObject({ correlationId: 'c', updateSize: 1, updateIndex: 0 });
    }
    expect(new Set(rows.map((r) => r.metadata.updateId)).size).toBe(5);
    const streams = await t.db.query<{ stream_type: string; version: string }>(`SELECT stream_type, version FROM mailroom_events.streams WHERE stream_id = ANY($1::text[])`, [
      ids.map((id) => `command-${id}`),
    ]);
    expect(streams).toEqual(ids.map(() => ({ stream_type: 'command', version: '1' })));
    // The log's readers see them as commands, in that order.
    expect((await store.readStream(t.db, `command-${ids[2]}`)).map((m) => [m.kind, m.streamVersion, m.data])).toEqual([['command', 1, { n: 3 }]]);
  });

  it('sends an id once: not again when it is in the log, and only the first of a repeated id', async () => {
    const [old, a, b] = [randomUUID(), randomUUID(), randomUUID()];
    await t.db.transaction((tx) => store.sendCommand(tx, command(old, 0)));
    const sent = await t.db.transaction((tx) => store.sendCommands(tx, [command(a, 1), command(old, 2), command(b, 3), command(a, 4), command(a.toUpperCase(), 5)]));
    expect(sent).toEqual([true, false, true, false, false]);
    expect((await rowsOf([old, a, b])).map((r) => [r.message_id, r.data])).toEqual([
      [old, { n: 0 }],
      [a, { n: 1 }],
      [b, { n: 3 }],
    ]);
    // The whole batch again (a resumed sender): nothing is sent, and nothing fails.
    expect(await t.db.transaction((tx) => store.sendCommands(tx, [command(a, 1), command(b, 3)]))).toEqual([false, false]);
    expect(await t.db.transaction((tx) => store.sendCommand(tx, command(b, 3)))).toBe(false);
    expect(await t.db.transaction((tx) => store.sendCommands(tx, []))).toEqual([]);
  });

  /** Two batches sharing a command: the first holds its transaction open until the second waits on it. */
  const overlap = async (firstCommits: boolean) => {
    const [shared, own1, own2] = [randomUUID(), randomUUID(), randomUUID()];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstSent!: () => void;
    const firstHasSent = new Promise<void>((resolve) => (firstSent = resolve));
    const first = t.db
      .transaction(async (tx) => {
        const r = await store.sendCommands(tx, [command(own1, 1), command(shared, 1)]);
        firstSent();
        await gate;
        if (!firstCommits) throw new Error('the first sender failed');
        return r;
      })
      .catch((err: Error) => err.message);
    await firstHasSent;
    const second = t.db.transaction((tx) => store.sendCommands(tx, [command(shared, 2), command(own2, 2)]));
    // The second's look-up cannot see the first's uncommitted command: it waits on its stream row.
    for (let i = 0; ; i++) {
      const [w] = await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      if (Number(w.n) > 0) break;
      if (i > 200) throw new Error('the second batch never waited');
      await new Promise((r) => setTimeout(r, 10));
    }
    release();
    return { first: await first, second: await second, shared, rows: await rowsOf([shared, own1, own2]), own1, own2 };
  };

  it('leaves a command a concurrent batch sent meanwhile to it, and sends it when that batch rolls back', async () => {
    const committed = await overlap(true);
    expect(committed.first).toEqual([true, true]);
    expect(committed.second).toEqual([false, true]);
    expect(committed.rows.map((r) => [r.message_id, r.data])).toEqual([
      [committed.own1, { n: 1 }],
      [committed.shared, { n: 1 }],
      [committed.own2, { n: 2 }],
    ]);

    const rolledBack = await overlap(false);
    expect(rolledBack.first).toBe('the first sender failed');
    expect(rolledBack.second).toEqual([true, true]);
    expect(rolledBack.rows.map((r) => [r.message_id, r.data])).toEqual([
      [rolledBack.shared, { n: 2 }],
      [rolledBack.own2, { n: 2 }],
    ]);
  });
});

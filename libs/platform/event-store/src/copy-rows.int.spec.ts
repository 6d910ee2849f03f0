import { pgClientOf } from '@mailroom/database';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { copyRows, insertRows } from './log-rebuild';

/**
 * A rebuild writes its rows with COPY (`copyRows`); they must be exactly what the former
 * `insertRows` (json_populate_recordset) writes from the same objects, whatever the column types
 * and whatever the strings hold.
 */
describe('copyRows', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db.query(`CREATE DOMAIN copy_spec_doc AS jsonb`);
    for (const table of ['copy_spec_a', 'copy_spec_b']) {
      await t.db.query(
        `CREATE TABLE ${table} (
           id bigint PRIMARY KEY, name text, n integer, ratio numeric, flag boolean, at timestamptz, day date,
           data jsonb, raw json, doc copy_spec_doc, tags text[], ids bigint[], docs jsonb[], note text DEFAULT 'default')`,
      );
    }
  });
  afterAll(async () => t?.drop());

  const tricky = ['tab\there', 'new\nline', 'cr\rhere', 'back\\slash', 'quote " and \' and , and {braces}', '\\N', 'NULL', '', 'ünïcödé ✓ 🎉', 'end\\'];
  const rows = [
    ...tricky.map((s, i) => ({
      id: i + 1,
      name: s,
      n: i,
      ratio: i / 3,
      flag: i % 2 === 0,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      day: '2026-01-02',
      data: { s, nested: { list: [s, null, i, true], empty: {} }, skipped: undefined },
      raw: [s, { k: s }],
      doc: s,
      tags: [s, null, 'plain', 'with space', 'a,b'],
      ids: [i, null, 2 ** 40],
      docs: [{ s }, null, [s]],
      note: s,
    })),
    // Missing keys and nulls are NULL (not the default); scalars into text columns as JSON would carry them.
    { id: 100 },
    { id: 101, name: 42, n: null, flag: null, data: null, raw: null, doc: null, tags: [], ids: [], docs: [], note: null },
    { id: 102, name: true, data: 'just a string', doc: 7, tags: [1, false, { k: 'v' }], note: { object: ['as', 'json'] } },
    { id: 103, name: -0, ratio: 1e21, n: 7, data: [], raw: {}, doc: [1, 'x'], tags: null, ids: null, docs: null, note: undefined },
  ];
  const read = (table: string) => t.db.query(`SELECT * FROM ${table} ORDER BY id`);

  it('writes what insertRows writes, column for column', async () => {
    await t.db.transaction((tx) => insertRows(tx, 'copy_spec_a', rows));
    const n = await t.db.transaction(async (tx) => {
      expect(await pgClientOf(tx)).toBeDefined(); // the COPY path, not the fallback
      return copyRows(tx, 'copy_spec_b', rows);
    });
    expect(n).toBe(rows.length);
    const a = await read('copy_spec_a');
    expect(a).toHaveLength(rows.length);
    expect(await read('copy_spec_b')).toEqual(a);
  });

  it('writes only the columns named, the others taking their defaults, in chunks across a large table', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => ({ id: 1000 + i, name: `row ${i}\t${'x'.repeat(i % 50)}`, data: { i, text: 'y\n'.repeat(i % 7) } }));
    const columns = ['id', 'name', 'data'];
    await t.db.transaction((tx) => insertRows(tx, 'copy_spec_a', many, { columns }));
    await t.db.transaction((tx) => copyRows(tx, 'copy_spec_b', many, { columns }));
    const a = await t.db.query(`SELECT * FROM copy_spec_a WHERE id >= 1000 ORDER BY id`);
    expect(a).toHaveLength(many.length);
    expect(a[0]).toMatchObject({ note: 'default' });
    expect(await t.db.query(`SELECT * FROM copy_spec_b WHERE id >= 1000 ORDER BY id`)).toEqual(a);
  });

  it('rolls back with its transaction', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await copyRows(tx, 'copy_spec_b', [{ id: 50_000 }]);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await t.db.query(`SELECT id FROM copy_spec_b WHERE id = 50000`)).toEqual([]);
  });

  it('falls back to insertRows outside a transaction (a pool has no one connection)', async () => {
    expect(await pgClientOf(t.db)).toBeUndefined();
    expect(await copyRows(t.db, 'copy_spec_b', [{ id: 60_000, name: 'pooled' }])).toBe(1);
    expect(await t.db.query(`SELECT name FROM copy_spec_b WHERE id = 60000`)).toEqual([{ name: 'pooled' }]);
  });
});

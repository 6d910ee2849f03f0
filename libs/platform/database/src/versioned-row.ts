import type { Db } from './db';

/**
 * Merges `data` into the JSON of a projection row `(id, version, data)`, only when `version` is
 * newer than the row's: the people views of rules, scheduler and notifier are taken in stream
 * order this way, so a redelivered or late event never undoes a newer one.
 */
export const mergeVersionedRow = async (tx: Db, table: string, id: number, version: number, data: object): Promise<void> => {
  if (!/^[a-z_]+\.[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  await tx.query(
    `INSERT INTO ${table} (id, version, data) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, data = ${table}.data || EXCLUDED.data WHERE ${table}.version < EXCLUDED.version`,
    [id, version, JSON.stringify(data)],
  );
};

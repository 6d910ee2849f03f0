import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { DataSourceDb } from './db';

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

export const createDataSource = (opts: DatabaseOptions): DataSource =>
  new DataSource({
    type: 'postgres',
    url: opts.url,
    migrations: MIGRATIONS,
    migrationsTableName: 'mailroom_migrations',
    migrationsTransactionMode: 'each',
    logging: false,
    extra: {
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 10000,
      application_name: opts.applicationName ?? 'mailroom',
    },
  });

/** Creates the database named in the URL when it does not exist yet. */
export const ensureDatabase = async (url: string): Promise<void> => {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`unsupported database name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
};

/** Creates the database if needed and applies every pending migration. Safe to run repeatedly. */
export const migrate = async (url: string): Promise<string[]> => {
  await ensureDatabase(url);
  const ds = createDataSource({ url, poolSize: 2, applicationName: 'mailroom-migrate' });
  await ds.initialize();
  try {
    // One migrator at a time, even when several replicas start together.
    await ds.query('SELECT pg_advisory_lock(7261001)');
    const applied = await ds.runMigrations({ transaction: 'each' });
    await ds.query('SELECT pg_advisory_unlock(7261001)');
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
};

/** Connects, waiting for the database to come up (fail closed at boot, recover alone). */
export const connectDatabase = async (
  opts: DatabaseOptions,
  log: (msg: string) => void = () => undefined,
  signal?: AbortSignal,
): Promise<DataSourceDb> => {
  const ds = createDataSource(opts);
  for (let attempt = 1; ; attempt++) {
    try {
      await ds.initialize();
      return new DataSourceDb(ds);
    } catch (err) {
      if (signal?.aborted) throw err;
      log(`database not reachable (attempt ${attempt}): ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, Math.min(5000, 200 * attempt)));
    }
  }
};

import { Client } from 'pg';
import { connectDatabase, migrate, type DataSourceDb } from '@mailroom/database';

export const TEST_DATABASE_SERVER = process.env.MAILROOM_TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
export const TEST_AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

const unique = (): string => `${process.env.MAILROOM_TEST_RUN ?? 'local'}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

export interface TestDatabase {
  url: string;
  db: DataSourceDb;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test suite; dropped at the end. */
export const createTestDatabase = async (): Promise<TestDatabase> => {
  const name = `mailroom_test_${unique()}`.toLowerCase();
  const url = `${TEST_DATABASE_SERVER}/${name}`;
  await migrate(url);
  const db = await connectDatabase({ url, poolSize: 5, applicationName: 'mailroom-test' });
  return {
    url,
    db,
    drop: async () => {
      await db.dataSource.destroy().catch(() => undefined);
      await dropDatabase(url);
    },
  };
};

export const dropDatabase = async (url: string): Promise<void> => {
  const name = new URL(url).pathname.slice(1);
  const admin = new Client({ connectionString: `${TEST_DATABASE_SERVER}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
};

/** A broker namespace (exchange and queue prefix) no other test run uses. */
export const testNamespace = (): string => `mrtest.${unique()}`;

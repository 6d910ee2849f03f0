import { DataSource, QueryRunner } from 'typeorm';

/**
 * The one way services talk SQL: plain parameterised queries, and transactions that either commit
 * whole or leave nothing behind. TypeORM owns the pool and the migrations; queries stay visible SQL.
 */
export interface Db {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
}

class RunnerDb implements Db {
  constructor(private readonly runner: QueryRunner) {}

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    // Structured result: TypeORM otherwise returns [rows, count] for UPDATE and DELETE.
    const result = await this.runner.query(sql, params, true);
    return result.records as T[];
  }

  /** Nested transactions become savepoints. */
  async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    const name = `sp_${Math.random().toString(36).slice(2, 10)}`;
    await this.runner.query(`SAVEPOINT ${name}`);
    try {
      const result = await work(this);
      await this.runner.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await this.runner.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw err;
    }
  }
}

export class DataSourceDb implements Db {
  constructor(readonly dataSource: DataSource) {}

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await new RunnerDb(runner).query<T>(sql, params);
    } finally {
      await runner.release();
    }
  }

  async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      try {
        const result = await work(new RunnerDb(runner));
        await runner.commitTransaction();
        return result;
      } catch (err) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      await runner.release();
    }
  }
}

/** True for errors that mean "the database is not there right now" rather than "this is wrong". */
export const isConnectionError = (err: unknown): boolean => {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004'].includes(e.code)) {
    return true;
  }
  return /connect|Connection terminated|timeout exceeded when trying to connect|not queryable|Client has encountered a connection error/i.test(e.message ?? '');
};

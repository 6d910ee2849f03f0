import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClientBase } from 'pg';
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
  constructor(readonly runner: QueryRunner) {}

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

/**
 * A batch: one transaction that several messages' handlers share (a consumer handling many
 * deliveries at once, DESIGN.md §2 "batches end to end"). While it is open, every query and
 * transaction of the same {@link DataSourceDb} made from the batch's async context runs on the
 * batch's connection (transactions become savepoints), so handlers written for one message each
 * need no change and see what the messages before them wrote. It closes at commit or rollback;
 * anything that outlives it (a timer a handler started) goes back to the pool.
 */
interface BatchScope {
  readonly owner: DataSourceDb;
  readonly tx: RunnerDb;
  open: boolean;
  /** Inbox rows the batch inserted in one statement for its messages: `consumer\u0000messageId`. */
  readonly claimed: Set<string>;
  readonly afterCommit: (() => void)[];
}

const batchScope = new AsyncLocalStorage<BatchScope>();

const openScope = (owner: DataSourceDb): BatchScope | undefined => {
  const s = batchScope.getStore();
  return s && s.open && s.owner === owner ? s : undefined;
};

const claimKey = (consumer: string, messageId: string): string => `${consumer}\u0000${messageId.toLowerCase()}`;

/**
 * Runs `work` outside any open batch: for work whose result outlives the message being handled
 * (a cache shared by the process, such as the support-address book), which must neither read a
 * batch's uncommitted rows nor run inside its transaction (a savepoint cannot change isolation).
 */
export const outsideBatch = <T>(work: () => Promise<T>): Promise<T> => batchScope.exit(work);

/** Marks inbox rows the current batch has already inserted (see handleOnce). */
export const claimInBatch = (consumer: string, messageIds: Iterable<string>): void => {
  const s = batchScope.getStore();
  if (!s?.open) throw new Error('claimInBatch outside a batch');
  for (const id of messageIds) s.claimed.add(claimKey(consumer, id));
};

/** Takes back a claim (the message's handler failed and its inbox row was deleted). */
export const unclaimInBatch = (consumer: string, messageId: string): void => {
  batchScope.getStore()?.claimed.delete(claimKey(consumer, messageId));
};

/** True when the open batch inserted this message's inbox row already, so its handler must not. */
export const claimedInBatch = (consumer: string, messageId: string): boolean => {
  const s = batchScope.getStore();
  return !!s?.open && s.claimed.has(claimKey(consumer, messageId));
};

export class DataSourceDb implements Db {
  constructor(readonly dataSource: DataSource) {}

  /**
   * Runs `work` in one transaction that the queries and transactions of this Db made inside it
   * join (see BatchScope). Commits when `work` resolves, rolls back when it throws. Callbacks given
   * to {@link afterCommit} during the batch run after the commit, outside the batch.
   */
  async batch<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    if (openScope(this)) throw new Error('batches do not nest');
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const scope: BatchScope = { owner: this, tx: new RunnerDb(runner), open: true, claimed: new Set(), afterCommit: [] };
    let result: T;
    try {
      await runner.startTransaction();
      try {
        result = await batchScope.run(scope, () => work(scope.tx));
        await runner.commitTransaction();
      } catch (err) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      scope.open = false;
      await runner.release();
    }
    batchScope.exit(() => {
      for (const f of scope.afterCommit) f();
    });
    return result;
  }

  /** Runs `f` once what was written so far is committed: now, or when the open batch commits. */
  afterCommit(f: () => void): void {
    const s = openScope(this);
    if (s) s.afterCommit.push(f);
    else f();
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const scope = openScope(this);
    if (scope) return scope.tx.query<T>(sql, params);
    const runner = this.dataSource.createQueryRunner();
    let broken: unknown;
    try {
      return await new RunnerDb(runner).query<T>(sql, params);
    } catch (err) {
      if (isConnectionError(err)) broken = err;
      throw err;
    } finally {
      await releaseRunner(runner, broken);
    }
  }

  async transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    const scope = openScope(this);
    if (scope) return scope.tx.transaction(work);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let broken: unknown;
    try {
      await runner.startTransaction();
      try {
        const result = await work(new RunnerDb(runner));
        await runner.commitTransaction();
        return result;
      } catch (err) {
        if (isConnectionError(err)) broken = err;
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw err;
      }
    } finally {
      await releaseRunner(runner, broken);
    }
  }
}

/**
 * Gives a connection back to the pool; one that failed with a connection error is released with it,
 * so pg-pool drops it rather than lend it to the next query (a connection the server has just cut
 * can look usable until its socket's end is read).
 */
const releaseRunner = async (runner: QueryRunner, broken: unknown): Promise<void> => {
  const pg = runner as QueryRunner & { releasePostgresConnection?: (err?: unknown) => Promise<void> };
  if (broken && pg.releasePostgresConnection) await pg.releasePostgresConnection(broken);
  else await runner.release();
};

/**
 * The pg connection under a transaction's Db (for COPY, which the Db interface has no call for), or
 * undefined when `db` is not bound to one connection (a pool: each query may take another).
 */
export const pgClientOf = async (db: Db): Promise<ClientBase | undefined> => {
  if (db instanceof DataSourceDb) {
    const scope = openScope(db);
    return scope ? pgClientOf(scope.tx) : undefined;
  }
  if (!(db instanceof RunnerDb) || db.runner.connection.options.type !== 'postgres') return undefined;
  return (await db.runner.connect()) as ClientBase;
};

/** True for errors that mean "the database is not there right now" rather than "this is wrong". */
export const isConnectionError = (err: unknown): boolean => {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004'].includes(e.code)) {
    return true;
  }
  return /connect|Connection terminated|timeout exceeded when trying to connect|not queryable|Client has encountered a connection error/i.test(e.message ?? '');
};

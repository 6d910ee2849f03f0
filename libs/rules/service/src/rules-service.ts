import type { WorkerConfig } from '@mailroom/config';
import { connectDatabase, type DataSourceDb, type Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { Broker } from '@mailroom/messaging';
import { startHealthServer, type Logger } from '@mailroom/observability';
import { standardTriggers } from '@mailroom/rules-domain';
import { handleRulesMessage, RULES_QUEUE } from './rules-consumer';

/** The standard triggers, seeded once into an empty trigger table (admins may edit them after). */
export const seedStandardTriggers = async (db: Db): Promise<void> => {
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(7261003)`);
    const [{ n }] = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM rules.triggers`);
    if (Number(n) > 0) return;
    for (const t of standardTriggers()) {
      await tx.query(`INSERT INTO rules.triggers (id, position, category_id, active, data) VALUES ($1, $2, $3, $4, $5)`, [t.id, t.position, t.category_id, t.active, JSON.stringify(t)]);
    }
  });
};

export interface RunningRules {
  healthPort: number;
  db: DataSourceDb;
  broker: Broker;
  close(): Promise<void>;
}

export const startRulesService = async (cfg: WorkerConfig, log: Logger): Promise<RunningRules> => {
  const db = await connectDatabase({ url: cfg.databaseUrl, applicationName: 'mailroom-rules' }, (msg) => log.warn(msg));
  const store = new EventStore();
  await seedStandardTriggers(db);
  const broker = new Broker({ url: cfg.amqpUrl, namespace: cfg.amqpNamespace, connectionName: 'mailroom-rules', log: (level, msg) => log[level](msg) });
  broker.consume({
    ...RULES_QUEUE,
    prefetch: 32,
    retryDelaysMs: [100, 500, 2000, 10000],
    handle: (m) => handleRulesMessage({ db, store }, m),
  });
  broker.start();
  const health = await startHealthServer(cfg.healthHost, cfg.healthPort, {
    database: async () => (await db.query('SELECT 1')).length === 1,
    broker: () => broker.connected,
  });
  log.info(`rules running; health on ${cfg.healthHost}:${health.port}`);
  return {
    healthPort: health.port,
    db,
    broker,
    close: async () => {
      await health.close();
      await broker.close();
      await db.dataSource.destroy();
    },
  };
};

import type { WorkerConfig } from '@mailroom/config';
import { connectDatabase, type DataSourceDb, type Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { Broker, brokerFor } from '@mailroom/messaging';
import { startHealthServer, type Logger } from '@mailroom/observability';
import { RULES_QUEUE, rulesHandlers } from './rules-consumer';
import { CompiledTriggers } from './triggers/compiled-triggers';
import { TriggerStore } from './triggers/trigger-store';

/** The standard triggers, seeded once (admins may edit them after, through the Triggers API). */
export const seedStandardTriggers = async (db: Db, now = new Date().toISOString()): Promise<void> => {
  await new TriggerStore().seedStandard(db, now);
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
  const triggers = new CompiledTriggers(store);
  const broker = brokerFor(cfg, 'mailroom-rules', (level, msg) => log[level](msg));
  broker.consume({
    ...RULES_QUEUE,
    prefetch: 32,
    retryDelaysMs: [100, 500, 2000, 10000],
    handlers: rulesHandlers({ db, store, triggers }),
    // The updates that arrive together go through the projection and the trigger cycle in one transaction.
    batch: { db },
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

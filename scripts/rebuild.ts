import { readDatabaseUrl } from '@mailroom/config';
import { createDataSource, DataSourceDb } from '@mailroom/database';
import { EventStore, rebuildReadModels, type ReadModelRebuild } from '@mailroom/event-store';
import { schedulerProjectionRebuild } from '@mailroom/scheduler';
import { peopleReadModelRebuild, ticketReadModelRebuild } from '@mailroom/ticket';

/**
 * `npm run rebuild -- <read-model|all>`: rebuilds read models from the event log in one transaction
 * (`all`: the three from one read of the log). Safe beside running services: it holds the live processor's lock and the tables' EXCLUSIVE
 * lock, so writers wait (API reads go on, on the old rows) and the live path takes over from the
 * position it reached.
 */
export const REBUILDS: readonly ReadModelRebuild[] = [ticketReadModelRebuild, peopleReadModelRebuild, schedulerProjectionRebuild];

const main = async () => {
  const which = process.argv[2];
  const chosen = which === 'all' ? REBUILDS : REBUILDS.filter((r) => r.name === which);
  if (!which || chosen.length === 0) {
    process.stderr.write(`usage: npm run rebuild -- <${REBUILDS.map((r) => r.name).join('|')}|all>\n`);
    process.exit(2);
  }
  const ds = createDataSource({ url: readDatabaseUrl(), poolSize: 2, applicationName: 'mailroom-rebuild' });
  await ds.initialize();
  const db = new DataSourceDb(ds);
  try {
    {
      const r = await rebuildReadModels(db, new EventStore(), chosen);
      const rows = Object.entries(r.rows).map(([t, n]) => `${t} ${n}`).join(', ');
      const seconds = (r.readMs + r.writeMs) / 1000;
      process.stdout.write(`${r.name}: ${r.events} events in ${seconds.toFixed(1)} s (${Math.round(r.events / Math.max(seconds, 0.001))}/s) → ${rows}; checkpoint at ${r.position.globalPosition}\n`);
    }
  } finally {
    await ds.destroy();
  }
};

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`rebuild failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}

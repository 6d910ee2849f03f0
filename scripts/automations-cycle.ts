import { readDatabaseUrl } from '@mailroom/config';
import { createDataSource, DataSourceDb } from '@mailroom/database';
import { tick } from '@mailroom/scheduler';

/**
 * `npm run automations:cycle -- --at <ISO-8601 instant>`: runs one full automation cycle as of that
 * instant (the same as `POST /api/v2/automations/cycle.json`), waiting for a cycle in progress
 * elsewhere (the advisory lock), and prints what it did. Without `--at`: now.
 */
const main = async () => {
  const i = process.argv.indexOf('--at');
  const raw = i >= 0 ? process.argv[i + 1] : new Date().toISOString();
  const at = new Date(raw ?? '');
  if (!raw || Number.isNaN(at.getTime())) {
    process.stderr.write('usage: npm run automations:cycle -- --at <ISO-8601 instant, e.g. 2026-12-01T09:00:00Z>\n');
    process.exit(2);
  }
  // Two connections: one holds the cycle's advisory lock, the other sends the batches.
  const ds = createDataSource({ url: readDatabaseUrl(), poolSize: 2, applicationName: 'mailroom-automations-cycle' });
  await ds.initialize();
  try {
    const { cycle } = await tick(new DataSourceDb(ds), at);
    process.stdout.write(`${JSON.stringify({ cycle })}\n`);
  } finally {
    await ds.destroy();
  }
};

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`automation cycle failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}

import { readDatabaseUrl } from '@mailroom/config';
import { migrate } from '@mailroom/database';

/** `npm run migrate`: creates the database if missing and applies every pending migration. */
const main = async () => {
  const databaseUrl = readDatabaseUrl();
  const applied = await migrate(databaseUrl);
  const where = new URL(databaseUrl);
  process.stdout.write(applied.length ? `migrations applied to ${where.host}${where.pathname}: ${applied.join(', ')}\n` : `database ${where.host}${where.pathname} is up to date\n`);
};

main().catch((err) => {
  process.stderr.write(`migration failed: ${(err as Error).message}\n`);
  process.exit(1);
});

import { startLocalSystem, type LocalSystem } from '@mailroom/local-system';
import type { MailCatcher } from '@mailroom/mail-catcher';
import { createTestDatabase, fakeDnsResolver, loopbackSpf, testNamespace, TEST_AMQP_URL, type FakeDnsZone, type TestDatabase } from '@mailroom/testing';

export const ADMIN_EMAIL = 'admin@mailroom.test';
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
export const SECRET = 'e2e-secret';

export interface SystemOptions {
  supportAddresses?: string;
  /** Where services reach PostgreSQL (e.g. through a TCP proxy a test can cut); defaults to the test database. */
  databaseUrl?: (testDbUrl: string) => string;
  /** Where services reach RabbitMQ (e.g. through a TCP proxy); the namespace is cleaned up through TEST_AMQP_URL. */
  amqpUrl?: string;
  maxMessageBytes?: number;
  log?: boolean;
  /** More settings for the services (MAILROOM_* variables). */
  env?: Record<string, string>;
  /**
   * The DNS ingest's sender authentication sees; nothing ever goes to a real resolver. By default
   * mailroom.test (the agents' domain in these tests) lets mail come from loopback by SPF, so
   * agents' mail sent from the test authenticates; customers' domains have no records.
   */
  dns?: FakeDnsZone;
}

export interface System extends Omit<LocalSystem, 'relay'> {
  database: TestDatabase;
  relay: MailCatcher;
}

/**
 * The five services in this process (see @mailroom/local-system) on a test database and a broker
 * namespace of their own, with a mail catcher standing in as the outgoing relay. close() stops
 * them, drops the database and deletes the namespace's queues.
 */
export const startSystem = async (opts: SystemOptions = {}): Promise<System> => {
  const database = await createTestDatabase();
  let local: LocalSystem;
  try {
    local = await startLocalSystem({
      database: { url: database.url, servicesUrl: opts.databaseUrl?.(database.url), migrate: false },
      amqp: { url: TEST_AMQP_URL, servicesUrl: opts.amqpUrl, namespace: testNamespace(), deleteOnClose: true },
      relay: { catcher: {} },
      log: opts.log || process.env.MAILROOM_TEST_LOG ? 'verbose' : 'quiet',
      supportAddresses: opts.supportAddresses,
      secret: SECRET,
      adminEmail: ADMIN_EMAIL,
      adminToken: ADMIN_TOKEN,
      accountName: 'Acme',
      baseUrl: 'http://127.0.0.1:3000',
      maxMessageBytes: opts.maxMessageBytes,
      env: opts.env,
      dnsResolver: fakeDnsResolver(opts.dns ?? loopbackSpf('mailroom.test')),
    });
  } catch (err) {
    await database.drop().catch(() => undefined);
    throw err;
  }
  return {
    ...local,
    database,
    relay: local.relay!,
    close: async () => {
      try {
        await local.close();
      } finally {
        await database.drop();
      }
    },
  };
};

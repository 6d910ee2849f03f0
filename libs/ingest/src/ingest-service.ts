import type { IngestConfig } from '@mailroom/config';
import { connectDatabase, type DataSourceDb } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { parseSupportAddresses } from '@mailroom/mail-domain';
import { Broker } from '@mailroom/messaging';
import { startHealthServer, type Logger } from '@mailroom/observability';
import { handleMailReceived, MAIL_WORKER_QUEUE } from './mail-worker';
import { startSmtpEdge } from './smtp-edge';
import { openSupportAddressBook } from '@mailroom/support-addresses';

export interface RunningIngest {
  smtpPort: number;
  healthPort: number;
  db: DataSourceDb;
  broker: Broker;
  close(): Promise<void>;
}

/**
 * ingest: the SMTP edge (stores raw mail, answers 250 only after commit) and the mail worker
 * (consumes `mail.received`, sends ticket commands through the log). The SMTP edge needs only
 * PostgreSQL: with RabbitMQ away, mail is still accepted and waits in the log.
 */
export const startIngestService = async (cfg: IngestConfig, log: Logger): Promise<RunningIngest> => {
  const supportAddresses = parseSupportAddresses(cfg.supportAddresses);
  const db = await connectDatabase({ url: cfg.databaseUrl, applicationName: 'mailroom-ingest' }, (msg) => log.warn(msg));
  const store = new EventStore();
  // Asked per mail by the edge (550 for anything else) and the worker; follows /api/v2/recipient_addresses within a second.
  const addresses = await openSupportAddressBook({ db, store, configured: supportAddresses, onError: (err) => log.warn(`support addresses: ${(err as Error).message}`) });
  const smtp = await startSmtpEdge({ host: cfg.smtpHost, port: cfg.smtpPort, maxMessageBytes: cfg.maxMessageBytes, addresses, db, store, log, settings: cfg.smtpEdge });
  log.info(`SMTP ingest listening on ${cfg.smtpHost}:${smtp.port} for ${addresses.current().map((a) => a.address).join(', ')}`);

  const broker = new Broker({ url: cfg.amqpUrl, namespace: cfg.amqpNamespace, connectionName: 'mailroom-ingest', log: (level, msg) => log[level](msg) });
  broker.consume({
    ...MAIL_WORKER_QUEUE,
    prefetch: 8,
    handle: (m) => handleMailReceived({ db, store, addresses, secret: cfg.secret }, m),
  });
  broker.start();

  const health = await startHealthServer(cfg.healthHost, cfg.healthPort, {
    database: async () => (await db.query('SELECT 1')).length === 1,
  });
  return {
    smtpPort: smtp.port,
    healthPort: health.port,
    db,
    broker,
    close: async () => {
      await smtp.close();
      await addresses.stop();
      await health.close();
      await broker.close();
      await db.dataSource.destroy();
    },
  };
};

import type { IngestConfig } from '@mailroom/config';
import { connectDatabase, type DataSourceDb } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { parseSupportAddresses } from '@mailroom/mail-domain';
import { Broker, brokerFor } from '@mailroom/messaging';
import { startHealthServer, type Logger } from '@mailroom/observability';
import { MAIL_WORKER_QUEUE, mailReceivedUpdateHandler, receivedMailOf } from './mail-worker';
import { ParserPool } from './parse-mail';
import { startSmtpEdge } from './smtp-edge';
import { nodeDnsResolver, type DnsResolver, type SenderAuthSetup } from './authentication/verify-sender';
import type { ScreeningPolicy } from './screening/screen-mail';
import { parseSenderLists } from './screening/sender-lists';
import { RECOVER_SUSPENDED_TICKET } from '@mailroom/mail-domain';
import { handleIngestCommand, INGEST_COMMANDS_QUEUE } from './suspension/recover-suspended';
import { suspendUnprocessableMail } from './suspension/last-resort';
import { startRetentionTimer, type RetentionTimer } from './suspension/retention';
import { openSupportAddressBook } from '@mailroom/support-addresses';

export interface RunningIngest {
  smtpPort: number;
  healthPort: number;
  db: DataSourceDb;
  broker: Broker;
  /** The suspended-ticket retention purge (runs on its own timer; runOnce for operators and tests). */
  retention: RetentionTimer;
  close(): Promise<void>;
}

/**
 * ingest: the SMTP edge (stores raw mail, answers 250 only after commit) and the mail worker
 * (consumes `mail.received`, sends ticket commands through the log). The SMTP edge needs only
 * PostgreSQL: with RabbitMQ away, mail is still accepted and waits in the log.
 */
export const startIngestService = async (cfg: IngestConfig, log: Logger, opts: { clock?: () => Date; dnsResolver?: DnsResolver } = {}): Promise<RunningIngest> => {
  const supportAddresses = parseSupportAddresses(cfg.supportAddresses);
  const sc = cfg.screening;
  const screening: ScreeningPolicy = {
    lists: parseSenderLists(sc.allowlist, sc.blocklist),
    rateLimit: { process: sc.senderRateLimit, suspend: sc.senderSuspendLimit, windowMinutes: sc.senderRateWindowMinutes, allowlistFactor: 10 },
    ticketMailPerHour: sc.ticketMailCommentsPerHour,
  };
  const clock = opts.clock ?? (() => new Date());
  // SPF/DKIM/DMARC lookups go to the system's resolver; tests hand in a zone of their own.
  const senderAuth: SenderAuthSetup = { ...cfg.senderAuth, resolver: opts.dnsResolver ?? nodeDnsResolver, mta: cfg.smtpEdge.hostname };
  const db = await connectDatabase({ url: cfg.databaseUrl, applicationName: 'mailroom-ingest' }, (msg) => log.warn(msg));
  const store = new EventStore();
  // Asked per mail by the edge (550 for anything else) and the worker; follows /api/v2/recipient_addresses within a second.
  const addresses = await openSupportAddressBook({ db, store, configured: supportAddresses, onError: (err) => log.warn(`support addresses: ${(err as Error).message}`) });
  const smtp = await startSmtpEdge({ host: cfg.smtpHost, port: cfg.smtpPort, maxMessageBytes: cfg.maxMessageBytes, addresses, db, store, log, settings: cfg.smtpEdge });
  log.info(`SMTP ingest listening on ${cfg.smtpHost}:${smtp.port} for ${addresses.current().map((a) => a.address).join(', ')}`);

  // Parsing runs on threads with a time budget per mail, so one hostile mail cannot stall the rest.
  const { threads, threadMemoryMb, ...limits } = cfg.parsing;
  const parser = new ParserPool({ baseUrl: cfg.baseUrl, limits, threads, threadMemoryMb });
  const broker = brokerFor(cfg, 'mailroom-ingest', (level, msg) => log[level](msg));
  broker.consume({
    ...MAIL_WORKER_QUEUE,
    prefetch: 8,
    handlers: { updates: [['mail.received', mailReceivedUpdateHandler({ db, store, addresses, secret: cfg.secret, screening, clock, parser, senderAuth })]] },
    // A mail that got 250 is never only dead-lettered: once retrying is over it is suspended.
    lastResort: (input, failure) => suspendUnprocessableMail({ db, store, addresses, clock }, receivedMailOf(input), failure),
  });
  // Commands for ingest (recovering suspended tickets), sent through the log by the public API.
  broker.consume({
    ...INGEST_COMMANDS_QUEUE,
    prefetch: 4,
    handlers: { commands: [[RECOVER_SUSPENDED_TICKET, (m) => handleIngestCommand({ db, store, addresses, secret: cfg.secret, screening, clock, parser, senderAuth }, m)]] },
  });
  broker.start();
  const retention = startRetentionTimer({
    db,
    clock,
    retentionDays: sc.suspendedRetentionDays,
    rateWindowMinutes: sc.senderRateWindowMinutes,
    intervalMs: sc.suspendedPurgeIntervalSeconds * 1000,
    onError: (err) => log.warn(`suspended ticket purge failed: ${(err as Error).message}`),
    onPurged: (r) => log.info(`purged ${r.deleted.length} suspended tickets older than ${sc.suspendedRetentionDays} days`),
  });

  const health = await startHealthServer(cfg.healthHost, cfg.healthPort, {
    database: async () => (await db.query('SELECT 1')).length === 1,
  });
  return {
    smtpPort: smtp.port,
    healthPort: health.port,
    db,
    broker,
    retention,
    close: async () => {
      retention.stop();
      await smtp.close();
      await addresses.stop();
      await health.close();
      await broker.close();
      await parser.close();
      await db.dataSource.destroy();
    },
  };
};

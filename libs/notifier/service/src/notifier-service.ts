import type { NotifierConfig } from '@mailroom/config';
import { connectDatabase, type DataSourceDb } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { parseSupportAddresses } from '@mailroom/mail-domain';
import { Broker, brokerFor } from '@mailroom/messaging';
import { startHealthServer, type Logger } from '@mailroom/observability';
import { openSupportAddressBook } from '@mailroom/support-addresses';
import { loadAccountSettings } from './account-settings';
import { NOTIFIER_QUEUE, notifierHandlers, requestsNotification } from './notifier-consumer';
import { OutboundSender } from './outbound-sender';
import { WebhookSender } from './webhooks/webhook-sender';

export interface RunningNotifier {
  healthPort: number;
  db: DataSourceDb;
  broker: Broker;
  sender: OutboundSender;
  webhooks: WebhookSender;
  close(): Promise<void>;
}

export const startNotifierService = async (cfg: NotifierConfig, log: Logger): Promise<RunningNotifier> => {
  const db = await connectDatabase({ url: cfg.databaseUrl, applicationName: 'mailroom-notifier' }, (msg) => log.warn(msg));
  const store = new EventStore();
  // Mail leaves from the support address a ticket was received at; the list follows API changes.
  const addressBook = await openSupportAddressBook({ db, store, configured: parseSupportAddresses(cfg.supportAddresses), onError: (err) => log.warn(`support addresses: ${(err as Error).message}`) });
  const sender = new OutboundSender({ db, store, relayUrl: cfg.smtpRelay, log });
  const webhooks = new WebhookSender({ db, store, log, allowPrivateTargets: cfg.webhooks.allowPrivateTargets, timeoutMs: cfg.webhooks.timeoutMs, retry: { delaysMs: cfg.webhooks.retryDelaysMs, maxRetryAfterMs: 60_000 } });
  const broker = brokerFor(cfg, 'mailroom-notifier', (level, msg) => log[level](msg));
  broker.consume({
    ...NOTIFIER_QUEUE,
    prefetch: 32,
    retryDelaysMs: [100, 500, 2000, 10000],
    batch: { db },
    handlers: notifierHandlers(async (u) => ({
      db,
      store,
      secret: cfg.secret,
      supportAddresses: addressBook.current(),
      // A notification leaves from the address its ticket was received at: one added a moment ago is looked up.
      refreshSupportAddresses: async () => {
        await addressBook.refresh();
        return addressBook.current();
      },
      accountName: cfg.accountName,
      baseUrl: cfg.baseUrl,
      // Wake the senders once the batch that queued the mail has committed (before, they would find nothing).
      onQueued: () => db.afterCommit(() => sender.notify()),
      onWebhookQueued: () => db.afterCommit(() => webhooks.notify()),
      // Only a notification is rendered: read the template and suppression setting in force for it.
      ...(requestsNotification(u) ? await loadAccountSettings(db) : {}),
    })),
  });
  broker.start();
  sender.start();
  webhooks.start();
  const health = await startHealthServer(cfg.healthHost, cfg.healthPort, {
    database: async () => (await db.query('SELECT 1')).length === 1,
    broker: () => broker.connected,
  });
  log.info(`notifier running; relaying through ${cfg.smtpRelay}; health on ${cfg.healthHost}:${health.port}`);
  return {
    healthPort: health.port,
    db,
    broker,
    sender,
    webhooks,
    close: async () => {
      await health.close();
      await sender.stop();
      await webhooks.stop();
      await addressBook.stop();
      await broker.close();
      await db.dataSource.destroy();
    },
  };
};

import 'reflect-metadata';
import type { TicketCommandMessage } from '@mailroom/contracts';
import type { TicketConfig } from '@mailroom/config';
import { connectDatabase, type Db, type DataSourceDb } from '@mailroom/database';
import { EventStore, LogProcessor, LogWakeup } from '@mailroom/event-store';
import { ApiLimits, AuthLog, startApiHost } from '@mailroom/http';
import { IngestHttpModule } from '@mailroom/ingest';
import { Broker, brokerFor, handleOnce, PermanentFailure, startForwarderRole, type CommandHandler, type HandlerMap, type QueueSpec } from '@mailroom/messaging';
import type { Logger } from '@mailroom/observability';
import { parseSupportAddresses } from '@mailroom/mail-domain';
import { NotifierHttpModule } from '@mailroom/notifier';
import { RulesHttpModule } from '@mailroom/rules';
import { satisfactionAutomationFollower, SchedulerHttpModule } from '@mailroom/scheduler';
import { openSupportAddressBook, SupportAddressesHttpModule } from '@mailroom/support-addresses';
import { TicketCommandError, TicketCommands } from './commands/ticket-commands';
import { TicketAuthenticator } from './http/authenticator';
import { TicketApi } from './http/ticket-api';
import { ticketApiErrors } from './http/ticket-errors';
import { TicketHttpModule } from './http/ticket-http-module';
import { applyToReadModel, TICKET_READ_MODEL } from './read-model/ticket-projection';
import { seedAdmin } from './seed';
import { Users } from './users/users';
import { GroupsService } from './people/groups-service';
import { OrganizationsService } from './people/organizations-service';
import { PeopleApi } from './people/people-api';
import { applyPeopleEvents, PEOPLE_READ_MODEL } from './people/people-projection';

export const TICKET_COMMANDS_CONSUMER = 'ticket.commands';

export interface RunningTicketService {
  httpPort: number;
  db: DataSourceDb;
  broker: Broker;
  commands: TicketCommands;
  readModel: LogProcessor;
  close(): Promise<void>;
}

type CommandMeta = { causationId: string; correlationId?: string };
type CommandWork = (commands: TicketCommands, tx: Db, data: never, meta: CommandMeta) => Promise<unknown>;

/**
 * The ticket service's handler map: one entry per command type it owns. A `Record` over the
 * command union, so a command type without its handler does not compile; the broker checks the
 * map against the queue's bindings at start-up.
 */
const TICKET_COMMAND_WORK: { [T in TicketCommandMessage['type']]: (commands: TicketCommands, tx: Db, data: Extract<TicketCommandMessage, { type: T }>['data'], meta: CommandMeta) => Promise<unknown> } = {
  'ticket.create_ticket': (c, tx, d, meta) => c.createTicket(tx, d, meta),
  'ticket.add_comment': (c, tx, d, meta) => c.addComment(tx, d, meta),
  'ticket.apply_rule_actions': (c, tx, d, meta) => c.applyRuleActions(tx, d, meta),
  'ticket.record_delivery': (c, tx, d, meta) => c.recordDelivery(tx, d, meta),
  'ticket.record_deliveries': (c, tx, d, meta) => c.recordDeliveries(tx, d, meta),
  'ticket.record_webhook_delivery': (c, tx, d, meta) => c.recordWebhookDelivery(tx, d, meta),
  'ticket.record_webhook_deliveries': (c, tx, d, meta) => c.recordWebhookDeliveries(tx, d, meta),
  'ticket.record_bounce': (c, tx, d, meta) => c.recordBounce(tx, d, meta),
  'ticket.record_satisfaction_rating': (c, tx, d, meta) => c.recordSatisfactionRating(tx, d, meta),
};

export const TICKET_COMMANDS_QUEUE: QueueSpec = {
  name: TICKET_COMMANDS_CONSUMER,
  bindings: Object.keys(TICKET_COMMAND_WORK).map((type) => ({ exchange: 'commands', pattern: `${type}.*` })),
  retiredBindings: [{ exchange: 'commands', pattern: 'ticket.#' }],
};

/** Each command in a transaction of its own with its inbox row; domain refusals are permanent (dead-lettered, kept). */
const ticketCommandHandlers = (commands: TicketCommands): HandlerMap => ({
  commands: Object.entries(TICKET_COMMAND_WORK).map(([type, work]): [string, CommandHandler] => [
    type,
    async (m) => {
      const meta = { causationId: m.id, correlationId: m.metadata.correlationId };
      try {
        await commands.inTransaction((tx) => handleOnce(tx, TICKET_COMMANDS_CONSUMER, m.id, (inner) => (work as CommandWork)(commands, inner, m.data as never, meta).then(() => undefined)));
      } catch (err) {
        if (err instanceof TicketCommandError) throw new PermanentFailure(`${m.type} refused: ${err.message}`);
        throw err;
      }
    },
  ]),
});

export const startTicketService = async (cfg: TicketConfig, log: Logger): Promise<RunningTicketService> => {
  const db = await connectDatabase({ url: cfg.databaseUrl, applicationName: 'mailroom-ticket' }, (msg) => log.warn(msg));
  const store = new EventStore();
  const wakeup = new LogWakeup(cfg.databaseUrl);
  await wakeup.start();
  const users = new Users(store);
  const commands = new TicketCommands(db, store, users);
  // Support addresses (seeded from MAILROOM_SUPPORT_ADDRESSES once), kept fresh from the table.
  const addressBook = await openSupportAddressBook({ db, store, configured: parseSupportAddresses(cfg.supportAddresses), wakeup, onError: (err) => log.warn(`support addresses: ${(err as Error).message}`) });
  await seedAdmin(db, users, cfg);
  const api = new TicketApi(db, commands, cfg.baseUrl, () => addressBook.current());

  const broker = brokerFor(cfg, 'mailroom-ticket', (level, msg) => log[level](msg));
  broker.consume({
    ...TICKET_COMMANDS_QUEUE,
    prefetch: 32,
    handlers: ticketCommandHandlers(commands),
    // The commands that arrive together, of many tickets, are decided and appended in one transaction.
    batch: { db },
  });
  broker.start();
  const onError = (what: string) => (err: unknown) => log.warn(`${what}: ${(err as Error).message}`);
  // The forwarder is a leased role: every ticket replica stands for it, one forwards (MAILROOM_FORWARDER).
  const forwarder = cfg.forwarder ? startForwarderRole({ databaseUrl: cfg.databaseUrl, db, store, broker, wakeup, log: (level, msg) => log[level](msg) }) : null;
  const readModel = new LogProcessor({ id: TICKET_READ_MODEL, db, store, wakeup, idleMs: 1000, gatherMs: 50, handle: (messages, tx) => applyToReadModel(tx, messages, { fromLog: true }), onError: onError('read model') });
  readModel.start();
  const peopleReadModel = new LogProcessor({ id: PEOPLE_READ_MODEL, db, store, wakeup, idleMs: 1000, gatherMs: 50, handle: (messages, tx) => applyPeopleEvents(tx, messages), onError: onError('people read model') });
  peopleReadModel.start();
  const peopleApi = new PeopleApi(db, commands, new GroupsService(store), new OrganizationsService(store, users), cfg.baseUrl, (u) => api.userJson(u));

  // The one public API: each context's HTTP module on one host, one port, one base URL.
  const host = await startApiHost({
    modules: [
      TicketHttpModule.register({ db, store, commands, tickets: api, people: peopleApi, baseUrl: cfg.baseUrl, secret: cfg.secret, accountName: cfg.accountName, log, settingsFollowers: [satisfactionAutomationFollower()] }),
      IngestHttpModule.register({ db, baseUrl: cfg.baseUrl }),
      SupportAddressesHttpModule.register({ db, store, book: addressBook, baseUrl: cfg.baseUrl }),
      RulesHttpModule.register({ db, baseUrl: cfg.baseUrl }),
      SchedulerHttpModule.register({ db, baseUrl: cfg.baseUrl }),
      NotifierHttpModule.register({ db, store, baseUrl: cfg.baseUrl }),
    ],
    shared: {
      db,
      authenticator: new TicketAuthenticator(db),
      limits: new ApiLimits(db, cfg.apiLimits, 'ticket.rate_counters'),
      authLog: new AuthLog((msg, fields) => log.warn(msg, fields)),
      ready: async () => (await db.query('SELECT 1')).length === 1,
    },
    errors: [ticketApiErrors],
    cfg,
    log,
  });
  const httpPort = host.port;
  log.info(`ticket API listening on http://${cfg.httpHost}:${httpPort}/api/v2`);

  return {
    httpPort,
    db,
    broker,
    commands,
    readModel,
    close: async () => {
      await host.close();
      await forwarder?.stop();
      await readModel.stop();
      await peopleReadModel.stop();
      await broker.close();
      await addressBook.stop();
      await wakeup.close();
      await db.dataSource.destroy();
    },
  };
};

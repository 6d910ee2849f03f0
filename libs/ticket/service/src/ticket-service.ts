import 'reflect-metadata';
import { Controller, Get, Module, type INestApplication, type MiddlewareConsumer, type NestModule, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { TicketCommandMessage } from '@mailroom/contracts';
import type { TicketConfig } from '@mailroom/config';
import { connectDatabase, type Db, type DataSourceDb } from '@mailroom/database';
import { EventStore, LogProcessor, LogWakeup } from '@mailroom/event-store';
import { Broker, brokerFor, handleOnce, PermanentFailure, startForwarderRole, type CommandHandler, type HandlerMap, type QueueSpec } from '@mailroom/messaging';
import type { Logger } from '@mailroom/observability';
import { parseSupportAddresses } from '@mailroom/mail-domain';
import { openSupportAddressBook, RecipientAddresses } from '@mailroom/support-addresses';
import { Webhooks } from '@mailroom/notifier';
import { TicketCommandError, TicketCommands } from './commands/ticket-commands';
import { Attachments, AttachmentsController } from './http/attachments-controller';
import { AuthLog, DbHandle } from './http/auth';
import { ApiLimits } from './http/api-limits';
import { ApiTokensApi, ApiTokensController } from './http/api-tokens-controller';
import { answerBodyErrors, refuseUnstorableText } from './http/json-body';
import { TicketsController, UsersController } from './http/controllers';
import { ZendeskErrorFilter } from './http/errors';
import { RecipientAddressesApi, RecipientAddressesController } from './http/recipient-addresses-controller';
import { SuspendedTicketsController } from './http/suspended-tickets-controller';
import { OriginalEmailController, OriginalEmails } from './http/original-email-controller';
import { WebhooksApi, WebhooksController } from './http/webhooks-controller';
import { SchedulesApi, SchedulesController } from './http/schedules-controller';
import { TicketApi } from './http/ticket-api';
import { TriggerCategoriesController, TriggerExplanationController, TriggersApi, TriggersController } from './http/triggers-controller';
import { TriggerSimulationController } from './http/trigger-simulation-controller';
import { AutomationCycleController } from './http/automation-cycle-controller';
import { AutomationsApi, AutomationsController, satisfactionAutomationFollower } from './http/automations-controller';
import { SatisfactionApi, SatisfactionPageController, SatisfactionRatingsController } from './http/satisfaction-controller';
import { applyToReadModel, TICKET_READ_MODEL } from './read-model/ticket-projection';
import { seedAdmin } from './seed';
import { Users } from './users/users';
import { AccountSettingsStore } from './account/account-settings-store';
import { AccountSettingsController } from './http/account-settings-controller';
import { GroupsController } from './http/groups-controller';
import { OrganizationsController, UserUpdatesController } from './http/organizations-controller';
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

class Readiness {
  constructor(readonly check: () => Promise<boolean>) {}
}

@Controller('health')
class HealthController {
  constructor(private readonly readiness: Readiness) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() res: Response) {
    const ok = await this.readiness.check().catch(() => false);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: { database: ok } });
  }
}

/** Zendesk clients call `/api/v2/tickets/1.json`; routes are declared without the suffix. */
const stripJsonSuffix = (req: Request, _res: Response, next: NextFunction) => {
  const [path, query] = req.url.split('?', 2);
  if (path.endsWith('.json')) req.url = path.slice(0, -5) + (query !== undefined ? `?${query}` : '');
  next();
};

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
  const readModel = new LogProcessor({ id: TICKET_READ_MODEL, db, store, wakeup, idleMs: 1000, handle: (messages, tx) => applyToReadModel(tx, messages, { fromLog: true }), onError: onError('read model') });
  readModel.start();
  const peopleReadModel = new LogProcessor({ id: PEOPLE_READ_MODEL, db, store, wakeup, idleMs: 1000, handle: (messages, tx) => applyPeopleEvents(tx, messages), onError: onError('people read model') });
  peopleReadModel.start();
  const peopleApi = new PeopleApi(db, commands, new GroupsService(store), new OrganizationsService(store, users), cfg.baseUrl, (u) => api.userJson(u));

  @Module({
    controllers: [TicketsController, UsersController, SuspendedTicketsController, RecipientAddressesController, AttachmentsController, GroupsController, OrganizationsController, UserUpdatesController, AccountSettingsController, TriggerSimulationController, TriggersController, TriggerCategoriesController, TriggerExplanationController, AutomationCycleController, AutomationsController, WebhooksController, SchedulesController, OriginalEmailController, ApiTokensController, SatisfactionRatingsController, SatisfactionPageController, HealthController],
    providers: [
      { provide: TicketApi, useValue: api },
      { provide: WebhooksApi, useValue: new WebhooksApi(db, new Webhooks(store), cfg.baseUrl) },
      { provide: RecipientAddressesApi, useValue: new RecipientAddressesApi(db, new RecipientAddresses(store), addressBook, cfg.baseUrl) },
      { provide: TriggersApi, useValue: new TriggersApi(db, cfg.baseUrl) },
      { provide: AutomationsApi, useValue: new AutomationsApi(db, cfg.baseUrl) },
      { provide: SchedulesApi, useValue: new SchedulesApi(db, cfg.baseUrl) },
      { provide: Attachments, useValue: new Attachments(db, cfg.baseUrl) },
      { provide: SatisfactionApi, useValue: new SatisfactionApi(db, commands, cfg.secret, cfg.baseUrl, cfg.accountName) },
      { provide: OriginalEmails, useValue: new OriginalEmails(db, cfg.baseUrl) },
      { provide: DbHandle, useValue: new DbHandle(db) },
      { provide: ApiLimits, useValue: new ApiLimits(db, cfg.apiLimits) },
      { provide: AuthLog, useValue: new AuthLog((msg, fields) => log.warn(msg, fields)) },
      { provide: ApiTokensApi, useValue: new ApiTokensApi(db, cfg.baseUrl, log) },
      { provide: PeopleApi, useValue: peopleApi },
      { provide: AccountSettingsStore, useValue: new AccountSettingsStore(store, [satisfactionAutomationFollower()]) },
      { provide: Readiness, useValue: new Readiness(async () => (await db.query('SELECT 1')).length === 1) },
    ],
  })
  class TicketHttpModule implements NestModule {
    configure(consumer: MiddlewareConsumer) {
      consumer.apply(stripJsonSuffix).forRoutes('*');
    }
  }

  const app: INestApplication = await NestFactory.create<NestExpressApplication>(TicketHttpModule, { logger: ['error', 'warn'], bodyParser: true });
  // Behind an Ingress or load balancer the client is in X-Forwarded-For, and the per-address
  // limits must count the client, not the proxy (README "API", MAILROOM_HTTP_TRUST_PROXY).
  if (cfg.apiLimits.trustProxy) (app as NestExpressApplication).set('trust proxy', /^\d+$/.test(cfg.apiLimits.trustProxy) ? Number(cfg.apiLimits.trustProxy) : cfg.apiLimits.trustProxy.split(',').map((s) => s.trim()));
  // The one JSON parser of the API: text PostgreSQL cannot hold is refused here for every endpoint.
  (app as NestExpressApplication).useBodyParser('json', { reviver: refuseUnstorableText });
  app.use(answerBodyErrors);
  app.use(stripJsonSuffix);
  app.useGlobalFilters(new ZendeskErrorFilter((msg) => log.error(msg)));
  // Listening on Nest's server ourselves: app.listen logs a taken port as an error of its own
  // before rejecting, and runMain explains it once, naming MAILROOM_HTTP_PORT.
  await app.init();
  const server = app.getHttpServer() as import('node:http').Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.httpPort, cfg.httpHost, () => resolve());
  });
  const httpPort = (server.address() as { port: number }).port;
  log.info(`ticket API listening on http://${cfg.httpHost}:${httpPort}/api/v2`);

  return {
    httpPort,
    db,
    broker,
    commands,
    readModel,
    close: async () => {
      await app.close();
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

import type { Server } from 'node:http';
import { Global, Module, type DynamicModule, type INestApplication, type MiddlewareConsumer, type NestModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ApiLimitSettings } from '@mailroom/config';
import type { Db } from '@mailroom/database';
import type { Logger } from '@mailroom/observability';
import { ApiLimits } from './api-limits';
import { Authenticator, AuthLog, DbHandle } from './auth';
import { ZendeskErrorFilter, type ApiErrorMapper } from './errors';
import { HealthController, Readiness } from './health';
import { answerBodyErrors, refuseUnstorableText } from './json-body';
import { stripJsonSuffix } from './paths';

/** What every context's controllers share: their guard's dependencies, the database, the readiness check. */
export interface ApiHostShared {
  db: Db;
  /** Who a request's credentials belong to (the ticket context's users and API tokens). */
  authenticator: Authenticator;
  limits: ApiLimits;
  authLog: AuthLog;
  /** `/health/ready`: whether the host can serve. */
  ready: () => Promise<boolean>;
}

/**
 * The providers every context's HTTP module resolves without importing anything: `AuthGuard`'s
 * dependencies (`Authenticator`, `ApiLimits`, `AuthLog`) and `DbHandle`. Global, so a context's
 * module names only its own controllers and providers. Serves `/health/live` and `/health/ready`.
 */
@Global()
@Module({})
export class ApiHostModule {
  static register(shared: ApiHostShared): DynamicModule {
    return {
      module: ApiHostModule,
      global: true,
      controllers: [HealthController],
      providers: [
        { provide: DbHandle, useValue: new DbHandle(shared.db) },
        { provide: ApiLimits, useValue: shared.limits },
        { provide: AuthLog, useValue: shared.authLog },
        { provide: Authenticator, useValue: shared.authenticator },
        { provide: Readiness, useValue: new Readiness(shared.ready) },
      ],
      exports: [DbHandle, ApiLimits, AuthLog, Authenticator],
    };
  }
}

export interface ApiHostOptions {
  /** Each context's HTTP module (`RulesHttpModule.register(…)` and so on). */
  modules: (Type<unknown> | DynamicModule)[];
  shared: ApiHostShared;
  /** Contexts' own errors in Zendesk's shape, tried after `ApiError` and before Nest's. */
  errors?: readonly ApiErrorMapper[];
  cfg: { httpPort: number; httpHost: string; apiLimits: Pick<ApiLimitSettings, 'trustProxy'> };
  log: Pick<Logger, 'error'>;
}

export interface RunningApiHost {
  app: INestApplication;
  /** The port listened on (the one asked for, or the one given for 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * The one public API: every context's HTTP module on one Nest application, one port, one base URL.
 * The body parser, `.json` suffixes, proxies and error shapes are the host's, the same for every
 * context's endpoints.
 */
export const startApiHost = async ({ modules, shared, errors = [], cfg, log }: ApiHostOptions): Promise<RunningApiHost> => {
  @Module({ imports: [ApiHostModule.register(shared), ...modules] })
  class ApiHostRootModule implements NestModule {
    configure(consumer: MiddlewareConsumer) {
      consumer.apply(stripJsonSuffix).forRoutes('*');
    }
  }

  const app: INestApplication = await NestFactory.create<NestExpressApplication>(ApiHostRootModule, { logger: ['error', 'warn'], bodyParser: true });
  // Behind an Ingress or load balancer the client is in X-Forwarded-For, and the per-address
  // limits must count the client, not the proxy (README "API", MAILROOM_HTTP_TRUST_PROXY).
  if (cfg.apiLimits.trustProxy) (app as NestExpressApplication).set('trust proxy', /^\d+$/.test(cfg.apiLimits.trustProxy) ? Number(cfg.apiLimits.trustProxy) : cfg.apiLimits.trustProxy.split(',').map((s) => s.trim()));
  // The one JSON parser of the API: text PostgreSQL cannot hold is refused here for every endpoint.
  (app as NestExpressApplication).useBodyParser('json', { reviver: refuseUnstorableText });
  app.use(answerBodyErrors);
  app.use(stripJsonSuffix);
  app.useGlobalFilters(new ZendeskErrorFilter((msg) => log.error(msg), errors));
  // Listening on Nest's server ourselves: app.listen logs a taken port as an error of its own
  // before rejecting, and runMain explains it once, naming MAILROOM_HTTP_PORT.
  await app.init();
  const server = app.getHttpServer() as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.httpPort, cfg.httpHost, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return { app, port, close: () => app.close() };
};

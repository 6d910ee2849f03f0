import { Module, type DynamicModule } from '@nestjs/common';
import type { Db } from '@mailroom/database';
import type { EventStore } from '@mailroom/event-store';
import { Webhooks } from '../webhooks/webhooks-store';
import { WebhooksApi, WebhooksController } from './webhooks-controller';

export interface NotifierHttpDeps {
  db: Db;
  store: EventStore;
  /** Public base URL, for `url` fields. */
  baseUrl: string;
}

/** The notifier context's part of the one API: webhooks. Its guard's dependencies come from the host's global module. */
@Module({})
export class NotifierHttpModule {
  static register(deps: NotifierHttpDeps): DynamicModule {
    return {
      module: NotifierHttpModule,
      controllers: [WebhooksController],
      providers: [{ provide: WebhooksApi, useValue: new WebhooksApi(deps.db, new Webhooks(deps.store), deps.baseUrl) }],
    };
  }
}

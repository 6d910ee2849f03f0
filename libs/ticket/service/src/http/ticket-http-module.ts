import { Module, type DynamicModule } from '@nestjs/common';
import type { Db } from '@mailroom/database';
import type { EventStore } from '@mailroom/event-store';
import type { Logger } from '@mailroom/observability';
import { AccountSettingsStore, type AccountSettingsFollower } from '../account/account-settings-store';
import type { TicketCommands } from '../commands/ticket-commands';
import { PeopleApi } from '../people/people-api';
import { AccountSettingsController } from './account-settings-controller';
import { ApiTokensApi, ApiTokensController } from './api-tokens-controller';
import { TicketsController, UsersController } from './controllers';
import { GroupsController } from './groups-controller';
import { OrganizationsController, UserUpdatesController } from './organizations-controller';
import { SatisfactionApi, SatisfactionPageController, SatisfactionRatingsController } from './satisfaction-controller';
import { SchedulesApi, SchedulesController } from './schedules-controller';
import { TicketApi } from './ticket-api';

export interface TicketHttpDeps {
  db: Db;
  store: EventStore;
  commands: TicketCommands;
  tickets: TicketApi;
  people: PeopleApi;
  /** Public base URL, for `url` fields and links. */
  baseUrl: string;
  /** Signs satisfaction links. */
  secret: string;
  accountName: string;
  log: Logger;
  /**
   * What other contexts do in an account settings change's transaction. The host passes the
   * scheduler's satisfaction follower: the ticket context does not import the scheduler for it.
   */
  settingsFollowers: readonly AccountSettingsFollower[];
}

/**
 * The ticket context's part of the one API: tickets, users, groups and memberships, organizations,
 * account settings, satisfaction ratings (and the rating page, outside `/api/v2`), business-hours
 * schedules and API tokens. Its guard's dependencies come from the host's global module.
 */
@Module({})
export class TicketHttpModule {
  static register(deps: TicketHttpDeps): DynamicModule {
    return {
      module: TicketHttpModule,
      controllers: [TicketsController, UsersController, GroupsController, OrganizationsController, UserUpdatesController, AccountSettingsController, SchedulesController, ApiTokensController, SatisfactionRatingsController, SatisfactionPageController],
      providers: [
        { provide: TicketApi, useValue: deps.tickets },
        { provide: SchedulesApi, useValue: new SchedulesApi(deps.db, deps.baseUrl) },
        { provide: SatisfactionApi, useValue: new SatisfactionApi(deps.db, deps.commands, deps.secret, deps.baseUrl, deps.accountName) },
        { provide: ApiTokensApi, useValue: new ApiTokensApi(deps.db, deps.baseUrl, deps.log) },
        { provide: PeopleApi, useValue: deps.people },
        { provide: AccountSettingsStore, useValue: new AccountSettingsStore(deps.store, deps.settingsFollowers) },
      ],
    };
  }
}

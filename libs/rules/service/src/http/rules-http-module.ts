import { Module, type DynamicModule } from '@nestjs/common';
import type { Db } from '@mailroom/database';
import { TriggerSimulationController } from './trigger-simulation-controller';
import { TriggerCategoriesController, TriggerExplanationController, TriggersApi, TriggersController } from './triggers-controller';

export interface RulesHttpDeps {
  db: Db;
  /** Public base URL, for `url` fields. */
  baseUrl: string;
}

/**
 * The rules context's part of the one API: triggers, trigger categories, an update's trigger
 * explanation and the triggers' what-if. Its guard's dependencies come from the host's global module.
 */
@Module({})
export class RulesHttpModule {
  static register(deps: RulesHttpDeps): DynamicModule {
    return {
      module: RulesHttpModule,
      controllers: [TriggerSimulationController, TriggersController, TriggerCategoriesController, TriggerExplanationController],
      providers: [{ provide: TriggersApi, useValue: new TriggersApi(deps.db, deps.baseUrl) }],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import type { Db } from '@mailroom/database';
import { AutomationCycleController } from './automation-cycle-controller';
import { AutomationsApi, AutomationsController } from './automations-controller';

export interface SchedulerHttpDeps {
  db: Db;
  /** Public base URL, for `url` fields. */
  baseUrl: string;
}

/**
 * The scheduler context's part of the one API: automations, their what-if, and the cycle clock
 * (`POST /api/v2/automations/cycle.json`). Its guard's dependencies come from the host's global module.
 */
@Module({})
export class SchedulerHttpModule {
  static register(deps: SchedulerHttpDeps): DynamicModule {
    return {
      module: SchedulerHttpModule,
      controllers: [AutomationCycleController, AutomationsController],
      providers: [{ provide: AutomationsApi, useValue: new AutomationsApi(deps.db, deps.baseUrl) }],
    };
  }
}

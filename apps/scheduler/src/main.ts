import { readInt, readWorkerConfig } from '@mailroom/config';
import { runMain } from '@mailroom/observability';
import { startSchedulerService } from '@mailroom/scheduler';

void runMain('scheduler', () => ({ ...readWorkerConfig(3003), tickSeconds: readInt(process.env, 'MAILROOM_TICK_SECONDS', 60, 0, 86400) }), startSchedulerService);

import { readSchedulerConfig } from '@mailroom/config';
import { runMain } from '@mailroom/observability';
import { startSchedulerService } from '@mailroom/scheduler';

void runMain('scheduler', () => readSchedulerConfig(), startSchedulerService);

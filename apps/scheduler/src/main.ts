import { readSchedulerConfig } from '@mailroom/config';
import { withForwarderRole } from '@mailroom/messaging';
import { runMain } from '@mailroom/observability';
import { startSchedulerService } from '@mailroom/scheduler';

void runMain('scheduler', () => readSchedulerConfig(), withForwarderRole(startSchedulerService));

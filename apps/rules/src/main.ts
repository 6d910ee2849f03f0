import { readWorkerConfig } from '@mailroom/config';
import { withForwarderRole } from '@mailroom/messaging';
import { runMain } from '@mailroom/observability';
import { startRulesService } from '@mailroom/rules';

void runMain('rules', () => readWorkerConfig(3002), withForwarderRole(startRulesService));

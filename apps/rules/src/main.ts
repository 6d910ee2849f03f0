import { readWorkerConfig } from '@mailroom/config';
import { runMain } from '@mailroom/observability';
import { startRulesService } from '@mailroom/rules';

void runMain('rules', () => readWorkerConfig(3002), startRulesService);

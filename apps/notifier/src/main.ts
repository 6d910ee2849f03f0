import { readNotifierConfig } from '@mailroom/config';
import { runMain } from '@mailroom/observability';
import { startNotifierService } from '@mailroom/notifier';

void runMain('notifier', () => readNotifierConfig(), startNotifierService);

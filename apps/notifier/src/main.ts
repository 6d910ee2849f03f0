import { readNotifierConfig } from '@mailroom/config';
import { withForwarderRole } from '@mailroom/messaging';
import { runMain } from '@mailroom/observability';
import { startNotifierService } from '@mailroom/notifier';

void runMain('notifier', () => readNotifierConfig(), withForwarderRole(startNotifierService));

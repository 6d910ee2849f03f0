import { readTicketConfig } from '@mailroom/config';
import { runMain } from '@mailroom/observability';
import { startTicketService } from '@mailroom/ticket';

void runMain('ticket', () => readTicketConfig(), startTicketService);

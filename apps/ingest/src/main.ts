import { readIngestConfig } from '@mailroom/config';
import { startIngestService } from '@mailroom/ingest';
import { withForwarderRole } from '@mailroom/messaging';
import { runMain } from '@mailroom/observability';

// Without RabbitMQ ingest still takes mail (it waits in the log), so only PostgreSQL must be there.
void runMain('ingest', () => readIngestConfig(), withForwarderRole(startIngestService), { needsBroker: false });

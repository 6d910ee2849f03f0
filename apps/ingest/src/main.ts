import { readIngestConfig } from '@mailroom/config';
import { startIngestService } from '@mailroom/ingest';
import { runMain } from '@mailroom/observability';

void runMain('ingest', () => readIngestConfig(), startIngestService);

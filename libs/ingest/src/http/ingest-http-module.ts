import { Module, type DynamicModule } from '@nestjs/common';
import type { Db } from '@mailroom/database';
import { Attachments, AttachmentsController } from './attachments-controller';
import { OriginalEmailController, OriginalEmails } from './original-email-controller';
import { SuspendedTicketsController } from './suspended-tickets-controller';

export interface IngestHttpDeps {
  db: Db;
  /** Public base URL, for `url` fields and attachment links. */
  baseUrl: string;
}

/**
 * Ingest's part of the one API: suspended tickets, attachments (and their downloads, outside
 * `/api/v2`), and a comment's original email. Its guard's dependencies come from the host's global module.
 */
@Module({})
export class IngestHttpModule {
  static register(deps: IngestHttpDeps): DynamicModule {
    return {
      module: IngestHttpModule,
      controllers: [SuspendedTicketsController, AttachmentsController, OriginalEmailController],
      providers: [
        { provide: Attachments, useValue: new Attachments(deps.db, deps.baseUrl) },
        { provide: OriginalEmails, useValue: new OriginalEmails(deps.db, deps.baseUrl) },
      ],
    };
  }
}

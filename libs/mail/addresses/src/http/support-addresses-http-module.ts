import { Module, type DynamicModule } from '@nestjs/common';
import type { Db } from '@mailroom/database';
import type { EventStore } from '@mailroom/event-store';
import type { DbAddressBook } from '../address-book';
import { RecipientAddresses } from '../recipient-addresses';
import { RecipientAddressesApi, RecipientAddressesController } from './recipient-addresses-controller';

export interface SupportAddressesHttpDeps {
  db: Db;
  store: EventStore;
  /** The host's address book, refreshed after each change so it applies at once. */
  book: DbAddressBook;
  /** Public base URL, for `url` fields. */
  baseUrl: string;
}

/**
 * The mail context's part of the one API: support addresses (`/api/v2/recipient_addresses`, over
 * email_channel.recipient_addresses). Its guard's dependencies come from the host's global module.
 */
@Module({})
export class SupportAddressesHttpModule {
  static register(deps: SupportAddressesHttpDeps): DynamicModule {
    return {
      module: SupportAddressesHttpModule,
      controllers: [RecipientAddressesController],
      providers: [{ provide: RecipientAddressesApi, useValue: new RecipientAddressesApi(deps.db, new RecipientAddresses(deps.store), deps.book, deps.baseUrl) }],
    };
  }
}

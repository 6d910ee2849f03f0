import { outsideBatch, type Db } from '@mailroom/database';
import type { EventStore, LogWakeup } from '@mailroom/event-store';
import type { SupportAddress } from '@mailroom/mail-domain';
import { RecipientAddresses, toSupportAddress } from './recipient-addresses';

export interface DbAddressBookOptions {
  db: Db;
  addresses: RecipientAddresses;
  /** How often to look for changes; every replica sees a change within this time. Default 1000 ms. */
  refreshMs?: number;
  /** Wakes the book early when something is appended to the log (a change is then seen at once). */
  wakeup?: LogWakeup;
  onError?: (err: unknown) => void;
}

/**
 * The support addresses in force, from email_channel.recipient_addresses, for the SMTP edge, the
 * mail worker, the ticket service and the notifier (`current()` is synchronous: it is asked per
 * mail). It checks the `recipient-addresses` stream version every `refreshMs` (and on a log
 * wake-up, at most every 100 ms) — a primary-key read — and reloads the list only when it changed,
 * so an API change applies on every replica within about a second, without a restart. While the
 * database is away it keeps the last list it read.
 */
export class DbAddressBook {
  private list: readonly SupportAddress[] = [];
  private version = -1;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private lastWake = 0;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly opts: DbAddressBookOptions) {}

  current(): readonly SupportAddress[] {
    return this.list;
  }

  /** Loads the list (failing if the database is not there: the service cannot start without it), then keeps it fresh. */
  async start(): Promise<void> {
    await this.load();
    this.schedule();
    if (this.opts.wakeup) {
      this.unsubscribe = this.opts.wakeup.subscribe(() => {
        const now = Date.now();
        if (now - this.lastWake < 100) return;
        this.lastWake = now;
        void this.refresh();
      });
    }
  }

  /** Re-reads now when the stream moved; the writer calls it after its own change to see it at once. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    // Shared by every caller: never read inside a consumer's batch (see outsideBatch).
    this.inFlight = outsideBatch(async () => {
      try {
        do {
          this.again = false;
          await this.load();
        } while (this.again && !this.stopped);
      } catch (err) {
        this.opts.onError?.(err);
      } finally {
        this.inFlight = null;
      }
    });
    return this.inFlight;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedule());
    }, this.opts.refreshMs ?? 1000);
    this.timer.unref?.();
  }

  private async load(): Promise<void> {
    const { db, addresses } = this.opts;
    const version = await addresses.version(db);
    if (version === this.version) return;
    // Read the rows and the version they belong to together, so a change in between is not missed.
    const { rows, at } = await db.transaction(async (tx) => {
      await tx.query(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`);
      return { at: await addresses.version(tx), rows: await addresses.list(tx) };
    });
    // Default first: code that takes "the first address" gets the default.
    this.list = rows.map(toSupportAddress).sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
    this.version = at;
  }
}

export interface OpenAddressBookOptions extends Omit<DbAddressBookOptions, 'addresses'> {
  store: EventStore;
  /** MAILROOM_SUPPORT_ADDRESSES, already parsed: seeds the table the first time any service starts. */
  configured: readonly SupportAddress[];
  now?: () => Date;
}

/** Seeds the addresses from the configuration if they never existed, then loads and keeps them fresh. */
export const openSupportAddressBook = async (opts: OpenAddressBookOptions): Promise<DbAddressBook> => {
  const addresses = new RecipientAddresses(opts.store);
  await addresses.seed(opts.db, opts.configured, (opts.now?.() ?? new Date()).toISOString());
  const book = new DbAddressBook({ ...opts, addresses });
  await book.start();
  return book;
};

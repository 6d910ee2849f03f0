import { EventStore } from '@mailroom/event-store';
import { parseSupportAddresses } from '@mailroom/mail-domain';
import { silentLogger } from '@mailroom/observability';
import { openSupportAddressBook, RecipientAddresses, type DbAddressBook } from '@mailroom/support-addresses';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { startSmtpEdge, type RunningSmtpEdge } from '../smtp-edge';
import { SmtpTalk } from './smtp-talk';

/**
 * An address added through the API is accepted by the SMTP edge at once, not after the book's
 * next periodic refresh: the edge catches up before answering 550. The book here refreshes only
 * once a minute, so nothing but that catch-up can make the new address known in time.
 */
describe('SMTP edge and a support address added a moment ago', () => {
  let database: TestDatabase;
  let book: DbAddressBook;
  let edge: RunningSmtpEdge;
  const store = new EventStore();
  const admin = { userId: 1, role: 'admin' as const };

  beforeAll(async () => {
    database = await createTestDatabase();
    book = await openSupportAddressBook({ db: database.db, store, configured: parseSupportAddresses('Acme Support <support@mailroom.test>'), refreshMs: 60_000 });
    edge = await startSmtpEdge({ host: '127.0.0.1', port: 0, maxMessageBytes: 256 * 1024, addresses: book, db: database.db, store, log: silentLogger, settings: { starttls: false } });
  });
  afterAll(async () => {
    await edge?.close();
    await book?.stop();
    await database?.drop();
  });

  const rcpt = async (address: string): Promise<number> => {
    const { talk } = await SmtpTalk.open(edge.port);
    await talk.send('EHLO mta.test');
    await talk.send('MAIL FROM:<jane@customer.test>');
    const code = (await talk.send(`RCPT TO:<${address}>`)).code;
    await talk.quit();
    return code;
  };

  it('is accepted on the first try after it was created, and an unknown address is still refused', async () => {
    expect(await rcpt('sales@mailroom.test')).toBe(550);
    const created = await database.db.transaction((tx) => new RecipientAddresses(store).create(tx, { email: 'sales@mailroom.test', name: 'Acme Sales' }, admin, new Date().toISOString()));
    expect(created.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // past the edge's 250 ms between catch-ups
    expect(await rcpt('sales@mailroom.test')).toBe(250);
    expect(await rcpt('nobody@mailroom.test')).toBe(550);
  });
});

import { RECIPIENT_ADDRESSES_STREAM, type Actor } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { matchSupportAddress, parseSupportAddresses } from '@mailroom/mail-domain';
import { createTestDatabase, eventually, type TestDatabase } from '@mailroom/testing';
import { DbAddressBook, openSupportAddressBook } from './address-book';
import { isClaimedBySupportAddress, RecipientAddresses } from './recipient-addresses';

const admin: Actor = { userId: 1, role: 'admin' };
const NOW = '2026-12-01T08:00:00.000Z';

describe('support addresses in PostgreSQL', () => {
  let database: TestDatabase;
  const store = new EventStore();
  const addresses = new RecipientAddresses(store);
  const books: DbAddressBook[] = [];
  const configured = parseSupportAddresses('Acme Support <support@acme.test>, help@acme.test');

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const b of books) await b.stop();
    await database?.drop();
  });

  const open = async (refreshMs = 200) => {
    const book = await openSupportAddressBook({ db: database.db, store, configured, refreshMs });
    books.push(book);
    return book;
  };

  it('seeds from the configuration exactly once, also when several services start together', async () => {
    const seeded = await Promise.all([1, 2, 3].map(() => addresses.seed(database.db, configured, NOW)));
    expect(seeded.filter(Boolean)).toHaveLength(1);
    const rows = await addresses.list(database.db);
    expect(rows.map((r) => [r.email, r.name, r.isDefault])).toEqual([
      ['support@acme.test', 'Acme Support', true],
      ['help@acme.test', '', false],
    ]);
    const events = await store.readStream(database.db, RECIPIENT_ADDRESSES_STREAM);
    expect(events.map((e) => [e.type, (e.data as { email: string }).email])).toEqual([
      ['recipient_address.created', 'support@acme.test'],
      ['recipient_address.created', 'help@acme.test'],
    ]);
    // A later start with another setting does not override what the API owns now.
    expect(await addresses.seed(database.db, parseSupportAddresses('other@acme.test'), NOW)).toBe(false);
    expect(await addresses.list(database.db)).toHaveLength(2);
  });

  it('a book on another "replica" sees a new address, a new default and a deletion within its refresh time', async () => {
    const book = await open();
    expect(book.current()[0]).toEqual({ address: 'support@acme.test', name: 'Acme Support', isDefault: true });
    expect(matchSupportAddress('sales@acme.test', book.current())).toBeNull();

    const created = await database.db.transaction((tx) => addresses.create(tx, { email: 'Sales@Acme.test', name: 'Acme Sales' }, admin, NOW));
    if (!created.ok) throw new Error(JSON.stringify(created.refusal));
    expect(created.address).toMatchObject({ email: 'sales@acme.test', name: 'Acme Sales', isDefault: false });
    await eventually(() => matchSupportAddress('sales@acme.test', book.current()), 'the new address in the book', 3000);

    const made = await database.db.transaction((tx) => addresses.update(tx, created.address.id, { default: true }, admin, NOW));
    expect(made.ok).toBe(true);
    await eventually(() => book.current()[0].address === 'sales@acme.test', 'the new default first', 3000);
    expect(book.current().filter((a) => a.isDefault)).toHaveLength(1);

    const back = (await addresses.list(database.db)).find((a) => a.email === 'support@acme.test')!;
    expect((await database.db.transaction((tx) => addresses.update(tx, back.id, { default: true }, admin, NOW))).ok).toBe(true);
    expect((await database.db.transaction((tx) => addresses.delete(tx, created.address.id, admin, NOW))).ok).toBe(true);
    await eventually(() => matchSupportAddress('sales@acme.test', book.current()) === null, 'the address gone from the book', 3000);
    const types = (await store.readStream(database.db, RECIPIENT_ADDRESSES_STREAM)).map((e) => e.type);
    expect(types.slice(2)).toEqual(['recipient_address.created', 'recipient_address.updated', 'recipient_address.updated', 'recipient_address.deleted']);
  });

  it('refuses what would break mail: duplicates, user emails, bad wildcards, no default', async () => {
    await database.db.query(`INSERT INTO ticket.user_emails (email, user_id) VALUES ('jane@customer.test', 99), ('bob@help.other.test', 98)`);
    const refusal = async (input: Record<string, unknown>) => {
      const r = await database.db.transaction((tx) => addresses.create(tx, input, admin, NOW));
      return r.ok ? null : r.refusal;
    };
    expect(await refusal({ email: 'SUPPORT@acme.test' })).toMatchObject({ kind: 'invalid', field: 'email', description: expect.stringMatching(/already a support address/) });
    expect(await refusal({ email: 'jane@customer.test' })).toMatchObject({ field: 'email', description: expect.stringMatching(/belongs to a user/) });
    expect(await refusal({ email: '*@help.other.test' })).toMatchObject({ field: 'email', description: expect.stringMatching(/bob@help.other.test belongs to a user/) });
    expect(await refusal({ email: '*@com' })).toMatchObject({ field: 'email' });
    expect(await refusal({ email: 'a+b@acme.test' })).toMatchObject({ field: 'email' });
    expect(await refusal({})).toMatchObject({ field: 'email', description: 'Email: cannot be blank' });
    expect(await refusal({ email: '*@wild.acme.test', default: true })).toMatchObject({ field: 'default' });
    expect(await refusal({ email: 'x@acme.test', name: 'n'.repeat(256) })).toMatchObject({ field: 'name' });

    const [support] = await addresses.list(database.db);
    const upd = await database.db.transaction((tx) => addresses.update(tx, support.id, { default: false }, admin, NOW));
    expect(upd).toMatchObject({ ok: false, refusal: { field: 'default' } });
    const del = await database.db.transaction((tx) => addresses.delete(tx, support.id, admin, NOW));
    expect(del).toMatchObject({ ok: false, refusal: { field: 'default' } });
    const missing = await database.db.transaction((tx) => addresses.delete(tx, 999999, admin, NOW));
    expect(missing).toEqual({ ok: false, refusal: { kind: 'not_found' } });
  });

  it('a wildcard claims its whole domain for the user check, and matches any mailbox there', async () => {
    const r = await database.db.transaction((tx) => addresses.create(tx, { email: '*@wild.acme.test', name: 'Wild' }, admin, NOW));
    expect(r.ok).toBe(true);
    expect(await isClaimedBySupportAddress(database.db, 'Anyone@WILD.acme.test')).toBe(true);
    expect(await isClaimedBySupportAddress(database.db, 'support@acme.test')).toBe(true);
    expect(await isClaimedBySupportAddress(database.db, 'anyone@acme.test')).toBe(false);
    expect(await isClaimedBySupportAddress(database.db, 'a@sub.wild.acme.test')).toBe(false);
    const book = await open();
    expect(matchSupportAddress('orders@wild.acme.test', book.current())?.address).toEqual({ address: 'orders@wild.acme.test', name: 'Wild', isDefault: false });
  });
});

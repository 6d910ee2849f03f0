import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import type { RecoverSuspendedTicketV1 } from '@mailroom/mail-domain';
import { rawMail, workerHarness, type Harness } from '../screening/worker-harness';
import { recoverSuspendedTicket } from './recover-suspended';

/** Recovery of the suspensions the screening checks do not make. Real Postgres. */
describe('recovering a suspended mail', () => {
  let database: TestDatabase;
  let h: Harness;
  const agent = { id: 1, email: 'agent@mailroom.test', name: 'Agent Smith' };

  beforeAll(async () => {
    database = await createTestDatabase();
    h = workerHarness(database.db, 'Acme Support <support@mailroom.test>, Billing <billing@mailroom.test>');
  });
  afterAll(async () => database?.drop());

  const suspended = async (mailId: string) =>
    (await database.db.query<{ id: string; cause: string; recovered_at: Date | null }>(`SELECT id, cause, recovered_at FROM ingest.suspended_tickets WHERE mail_id = $1`, [mailId]))[0];
  const recover = (id: number, recoveryCount = 0) =>
    database.db.transaction((tx) => recoverSuspendedTicket(h.deps, tx, { suspendedTicketId: id, recoveryCount, agent, requestedAt: new Date().toISOString() } satisfies RecoverSuspendedTicketV1, new Date()));

  it('gives a mail that reached no support address to the default one, as a ticket of its author', async () => {
    // Accepted for an address that was removed before the worker got to it.
    const mailId = await h.receive(rawMail({ from: 'Ann <ann@customer.test>', to: 'old-queue@mailroom.test', subject: 'Lost invoice' }), { to: ['old-queue@mailroom.test'] });
    const row = await suspended(mailId);
    expect(row.cause).toBe('unprocessable_email');

    await recover(Number(row.id));
    expect((await suspended(mailId)).recovered_at).not.toBeNull();
    expect(await h.routed(mailId)).toMatchObject({ outcome: 'new_ticket', supportAddress: 'support@mailroom.test' });
    const [create] = await h.commands(mailId);
    expect(create.type).toBe('ticket.create_ticket');
    expect(create.data).toMatchObject({ recipient: 'support@mailroom.test', requester: { email: 'ann@customer.test' }, subject: 'Lost invoice' });
  });

  it('still suspends such a mail when it is not being recovered', async () => {
    const mailId = await h.receive(rawMail({ from: 'bob@customer.test', to: 'nobody@elsewhere.test' }), { to: ['nobody@elsewhere.test'] });
    expect(await h.routed(mailId)).toMatchObject({ outcome: 'suspended', cause: 'unprocessable_email' });
    expect(await h.commands(mailId)).toEqual([]);
  });
});

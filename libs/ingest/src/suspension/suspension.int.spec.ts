import { randomUUID } from 'node:crypto';
import { RECOVER_SUSPENDED_TICKET, type RecoverSuspendedTicketV1 } from '@mailroom/mail-domain';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { rawMail, workerHarness, type Harness } from '../screening/worker-harness';
import { handleIngestCommand, recoverSuspendedTicket } from './recover-suspended';
import { deleteSuspendedTickets, startRetentionTimer } from './retention';

/** Suspended tickets after the worker set them aside: recovery, deletion, retention. Real Postgres. */
describe('suspended tickets', () => {
  let database: TestDatabase;
  let h: Harness;
  const agent = { id: 1, email: 'agent@mailroom.test', name: 'Agent Smith' };

  beforeAll(async () => {
    database = await createTestDatabase();
    h = workerHarness(database.db);
  });
  afterAll(async () => database?.drop());

  const suspendedRow = async (mailId: string) =>
    (await database.db.query<{ id: string; cause: string; recovered_at: Date | null; recovery_count: number }>(`SELECT id, cause, recovered_at, recovery_count FROM ingest.suspended_tickets WHERE mail_id = $1`, [mailId]))[0];
  const command = (suspendedTicketId: number, recoveryCount = 0): RecoverSuspendedTicketV1 => ({ suspendedTicketId, recoveryCount, agent, requestedAt: new Date().toISOString() });
  const recover = (c: RecoverSuspendedTicketV1, id = randomUUID()) =>
    handleIngestCommand(h.deps, { id, kind: 'command', type: RECOVER_SUSPENDED_TICKET, schemaVersion: 1, streamId: `command-${id}`, streamVersion: 1, globalPosition: '1', data: c, metadata: { occurredAt: new Date().toISOString() } });

  it('recovers an auto-reply into a ticket of its own author, skipping the check that suspended it, once', async () => {
    const mailId = await h.receive(rawMail({ from: 'Ann <ann@customer.test>', headers: ['Auto-Submitted: auto-generated'], subject: 'Order confirmation' }));
    const row = await suspendedRow(mailId);
    expect(row.cause).toBe('auto_mailer');
    expect(await h.commands(mailId)).toEqual([]);

    await recover(command(Number(row.id)));
    const after = await suspendedRow(mailId);
    expect(after.recovered_at).not.toBeNull();
    expect(await h.routed(mailId)).toMatchObject({ outcome: 'new_ticket' });
    const commands = await h.commands(mailId);
    expect(commands.map((c) => c.type)).toEqual(['ticket.create_ticket']);
    expect(commands[0].data.requester).toEqual({ email: 'ann@customer.test', name: 'Ann' });

    // The same command again, and a second command for the same suspension: nothing more happens.
    const again = command(Number(row.id));
    await recover(again);
    await recover(again);
    expect(await h.commands(mailId)).toHaveLength(1);
  });

  it('makes the recovering agent the requester of a mail without a sender', async () => {
    const mailId = await h.receive(rawMail({ from: null }), { from: 'bounces@lists.customer.test' });
    const row = await suspendedRow(mailId);
    expect(row.cause).toBe('unknown_author');
    await database.db.transaction((tx) => recoverSuspendedTicket(h.deps, tx, command(Number(row.id)), new Date()));
    expect(await h.routed(mailId)).toMatchObject({ outcome: 'new_ticket' });
    const [create] = await h.commands(mailId);
    expect(create.data.requester).toEqual({ email: 'agent@mailroom.test', name: 'Agent Smith' });
  });

  it('suspends a recovered mail again for another cause, and a second recovery skips both', async () => {
    // An auto-reply that is also from a no-reply address: recovering the first cause meets the second.
    const mailId = await h.receive(rawMail({ from: 'noreply@shop.test', headers: ['X-Autoreply: yes'] }));
    const first = await suspendedRow(mailId);
    expect(first.cause).toBe('auto_mailer');
    await recover(command(Number(first.id), 0));
    const second = await suspendedRow(mailId);
    expect(second).toMatchObject({ id: first.id, cause: 'from_noreply', recovered_at: null, recovery_count: 1 });
    // A late duplicate of the first recovery does nothing; the new one goes through.
    await recover(command(Number(first.id), 0));
    expect((await suspendedRow(mailId)).recovered_at).toBeNull();
    await recover(command(Number(first.id), 1));
    expect((await suspendedRow(mailId)).recovered_at).not.toBeNull();
    expect((await h.commands(mailId)).map((c) => c.type)).toEqual(['ticket.create_ticket']);
  });

  it('does nothing for a suspended ticket that was deleted', async () => {
    const mailId = await h.receive(rawMail({ from: 'bob@customer.test', headers: ['Precedence: bulk'] }));
    const row = await suspendedRow(mailId);
    expect(await deleteSuspendedTickets(database.db, [Number(row.id)])).toMatchObject({ deleted: [Number(row.id)], rawMailDeleted: 1 });
    await recover(command(Number(row.id)));
    expect(await database.db.query(`SELECT 1 FROM ingest.raw_mail WHERE id = $1`, [mailId])).toEqual([]);
    expect(await h.commands(mailId)).toEqual([]);
  });

  it('deleting frees the Message-ID: the same mail sent again is processed afresh', async () => {
    const raw = rawMail({ from: 'carl@customer.test', headers: ['Auto-Submitted: auto-replied'], messageId: '<same-again@customer.test>' });
    const first = await h.receive(raw);
    await deleteSuspendedTickets(database.db, [Number((await suspendedRow(first)).id)]);
    const second = await h.receive(raw);
    expect(await h.routed(second)).toMatchObject({ outcome: 'suspended', cause: 'auto_mailer' });
  });

  it('keeps the raw mail of a recovered ticket when its row is deleted', async () => {
    const mailId = await h.receive(rawMail({ from: 'dana@customer.test', headers: ['X-Autorespond: yes'] }));
    const row = await suspendedRow(mailId);
    await recover(command(Number(row.id)));
    expect(await deleteSuspendedTickets(database.db, [Number(row.id)])).toMatchObject({ rawMailDeleted: 0 });
    expect(await database.db.query(`SELECT 1 FROM ingest.raw_mail WHERE id = $1`, [mailId])).toHaveLength(1);
  });

  it('purges suspended tickets older than the retention period on its timer, by the injected clock', async () => {
    h.setNow(new Date('2026-10-01T08:00:00Z'));
    const old = await h.receive(rawMail({ from: 'old@customer.test', headers: ['Auto-Submitted: auto-replied'] }));
    h.setNow(new Date('2026-10-10T08:00:00Z'));
    const recent = await h.receive(rawMail({ from: 'recent@customer.test', headers: ['Auto-Submitted: auto-replied'] }));
    h.setNow(new Date('2026-11-25T09:00:00Z'));

    let now = new Date('2026-10-14T07:59:00Z');
    const purged: number[][] = [];
    const timer = startRetentionTimer({ db: database.db, clock: () => now, retentionDays: 14, rateWindowMinutes: 60, intervalMs: 20, onPurged: (r) => purged.push(r.deleted) });
    try {
      expect((await timer.runOnce()).deleted).toEqual([]); // 13 days 23:59 old: kept
      now = new Date('2026-10-15T08:01:00Z');
      const deadline = Date.now() + 5000;
      while (purged.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(purged[0]).toHaveLength(1); // the old one, by the timer
      expect(await suspendedRow(old)).toBeUndefined();
      expect(await database.db.query(`SELECT 1 FROM ingest.raw_mail WHERE id = $1`, [old])).toEqual([]);
      expect(await suspendedRow(recent)).toBeDefined();
    } finally {
      timer.stop();
    }
  });
});

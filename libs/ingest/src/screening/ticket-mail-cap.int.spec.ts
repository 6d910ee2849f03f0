import { ticketStreamId } from '@mailroom/contracts';
import { notificationMessageId } from '@mailroom/mail-domain';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { DEFAULT_SCREENING_POLICY } from './screen-mail';
import { HARNESS_SECRET, rawMail, workerHarness, type Harness } from './worker-harness';

/**
 * Loops that the per-sender limit and the header checks miss, on the real worker and database:
 * two auto-responders that send no auto-reply headers and answer each other through one ticket,
 * each under its own sender limit; and our own support address, plus-addressed or in another
 * case, as the sender.
 */
describe('loops the per-sender checks miss', () => {
  let database: TestDatabase;
  let h: Harness;

  beforeAll(async () => {
    database = await createTestDatabase();
    h = workerHarness(database.db, 'Acme Support <support@mailroom.test>, Acme Help <*@help.acme.test>');
    // The tickets the replies are about exist in the log (threading only follows references to real tickets).
    for (const id of [41, 42, 43, 44]) {
      await database.db.query(`INSERT INTO mailroom_events.streams (stream_id, stream_type, version) VALUES ($1, 'ticket', 1)`, [ticketStreamId(id)]);
    }
  });
  afterAll(async () => database?.drop());
  beforeEach(() => {
    h.setPolicy(DEFAULT_SCREENING_POLICY);
    h.setNow(new Date('2026-11-25T09:00:00Z'));
  });

  /** A reply to our notification about a ticket: what an auto-responder sends back. */
  const replyTo = (ticketId: number, from: string, n: number) =>
    rawMail({
      from,
      subject: `Re: [Acme] Your request #${ticketId} (${n})`,
      headers: [`In-Reply-To: ${notificationMessageId(ticketId, '6f1c2a3b-0000-4000-8000-00000000abcd', 'mailroom.test', HARNESS_SECRET)}`],
      body: `Thank you for your message (${n}).`,
    });

  it('suspends the mails past the per-ticket cap as a loop, from all senders together, and lets other tickets through', async () => {
    h.setPolicy({ ...DEFAULT_SCREENING_POLICY, ticketMailPerHour: 4 });
    const outcomes: string[] = [];
    for (let i = 0; i < 7; i++) {
      const from = i % 2 === 0 ? 'robot-a@vendor-a.test' : 'robot-b@vendor-b.test';
      outcomes.push((await h.routed(await h.receive(replyTo(41, from, i)))).outcome);
    }
    // Each robot sent at most four mails: far under the per-sender limit of twenty.
    expect(outcomes).toEqual(['comment', 'comment', 'comment', 'comment', 'suspended', 'suspended', 'suspended']);
    const rows = await database.db.query<{ cause: string; detail: string; ticket_id: string | null }>(
      `SELECT cause, detail, ticket_id FROM ingest.suspended_tickets WHERE author_email LIKE 'robot-%' ORDER BY id`,
    );
    expect(rows.map((r) => r.cause)).toEqual(['loop', 'loop', 'loop']);
    expect(rows[0].detail).toMatch(/5 mails for ticket #41 within an hour: more than 4 \(MAILROOM_TICKET_MAIL_COMMENTS_PER_HOUR\)/);
    expect(rows.map((r) => Number(r.ticket_id))).toEqual([41, 41, 41]);

    // Another ticket has a count of its own, and so does a new ticket.
    expect((await h.routed(await h.receive(replyTo(42, 'robot-a@vendor-a.test', 100)))).outcome).toBe('comment');
    expect((await h.routed(await h.receive(rawMail({ from: 'robot-a@vendor-a.test', subject: 'Something new' })))).outcome).toBe('new_ticket');

    // An hour after the first mails the window has slid past them.
    h.setNow(new Date('2026-11-25T10:00:30Z'));
    expect((await h.routed(await h.receive(replyTo(41, 'robot-b@vendor-b.test', 200)))).outcome).toBe('comment');
  });

  it('takes twenty mail comments per ticket and hour by default', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 21; i++) outcomes.push((await h.routed(await h.receive(replyTo(43, `person-${i}@customer.test`, i)))).outcome);
    expect(outcomes.filter((o) => o === 'comment')).toHaveLength(20);
    expect(outcomes[20]).toBe('suspended');
  });

  it('does not count mail that is suspended for another reason', async () => {
    h.setPolicy({ ...DEFAULT_SCREENING_POLICY, ticketMailPerHour: 1 });
    const vacation = rawMail({
      from: 'away@customer.test',
      subject: 'Out of Office',
      headers: ['Auto-Submitted: auto-replied', `In-Reply-To: ${notificationMessageId(44, '6f1c2a3b-0000-4000-8000-00000000abcd', 'mailroom.test', HARNESS_SECRET)}`],
    });
    expect(await h.routed(await h.receive(vacation))).toMatchObject({ outcome: 'suspended', cause: 'auto_vacation' });
    expect((await h.routed(await h.receive(replyTo(44, 'jane@customer.test', 1)))).outcome).toBe('comment');
  });

  it.each(['support@mailroom.test', 'SUPPORT@Mailroom.TEST', 'Acme <support+x@mailroom.test>', 'Support+T12-Abc@MAILROOM.test', 'orders@help.acme.test', 'Orders+Loop@HELP.acme.test'])(
    'suspends mail from our support address written %s as from_support_address',
    async (from) => {
      const mailId = await h.receive(rawMail({ from }));
      expect(await h.routed(mailId)).toMatchObject({ outcome: 'suspended', cause: 'from_support_address' });
      expect(await h.commands(mailId)).toEqual([]);
    },
  );

  it('lets mail through from addresses that only look like ours', async () => {
    // Outside our own domains (mail claiming those without authenticating is suspended by sender authentication).
    for (const from of ['jane+support@customer.test', 'support@mailroom-test.example', 'orders@help-acme.test', 'support@mailroom.test.example']) {
      const routed = await h.routed(await h.receive(rawMail({ from })));
      expect({ from, outcome: routed.outcome, cause: routed.cause ?? null }).toEqual({ from, outcome: 'new_ticket', cause: null });
    }
  });
});

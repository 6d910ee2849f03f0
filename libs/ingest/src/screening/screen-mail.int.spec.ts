import { encodeTicketId, notificationMessageId, ticketToken } from '@mailroom/mail-domain';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { DEFAULT_SCREENING_POLICY } from './screen-mail';
import { parseSenderLists } from './sender-lists';
import { HARNESS_SECRET, rawMail, workerHarness, type Harness } from './worker-harness';

/**
 * Loop and junk protection on the real worker and a real database: every suspension cause and
 * every refusal, each from a sender of its own (the rate limit counts per sender).
 */
describe('screening mail before it becomes a ticket', () => {
  let database: TestDatabase;
  let h: Harness;

  beforeAll(async () => {
    database = await createTestDatabase();
    h = workerHarness(database.db);
  });
  afterAll(async () => database?.drop());
  beforeEach(() => h.setPolicy(DEFAULT_SCREENING_POLICY));

  const ourNotification = notificationMessageId(7, '6f1c2a3b-0000-4000-8000-00000000abcd', 'mailroom.test', HARNESS_SECRET);
  const dsn = (to: string, originalId: string) =>
    rawMail({
      from: 'Mail Delivery System <MAILER-DAEMON@mx.customer.test>',
      subject: 'Undelivered Mail Returned to Sender',
      headers: ['Auto-Submitted: auto-replied', 'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"'],
      body: [
        '--b1',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.customer.test',
        '',
        `Final-Recipient: rfc822; ${to}`,
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 no such user',
        '--b1',
        'Content-Type: text/rfc822-headers',
        '',
        'From: Acme Support <support@mailroom.test>',
        `To: ${to}`,
        'Subject: [Acme] Printer on fire',
        `Message-ID: ${originalId}`,
        '--b1--',
      ].join('\n'),
    });

  it.each<[string, string, RegExp]>([
    ['an RFC 3834 auto-reply', rawMail({ from: 'a1@customer.test', headers: ['Auto-Submitted: auto-replied'] }), /^auto_mailer$/],
    ['X-Autoreply', rawMail({ from: 'a2@customer.test', headers: ['X-Autoreply: yes'] }), /^auto_mailer$/],
    ['X-Autorespond', rawMail({ from: 'a3@customer.test', headers: ['X-Autorespond: yes'] }), /^auto_mailer$/],
    ['an out-of-office reply', rawMail({ from: 'a4@customer.test', subject: 'Out of Office: Printer on fire', headers: ['Auto-Submitted: auto-replied'] }), /^auto_vacation$/],
    ['Precedence: bulk', rawMail({ from: 'a5@news.test', headers: ['Precedence: bulk'] }), /^auto_mailer$/],
    ['Precedence: junk', rawMail({ from: 'a6@news.test', headers: ['Precedence: junk'] }), /^auto_mailer$/],
    ['Precedence: list', rawMail({ from: 'a7@news.test', headers: ['Precedence: list'] }), /^auto_mailer$/],
    ['a List-Id', rawMail({ from: 'a8@news.test', headers: ['List-Id: <users.lists.news.test>'] }), /^auto_mailer$/],
    ['a mailer-daemon sender without a report', rawMail({ from: 'MAILER-DAEMON@mx.customer.test', subject: 'Warning' }), /^system_user$/],
    ['a postmaster sender', rawMail({ from: 'postmaster@customer.test', subject: 'Notice' }), /^system_user$/],
    ['our own notification coming back (header)', rawMail({ from: 'a9@customer.test', headers: ['X-Mailroom-Notification: 6f1c2a3b'] }), /^loop$/],
    ['our own notification coming back (Message-ID)', rawMail({ from: 'a10@customer.test', messageId: ourNotification }), /^loop$/],
    ['mail from our support address', rawMail({ from: 'Acme <support@mailroom.test>' }), /^from_support_address$/],
    ['mail whose Reply-To is our support address', rawMail({ from: 'a11@customer.test', headers: ['Reply-To: support+t1-abc@mailroom.test'] }), /^from_support_address$/],
    ['a no-reply sender', rawMail({ from: 'Shop <noreply@shop.test>' }), /^from_noreply$/],
  ])('suspends %s', async (_case, raw, cause) => {
    const mailId = await h.receive(raw);
    const routed = await h.routed(mailId);
    expect(routed.outcome).toBe('suspended');
    expect(routed.cause).toMatch(cause);
    const [row] = await database.db.query<{ cause: string; detail: string }>(`SELECT cause, detail FROM ingest.suspended_tickets WHERE mail_id = $1`, [mailId]);
    expect(row.cause).toMatch(cause);
    expect(row.detail).not.toBe('');
    expect(await h.commands(mailId)).toEqual([]);
  });

  it('suspends mail from the null reverse path (MAIL FROM:<>) with nothing else to go on as a delivery failure', async () => {
    const mailId = await h.receive(rawMail({ from: 'a12@customer.test' }), { from: '' });
    expect(await h.routed(mailId)).toMatchObject({ outcome: 'suspended', cause: 'auto_delivery_failure' });
  });

  it('suspends mail without any sender as unknown_author', async () => {
    const mailId = await h.receive(rawMail({ from: null }), { from: null });
    expect((await h.routed(mailId)).cause).toBe('unknown_author');
  });

  it('records a bounce of our notification: the address, the status and the ticket it was about', async () => {
    const mailId = await h.receive(dsn('gone@customer.test', ourNotification), { from: '' });
    const routed = await h.routed(mailId);
    expect(routed).toMatchObject({ outcome: 'suspended', cause: 'auto_delivery_failure', ticketId: 7 });
    expect(routed.reason).toContain('gone@customer.test failed (5.1.1)');
    const bounces = await database.db.query(`SELECT address, action, status, permanent, ticket_id, original_message_id FROM ingest.bounces WHERE mail_id = $1`, [mailId]);
    expect(bounces).toEqual([{ address: 'gone@customer.test', action: 'failed', status: '5.1.1', permanent: true, ticket_id: 7, original_message_id: ourNotification }]);
  });

  const bounceCommands = (mailId: string) =>
    database.db.query<{ id: string; data: any }>(`SELECT message_id AS id, data FROM mailroom_events.messages WHERE kind = 'command' AND type = 'ticket.record_bounce' AND data->>'mailId' = $1`, [mailId]);

  it('asks the ticket service to record each bounced address, once, through the log', async () => {
    const mailId = await h.receive(dsn('gone2@customer.test', ourNotification), { from: '' });
    const sent = await bounceCommands(mailId);
    expect(sent.map((c) => c.data)).toEqual([
      { mailId, address: 'gone2@customer.test', ticketId: 7, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 no such user', permanent: true, originalMessageId: ourNotification, bouncedAt: '2026-11-25T09:00:00.000Z' },
    ]);
    // The worker handling the same report again (a replay after a fix) sends no second command.
    await h.redo(mailId);
    expect(await bounceCommands(mailId)).toHaveLength(1);
  });

  it('keeps an auto-reply to one of our notifications with the ticket it answers, never as a comment', async () => {
    const mailId = await h.receive(rawMail({ from: 'away@customer.test', subject: 'Out of Office: [Acme] Printer on fire', headers: ['Auto-Submitted: auto-replied', `In-Reply-To: ${ourNotification}`] }));
    expect(await h.routed(mailId)).toMatchObject({ outcome: 'suspended', cause: 'auto_vacation', ticketId: 7 });
    const [row] = await database.db.query<{ ticket_id: string | null }>(`SELECT ticket_id FROM ingest.suspended_tickets WHERE mail_id = $1`, [mailId]);
    expect(Number(row.ticket_id)).toBe(7);
    expect(await h.commands(mailId)).toEqual([]);
    const forged = await h.receive(rawMail({ from: 'away2@customer.test', headers: ['Auto-Submitted: auto-replied', `In-Reply-To: ${ourNotification.replace(/-[0-9a-z]{16}/, '-0000000000000000')}`] }));
    expect(await h.routed(forged)).toMatchObject({ cause: 'auto_mailer', ticketId: null });
  });

  it('finds the ticket of an auto-reply sent to our Reply-To plus-address, or quoting our encoded id, without our headers', async () => {
    const token = ticketToken(7, HARNESS_SECRET);
    const toReplyTo = await h.receive(rawMail({ from: 'away3@customer.test', to: `support+${token}@mailroom.test`, subject: 'Automatic reply: Printer', headers: ['Auto-Submitted: auto-replied'] }), {
      to: [`support+${token}@mailroom.test`],
    });
    expect(await h.routed(toReplyTo)).toMatchObject({ outcome: 'suspended', cause: 'auto_vacation', ticketId: 7 });
    const quoting = await h.receive(
      rawMail({ from: 'away4@customer.test', subject: 'Out of office', headers: ['X-Autoreply: yes'], body: `I am away until Monday.\n\n> [${encodeTicketId(7, HARNESS_SECRET)}]\n> Your request was received.` }),
    );
    expect(await h.routed(quoting)).toMatchObject({ outcome: 'suspended', cause: 'auto_vacation', ticketId: 7 });
    expect(await h.commands(quoting)).toEqual([]);
  });

  it('keeps a bounce of somebody else’s mail without a ticket', async () => {
    const mailId = await h.receive(dsn('someone@else.test', '<abc@elsewhere.test>'), { from: '' });
    expect(await h.routed(mailId)).toMatchObject({ cause: 'auto_delivery_failure', ticketId: null });
  });

  describe('allowlist and blocklist', () => {
    const lists = (allow: string, block: string) => h.setPolicy({ ...DEFAULT_SCREENING_POLICY, lists: parseSenderLists(allow, block) });

    it('suspends a blocklisted sender', async () => {
      lists('', 'spam.test');
      const routed = await h.routed(await h.receive(rawMail({ from: 'x@spam.test' })));
      expect(routed).toMatchObject({ outcome: 'suspended', cause: 'blocklisted' });
    });

    it('rejects a reject: entry without keeping a suspended ticket', async () => {
      lists('', 'reject:evil.test');
      const mailId = await h.receive(rawMail({ from: 'x@evil.test' }));
      expect(await h.routed(mailId)).toMatchObject({ outcome: 'rejected' });
      expect(await database.db.query(`SELECT 1 FROM ingest.suspended_tickets WHERE mail_id = $1`, [mailId])).toEqual([]);
    });

    it('with * suspends everyone not on the allowlist, and lets the allowlist through', async () => {
      lists('partner.test', '*');
      expect(await h.routed(await h.receive(rawMail({ from: 'x@stranger.test' })))).toMatchObject({ outcome: 'suspended', cause: 'not_on_whitelist' });
      expect(await h.routed(await h.receive(rawMail({ from: 'x@partner.test' })))).toMatchObject({ outcome: 'new_ticket' });
    });

    it('lets an allowlisted sender’s bulk mail through, but never its auto-replies', async () => {
      lists('newsletter.test', '');
      expect(await h.routed(await h.receive(rawMail({ from: 'news@newsletter.test', headers: ['Precedence: bulk'] })))).toMatchObject({ outcome: 'new_ticket' });
      expect(await h.routed(await h.receive(rawMail({ from: 'bot@newsletter.test', headers: ['Auto-Submitted: auto-replied'] })))).toMatchObject({ cause: 'auto_mailer' });
    });
  });

  describe('per-sender rate limit', () => {
    it('processes the first mails of the window, suspends the next ones as a loop, rejects the rest, and forgets after the window', async () => {
      h.setPolicy({ ...DEFAULT_SCREENING_POLICY, rateLimit: { process: 3, suspend: 2, windowMinutes: 60, allowlistFactor: 10 } });
      const outcomes: string[] = [];
      for (let i = 0; i < 7; i++) outcomes.push((await h.routed(await h.receive(rawMail({ from: 'chatty@customer.test', subject: `Mail ${i}` })))).outcome);
      expect(outcomes).toEqual(['new_ticket', 'new_ticket', 'new_ticket', 'suspended', 'suspended', 'rejected', 'rejected']);
      const [loop] = await database.db.query<{ cause: string; detail: string }>(`SELECT cause, detail FROM ingest.suspended_tickets WHERE author_email = 'chatty@customer.test' ORDER BY id LIMIT 1`);
      expect(loop.cause).toBe('loop');
      expect(loop.detail).toMatch(/4 mails from chatty@customer.test within 60 minutes/);
      // Another sender is not affected.
      expect((await h.routed(await h.receive(rawMail({ from: 'calm@customer.test' })))).outcome).toBe('new_ticket');
      // An hour later the window has slid past.
      h.setNow(new Date('2026-11-25T10:01:00Z'));
      try {
        expect((await h.routed(await h.receive(rawMail({ from: 'chatty@customer.test', subject: 'Later' })))).outcome).toBe('new_ticket');
      } finally {
        h.setNow(new Date('2026-11-25T09:00:00Z'));
      }
    });

    it('gives allowlisted senders ten times the limit', async () => {
      h.setPolicy({ lists: parseSenderLists('trusted.test', ''), rateLimit: { process: 1, suspend: 1, windowMinutes: 60, allowlistFactor: 10 } });
      const outcomes: string[] = [];
      for (let i = 0; i < 11; i++) outcomes.push((await h.routed(await h.receive(rawMail({ from: 'ops@trusted.test', subject: `Alert ${i}` })))).outcome);
      expect(outcomes.slice(0, 10).every((o) => o === 'new_ticket')).toBe(true);
      expect(outcomes[10]).toBe('suspended');
    });
  });

  it('lets an ordinary customer mail through as a new ticket', async () => {
    const mailId = await h.receive(rawMail({ from: 'Jane <jane@customer.test>' }));
    expect(await h.routed(mailId)).toMatchObject({ outcome: 'new_ticket' });
    expect((await h.commands(mailId)).map((c) => c.type)).toEqual(['ticket.create_ticket']);
  });
});

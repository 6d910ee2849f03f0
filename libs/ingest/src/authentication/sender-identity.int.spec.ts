import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import { createTestDatabase, fakeDnsResolver, loopbackSpf, type FakeDnsZone, type TestDatabase } from '@mailroom/testing';
import { rawMail, workerHarness, type Harness } from '../screening/worker-harness';

/**
 * Who a mail is from, on the real worker and database: From alone decides, and the policy makes
 * From prove itself. The ticket read model is seeded with one agent, one customer and her ticket.
 */
describe('sender identity and authentication at ingest', () => {
  let database: TestDatabase;
  let h: Harness;
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  // mailroom.test (the agents' domain) sends from 192.0.2.10 only, signs with selector s1, and asks
  // receivers to reject what fails; customer.test the same from 198.51.100.7. The harness's client is 127.0.0.1.
  const zone: FakeDnsZone = {
    'mailroom.test TXT': ['v=spf1 ip4:192.0.2.10 -all'],
    '_dmarc.mailroom.test TXT': ['v=DMARC1; p=reject'],
    's1._domainkey.mailroom.test TXT': [`v=DKIM1; k=rsa; p=${publicKey}`],
    'customer.test TXT': ['v=spf1 ip4:198.51.100.7 -all'],
    '_dmarc.customer.test TXT': ['v=DMARC1; p=reject'],
  };
  const signed = async (mail: string): Promise<string> => {
    const bytes = Buffer.from(mail.replace(/\r?\n/g, '\r\n'));
    // mailauth 4.13 signs from `signatureData` (its typings describe only the single-signature shorthand).
    const options = { signatureData: [{ signingDomain: 'mailroom.test', selector: 's1', privateKey: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }] };
    const { signatures } = await dkimSign(bytes, options as unknown as Parameters<typeof dkimSign>[1]);
    return signatures + bytes.toString();
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    h = workerHarness(database.db);
    const db = database.db;
    const now = new Date().toISOString();
    for (const [id, email, role] of [[11, 'agent@mailroom.test', 'agent'], [12, 'jane@customer.test', 'end-user']] as const) {
      await db.query(`INSERT INTO ticket.users (id, email, role, created_at, updated_at, data) VALUES ($1, $2, $3, $4, $4, '{}')`, [id, email, role, now]);
      await db.query(`INSERT INTO ticket.user_emails (email, user_id) VALUES ($1, $2)`, [email, id]);
    }
    await db.query(
      `INSERT INTO ticket.tickets (id, version, status, requester_id, created_at, updated_at, data) VALUES (501, 1, 'open', 12, $1, $1, '{"email_cc_ids": [], "is_public": true, "recipient": "support@mailroom.test"}')`,
      [now],
    );
  });
  afterAll(async () => database?.drop());
  beforeEach(() => {
    h.deps.senderAuth = { policy: 'agents', trustedRelay: null, resolver: fakeDnsResolver(zone) };
  });

  it('gives a stranger who puts an agent in Reply-To no mail commands: the ticket is the stranger’s, the # lines stay text', async () => {
    const id = await h.receive(
      rawMail({ from: 'mallory@evil.test', headers: ['Reply-To: agent@mailroom.test'], subject: 'Invoice', body: '#requester victim@elsewhere.test\n#status solved\n\nPay this invoice.' }),
      { from: 'mallory@evil.test' },
    );
    const [command] = await h.commands(id);
    expect(command.type).toBe('ticket.create_ticket');
    expect(command.data.changes).toBeUndefined();
    expect(command.data.requester.email).toBe('mallory@evil.test');
    expect(command.data.comment.body).toContain('#requester victim@elsewhere.test');
    expect(command.data.via.source.from.address).toBe('mallory@evil.test');
  });

  it('does not let a stranger in the requester’s Reply-To thread by subject number or bring a friend into her CCs', async () => {
    const id = await h.receive(
      rawMail({ from: 'mallory@evil.test', headers: ['Reply-To: jane@customer.test', 'Cc: friend@evil.test'], subject: 'Re: [#501] Printer on fire', body: 'Please also send everything to my friend.' }),
      { from: 'mallory@evil.test' },
    );
    const routed = await h.routed(id);
    expect(routed.outcome).toBe('new_ticket');
    const commands = await h.commands(id);
    expect(commands.map((c) => c.type)).toEqual(['ticket.create_ticket']);
    expect(commands[0].data.ticketId).toBeUndefined();
  });

  it('suspends mail forging an agent’s From with neither SPF nor DKIM for it (Email authentication failed)', async () => {
    const id = await h.receive(rawMail({ from: 'Agent <agent@mailroom.test>', subject: 'Re: [#501] Printer on fire', body: '#status solved\n#tags refund\n\nDone.' }), { from: 'agent@mailroom.test' });
    const routed = await h.routed(id);
    expect(routed).toMatchObject({ outcome: 'suspended', cause: 'failed_email_authentication' });
    expect(routed.reason).toMatch(/spf=fail dkim=none dmarc=fail for mailroom\.test/);
    expect(await h.commands(id)).toEqual([]);
  });

  it('runs an agent’s mail commands when DKIM proves the From domain, and records the verdict with the comment', async () => {
    const mail = await signed(rawMail({ from: 'Agent <agent@mailroom.test>', subject: 'Re: [#501] Printer on fire', body: '#status solved\n\nDone.' }));
    const id = await h.receive(mail, { from: 'agent@mailroom.test' });
    const [command] = await h.commands(id);
    expect(command.type).toBe('ticket.create_ticket'); // an agent's subject number does not thread; the agent opens a ticket
    expect(command.data.changes).toEqual({ status: 'solved' });
    expect(command.data.mail.authentication).toMatchObject({
      policy: 'agents',
      outcome: 'pass',
      authenticated: true,
      potentialSpoofing: false,
      results: { source: 'computed', dkim: 'pass', spf: 'fail', dmarc: 'pass', aligned: true, fromDomain: 'mailroom.test' },
    });
  });

  it('accepts customers’ unauthenticated mail under the agents policy, as before', async () => {
    const id = await h.receive(rawMail({ from: 'jane@customer.test', subject: 'Re: [#501] Printer on fire', body: 'Still burning.' }), { from: 'jane@customer.test' });
    const [command] = await h.commands(id);
    expect(command).toMatchObject({ type: 'ticket.add_comment', data: { ticketId: 501, author: { email: 'jane@customer.test' }, mail: { authentication: { outcome: 'not_checked', authenticated: false } } } });
  });

  it('under the all policy suspends a forged requester From with a friend in Cc: nothing reaches her ticket', async () => {
    h.deps.senderAuth = { policy: 'all', trustedRelay: null, resolver: fakeDnsResolver(zone) };
    const id = await h.receive(
      rawMail({ from: 'jane@customer.test', headers: ['Cc: friend@evil.test'], subject: 'Re: [#501] Printer on fire', body: 'Add my friend.' }),
      { from: 'jane@customer.test' },
    );
    expect(await h.routed(id)).toMatchObject({ outcome: 'suspended', cause: 'failed_email_authentication' });
    expect(await h.commands(id)).toEqual([]);
  });

  it('keeps a DNS outage’s staff mail as a suspended ticket, never losing it', async () => {
    h.deps.senderAuth = { policy: 'agents', trustedRelay: null, resolver: fakeDnsResolver(loopbackSpf('other.test'), ['mailroom.test', '_dmarc.mailroom.test']) };
    const id = await h.receive(rawMail({ from: 'agent@mailroom.test', body: '#status solved\n\nDone.' }), { from: 'agent@mailroom.test' });
    const routed = await h.routed(id);
    expect(routed).toMatchObject({ outcome: 'suspended', cause: 'failed_email_authentication' });
    expect(routed.reason).toMatch(/DNS temporary error/);
  });
});

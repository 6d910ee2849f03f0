import { createTransport } from 'nodemailer';
import { eventually } from '@mailroom/testing';
import { ADMIN_TOKEN, startSystem, type System } from '../support/system';

/**
 * Support addresses managed through `/api/v2/recipient_addresses` on the running services: a new
 * address receives mail without a restart, the ticket remembers it as its recipient and the
 * acknowledgement leaves from it under its display name; a deleted address is refused again at
 * the SMTP edge; the default can move; wildcards accept one domain only; loops are refused.
 */
describe('support addresses through the API', () => {
  let sys: System;

  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys?.close());

  /** The SMTP reply to a mail for `to`: "250 …" when accepted, "550 …" when the recipient is refused. */
  const send = async (to: string, mail: Record<string, unknown> = {}): Promise<string> => {
    try {
      const r = await createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ from: 'Jane Customer <jane@customer.test>', to, subject: 'Hello', text: 'Hello there.', ...mail });
      return r.response;
    } catch (err) {
      const e = err as { responseCode?: number; response?: string; message: string };
      return `${e.responseCode ?? 'error'} ${e.response ?? e.message}`;
    }
  };
  const accepted = (to: string, mail: Record<string, unknown>) => eventually(async () => ((await send(to, mail)).startsWith('250') ? true : undefined), `mail to ${to} accepted`, 10000, 200);
  const refused = (to: string) => eventually(async () => ((await send(to, { subject: 'should bounce' })).startsWith('550') ? true : undefined), `mail to ${to} refused`, 10000, 200);
  const ticketWithSubject = (subject: string) =>
    eventually(async () => (await sys.api('/tickets.json')).body.tickets.find((t: { subject: string }) => t.subject === subject), `the ticket "${subject}"`);
  const addressNamed = async (email: string) => (await sys.api('/recipient_addresses.json')).body.recipient_addresses.find((a: { email: string }) => a.email === email);

  it('lists the configured address as the default, in Zendesk shape', async () => {
    const { status, body } = await sys.api('/recipient_addresses.json');
    expect(status).toBe(200);
    expect(body.count).toBe(1);
    expect(body.recipient_addresses[0]).toMatchObject({ email: 'support@mailroom.test', name: 'Acme Support', default: true, brand_id: null, forwarding_status: expect.any(String), spf_status: expect.any(String), cname_status: expect.any(String), created_at: expect.any(String), updated_at: expect.any(String) });
    const one = await sys.api(`/recipient_addresses/${body.recipient_addresses[0].id}.json`);
    expect(one.body.recipient_address).toEqual(body.recipient_addresses[0]);
    expect((await sys.api('/recipient_addresses/99999.json')).status).toBe(404);
  });

  it('a new address receives mail without a restart, is the ticket recipient, and the acknowledgement leaves from it', async () => {
    expect(await send('help@mailroom.test')).toMatch(/^550/);
    const created = await sys.api('/recipient_addresses.json', { method: 'POST', body: { recipient_address: { email: 'Help@Mailroom.test', name: 'Acme Help Desk' } } });
    expect(created.status).toBe(201);
    expect(created.body.recipient_address).toMatchObject({ id: expect.any(Number), email: 'help@mailroom.test', name: 'Acme Help Desk', default: false });

    await accepted('help@mailroom.test', { subject: 'Help with my bill', messageId: '<help-1@customer.test>' });
    const ticket = await ticketWithSubject('Help with my bill');
    expect(ticket.recipient).toBe('help@mailroom.test');
    const ack = await sys.relay.waitFor((m) => m.inReplyTo === '<help-1@customer.test>', 20000);
    expect(ack.from).toBe('help@mailroom.test');
    expect(ack.parsed.from?.value[0]).toEqual({ address: 'help@mailroom.test', name: 'Acme Help Desk' });
    expect(ack.parsed.replyTo?.value[0].address).toMatch(/^help\+t\d+-[0-9a-z]+@mailroom\.test$/);
  });

  it('renaming an address changes the name mail leaves under', async () => {
    const help = await addressNamed('help@mailroom.test');
    const put = await sys.api(`/recipient_addresses/${help.id}.json`, { method: 'PUT', body: { recipient_address: { name: 'Acme Billing Help' } } });
    expect(put.status).toBe(200);
    expect(put.body.recipient_address).toMatchObject({ id: help.id, name: 'Acme Billing Help' });
    await new Promise((r) => setTimeout(r, 1500)); // every replica's book refreshes within a second
    await accepted('help@mailroom.test', { subject: 'Second bill question', messageId: '<help-2@customer.test>' });
    const ack = await sys.relay.waitFor((m) => m.inReplyTo === '<help-2@customer.test>', 20000);
    expect(ack.parsed.from?.value[0]).toEqual({ address: 'help@mailroom.test', name: 'Acme Billing Help' });
  });

  it('a deleted address is refused again with 550; a non-support address always is', async () => {
    const help = await addressNamed('help@mailroom.test');
    const del = await sys.api(`/recipient_addresses/${help.id}.json`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await sys.api(`/recipient_addresses/${help.id}.json`)).status).toBe(404);
    await refused('help@mailroom.test');
    expect(await send('nobody@mailroom.test')).toMatch(/^550/);
    expect(await send('support@elsewhere.test')).toMatch(/^550/);
    expect(await send('support@mailroom.test', { subject: 'still here' })).toMatch(/^250/);
  });

  it('the default can be changed: new tickets from the API get it as recipient and mail leaves from it', async () => {
    const sales = (await sys.api('/recipient_addresses.json', { method: 'POST', body: { recipient_address: { email: 'sales@mailroom.test', name: 'Acme Sales' } } })).body.recipient_address;
    const put = await sys.api(`/recipient_addresses/${sales.id}.json`, { method: 'PUT', body: { recipient_address: { default: true } } });
    expect(put.status).toBe(200);
    expect(put.body.recipient_address.default).toBe(true);
    const all = (await sys.api('/recipient_addresses.json')).body.recipient_addresses;
    expect(all.filter((a: { default: boolean }) => a.default).map((a: { email: string }) => a.email)).toEqual(['sales@mailroom.test']);

    const created = await sys.api('/tickets.json', { method: 'POST', body: { ticket: { subject: 'Quote for 20 seats', comment: { body: 'Please send a quote.' }, requester: { email: 'buyer@customer.test', name: 'Bea Buyer' } } } });
    expect(created.status).toBe(201);
    expect(created.body.ticket.recipient).toBe('sales@mailroom.test');
    await sys.api(`/tickets/${created.body.ticket.id}.json`, { method: 'PUT', body: { ticket: { comment: { body: 'Here is your quote.', public: true } } } });
    const update = await sys.relay.waitFor((m) => m.envelope.to.includes('buyer@customer.test') && m.text.includes('Here is your quote.'), 20000);
    expect(update.parsed.from?.value[0]).toEqual({ address: 'sales@mailroom.test', name: 'Acme Sales' });

    // The default cannot be deleted, nor unset without naming another.
    const refusedDelete = await sys.api(`/recipient_addresses/${sales.id}.json`, { method: 'DELETE' });
    expect(refusedDelete.status).toBe(422);
    expect(refusedDelete.body).toMatchObject({ error: 'RecordInvalid', description: 'Record validation errors', details: { default: [{ error: 'InvalidValue', description: expect.any(String) }] } });
    expect((await sys.api(`/recipient_addresses/${sales.id}.json`, { method: 'PUT', body: { recipient_address: { default: false } } })).status).toBe(422);
  });

  it('a wildcard accepts any mailbox at its domain only; the ticket keeps the address written to and mail leaves from it', async () => {
    const wild = await sys.api('/recipient_addresses.json', { method: 'POST', body: { recipient_address: { email: '*@help.acme-mail.test', name: 'Acme Anywhere' } } });
    expect(wild.status).toBe(201);
    await accepted('Orders@help.acme-mail.test', { subject: 'Where is order 7?', messageId: '<wild-1@customer.test>' });
    const ticket = await ticketWithSubject('Where is order 7?');
    expect(ticket.recipient).toBe('orders@help.acme-mail.test');
    const ack = await sys.relay.waitFor((m) => m.inReplyTo === '<wild-1@customer.test>', 20000);
    expect(ack.parsed.from?.value[0]).toEqual({ address: 'orders@help.acme-mail.test', name: 'Acme Anywhere' });
    // Never a relay for anything else.
    for (const rcpt of ['orders@acme-mail.test', 'orders@eu.help.acme-mail.test', 'orders@help.acme-mail.test.evil', 'orders@evil.test']) {
      expect(await send(rcpt)).toMatch(/^550/);
    }
    // And no user may take an email there (it would loop).
    const user = await sys.api('/users.json', { method: 'POST', body: { user: { name: 'Loop', email: 'loop@help.acme-mail.test' } } });
    expect(user.status).toBe(422);
    expect(user.body).toMatchObject({ error: 'RecordInvalid', details: { email: [{ error: 'InvalidValue' }] } });
  });

  it('refuses invalid addresses with Zendesk-shaped 422s, and writes to admins only', async () => {
    const post = (recipient_address: Record<string, unknown>, auth?: string) => sys.api('/recipient_addresses.json', { method: 'POST', body: { recipient_address }, auth });
    for (const [input, field, pattern] of [
      [{ email: 'SUPPORT@mailroom.test' }, 'email', /already a support address/],
      [{ email: 'admin@mailroom.test' }, 'email', /belongs to a user/],
      [{ email: 'jane@customer.test' }, 'email', /belongs to a user/],
      [{ email: 'not an address' }, 'email', /not a valid email address/],
      [{ email: 'support+x@mailroom.test' }, 'email', /reserved for ticket tokens/],
      [{ email: '*@test' }, 'email', /not a valid wildcard/],
      [{ name: 'No email' }, 'email', /cannot be blank/],
      [{ email: '*@wild2.acme-mail.test', default: true }, 'default', /wildcard/],
      [{ email: 'long@mailroom.test', name: 'x'.repeat(300) }, 'name', /too long/],
    ] as [Record<string, unknown>, string, RegExp][]) {
      const r = await post(input);
      expect({ input, status: r.status }).toEqual({ input, status: 422 });
      expect(r.body).toEqual({ error: 'RecordInvalid', description: 'Record validation errors', details: { [field]: [{ error: 'InvalidValue', description: expect.stringMatching(pattern) }] } });
    }
    expect((await sys.api('/recipient_addresses.json', { method: 'POST', body: { email: 'x@mailroom.test' } })).status).toBe(400);

    const agent = await sys.api('/users.json', { method: 'POST', body: { user: { name: 'Agent Smith', email: 'agent@mailroom.test', role: 'agent' } } });
    expect(agent.status).toBe(201);
    const agentAuth = 'Basic ' + Buffer.from(`agent@mailroom.test/token:${ADMIN_TOKEN}`).toString('base64');
    expect((await sys.api('/recipient_addresses.json', { auth: agentAuth })).status).toBe(200);
    expect((await post({ email: 'agents-own@mailroom.test' }, agentAuth)).status).toBe(403);
    expect((await sys.api('/recipient_addresses.json', { auth: null })).status).toBe(401);
  });
});

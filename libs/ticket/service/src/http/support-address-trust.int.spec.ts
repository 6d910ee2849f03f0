import { connect } from 'amqplib';
import { readTicketConfig } from '@mailroom/config';
import { topologyFor } from '@mailroom/contracts';
import { deleteTopology } from '@mailroom/messaging';
import { createLogger } from '@mailroom/observability';
import { createTestDatabase, testNamespace, TEST_AMQP_URL, type TestDatabase } from '@mailroom/testing';
import { startTicketService, TICKET_COMMANDS_QUEUE, type RunningTicketService } from '../ticket-service';

const TOKEN = 'trust-test-token-0123456789';
const AUTH = 'Basic ' + Buffer.from(`admin@mailroom.test/token:${TOKEN}`).toString('base64');

/**
 * Mail loop safety through the API (reference §5.1), on the ticket service alone over real
 * PostgreSQL and RabbitMQ: no user may have an email that is one of our support addresses in any
 * spelling — another case, a plus tag, a mailbox a wildcard accepts — whether the user is created
 * directly or as a ticket's requester; and a ticket's recipient must be a support address.
 */
describe('support addresses stay ours through the API', () => {
  let t: TestDatabase;
  let svc: RunningTicketService;
  const namespace = testNamespace();

  beforeAll(async () => {
    t = await createTestDatabase();
    const cfg = readTicketConfig({
      DATABASE_URL: t.url,
      AMQP_URL: TEST_AMQP_URL,
      MAILROOM_AMQP_NAMESPACE: namespace,
      MAILROOM_SUPPORT_ADDRESSES: 'Acme <support@mailroom.test>, Acme Help <*@help.acme.test>',
      MAILROOM_ADMIN_TOKEN: TOKEN,
      MAILROOM_SECRET: 'trust-test-secret-0123456789',
      MAILROOM_HTTP_PORT: '0',
      MAILROOM_LOG_LEVEL: 'error',
    });
    svc = await startTicketService(cfg, createLogger('ticket', 'error'));
  });
  afterAll(async () => {
    await svc?.close();
    await t?.drop();
    const conn = await connect(TEST_AMQP_URL);
    try {
      const ch = await conn.createChannel();
      await deleteTopology(ch, topologyFor(namespace), [TICKET_COMMANDS_QUEUE]);
      await ch.close();
    } finally {
      await conn.close();
    }
  });

  const api = async (path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`http://127.0.0.1:${svc.httpPort}/api/v2${path}`, {
      method,
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const refusal = (field: string) => ({ error: 'RecordInvalid', description: 'Record validation errors', details: { [field]: [{ error: 'InvalidValue', description: expect.any(String) }] } });

  const SUPPORT_VARIANTS = [
    'support@mailroom.test',
    'SUPPORT@Mailroom.TEST',
    'support+x@mailroom.test',
    'Support+T12-Abc@MAILROOM.test',
    'orders@help.acme.test',
    'orders+loop@HELP.acme.test',
  ];

  it.each(SUPPORT_VARIANTS)('refuses to create a user with the email %s (422)', async (email) => {
    const r = await api('/users.json', 'POST', { user: { name: 'Loop', email } });
    expect({ email, status: r.status }).toEqual({ email, status: 422 });
    expect(r.body).toEqual(refusal('email'));
    expect(r.body.details.email[0].description).toMatch(/is a support address/);
  });

  it('creates users whose emails only look like a support address', async () => {
    for (const email of ['support-team@mailroom.test', 'jane+support@customer.test', 'orders@sub.help.acme.test', 'support@mailroom.test.example']) {
      const r = await api('/users.json', 'POST', { user: { name: 'Fine', email } });
      expect({ email, status: r.status }).toEqual({ email, status: 201 });
    }
  });

  it('refuses to change a user email to a support address variant (422)', async () => {
    const jane = await api('/users.json', 'POST', { user: { name: 'Jane', email: 'jane@customer.test' } });
    expect(jane.status).toBe(201);
    const r = await api(`/users/${jane.body.user.id}.json`, 'PUT', { user: { email: 'support+jane@mailroom.test' } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(refusal('email'));
    expect((await api(`/users/${jane.body.user.id}.json`)).body.user.email).toBe('jane@customer.test');
  });

  it.each(['support+requester@mailroom.test', 'desk@help.acme.test'])('refuses a ticket whose new requester would be %s, creating neither user nor ticket', async (email) => {
    const before = (await api('/tickets.json')).body.count;
    const r = await api('/tickets.json', 'POST', { ticket: { subject: 'Loop', comment: { body: 'Hi' }, requester: { name: 'Loop', email } } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(refusal('email'));
    expect((await api('/tickets.json')).body.count).toBe(before);
    expect((await api('/users.json')).body.users.map((u: { email: string }) => u.email)).not.toContain(email.toLowerCase());
  });

  it('takes the default support address as recipient when none is given', async () => {
    const r = await api('/tickets.json', 'POST', { ticket: { subject: 'No recipient', comment: { body: 'Hi' } } });
    expect(r.status).toBe(201);
    expect(r.body.ticket.recipient).toBe('support@mailroom.test');
  });

  it.each([
    ['Support+abc@Mailroom.TEST', 'support@mailroom.test'],
    ['orders@help.acme.test', 'orders@help.acme.test'],
  ])('accepts the support address %s as recipient, stored as %s', async (recipient, stored) => {
    const r = await api('/tickets.json', 'POST', { ticket: { subject: `To ${recipient}`, comment: { body: 'Hi' }, recipient } });
    expect(r.status).toBe(201);
    expect(r.body.ticket.recipient).toBe(stored);
  });

  it.each(['someone@elsewhere.test', 'support@mailroom.test.evil', 'orders@eu.help.acme.test', 'not an address', 42])('refuses %p as recipient with a Zendesk 422, creating no ticket', async (recipient) => {
    const before = (await api('/tickets.json')).body.count;
    const r = await api('/tickets.json', 'POST', { ticket: { subject: 'Elsewhere', comment: { body: 'Hi' }, recipient } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual(refusal('recipient'));
    expect((await api('/tickets.json')).body.count).toBe(before);
  });
});

import { createTransport } from 'nodemailer';
import { eventually, sleep, startTcpProxy, TEST_AMQP_URL, TEST_DATABASE_SERVER, type TcpProxy } from '@mailroom/testing';
import { waitUntilAtRest } from '../support/at-rest';
import { startSystem, type System } from '../support/system';

/**
 * DESIGN.md §2: no accepted mail is lost, nothing is done twice, the edge fails closed and
 * everything recovers alone. Outages are made with a TCP proxy in front of the real server, which
 * a test cuts and restores; the servers themselves stay up for the other suites.
 */
const transport = (port: number) => createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: false });

const mail = (i: number, extra: Record<string, unknown> = {}) => ({
  from: `Customer ${i} <customer${i}@example.test>`,
  to: 'support@mailroom.test',
  subject: `Question number ${i}`,
  text: `Body of question ${i}`,
  messageId: `<question-${i}-${Date.now()}@example.test>`,
  ...extra,
});

const count = async (sys: System, sql: string): Promise<number> => Number((await sys.database.db.query<{ n: string }>(sql))[0].n);
const acksTo = (sys: System, address: string) => sys.relay.messages.filter((m) => m.envelope.to.includes(address)).length;

describe('the SMTP edge', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem({ maxMessageBytes: 200_000 });
  });
  afterAll(async () => sys?.close());

  it('turns the same message delivered twice into one ticket and one acknowledgement', async () => {
    const m = mail(1);
    await transport(sys.smtpPort).sendMail(m);
    await transport(sys.smtpPort).sendMail(m);
    await eventually(() => acksTo(sys, 'customer1@example.test') === 1 || undefined, 'the acknowledgement');
    await eventually(async () => (await count(sys, `SELECT count(*) AS n FROM ingest.raw_mail`)) === 2 || undefined, 'both copies stored');
    await eventually(async () => (await count(sys, `SELECT count(*) AS n FROM mailroom_events.messages WHERE type = 'mail.routed' AND data->>'outcome' = 'duplicate'`)) === 1 || undefined, 'the copy recognised');
    await sleep(500);
    expect((await sys.api('/tickets.json')).body.count).toBe(1);
    expect(acksTo(sys, 'customer1@example.test')).toBe(1);
  });

  it('refuses a recipient that is not a support address with 550 and creates nothing (never an open relay)', async () => {
    const before = await count(sys, `SELECT count(*) AS n FROM ingest.raw_mail`);
    await expect(transport(sys.smtpPort).sendMail(mail(2, { to: 'someone@elsewhere.test' }))).rejects.toMatchObject({ responseCode: 550 });
    await expect(transport(sys.smtpPort).sendMail(mail(3, { to: 'sales@mailroom.test' }))).rejects.toMatchObject({ responseCode: 550 });
    expect(await count(sys, `SELECT count(*) AS n FROM ingest.raw_mail`)).toBe(before);
  });

  it('accepts the plus-addressed form of a support address', async () => {
    const r = await transport(sys.smtpPort).sendMail(mail(4, { to: 'support+anything@mailroom.test' }));
    expect(r.response).toMatch(/^250/);
  });

  it('refuses an over-size mail with 552 and stores nothing of it', async () => {
    const before = await count(sys, `SELECT count(*) AS n FROM ingest.raw_mail`);
    await expect(transport(sys.smtpPort).sendMail(mail(5, { text: 'x'.repeat(300_000) }))).rejects.toMatchObject({ responseCode: 552 });
    expect(await count(sys, `SELECT count(*) AS n FROM ingest.raw_mail`)).toBe(before);
  });
});

describe('with PostgreSQL unreachable', () => {
  let sys: System;
  let pg: TcpProxy;
  beforeAll(async () => {
    const server = new URL(TEST_DATABASE_SERVER);
    pg = await startTcpProxy(server.hostname, Number(server.port || 5432));
    sys = await startSystem({ databaseUrl: (url) => pg.url(url) });
  });
  afterAll(async () => {
    pg?.restore();
    await sys?.close();
    await pg?.close();
  });

  it('answers 451 so the sender retries, writes nothing half, and recovers without a restart', async () => {
    await transport(sys.smtpPort).sendMail(mail(10));
    await eventually(() => acksTo(sys, 'customer10@example.test') === 1 || undefined, 'the first acknowledgement');
    // The delivery is recorded after the relay has the mail: count once all of it is done.
    await waitUntilAtRest(sys);
    // The test's own connection goes around the proxy: it sees the real state.
    const stored = await count(sys, `SELECT count(*) AS n FROM ingest.raw_mail`);
    const logged = await count(sys, `SELECT count(*) AS n FROM mailroom_events.messages`);

    pg.cut();
    const refused = await transport(sys.smtpPort).sendMail(mail(11)).then(() => null, (err: { responseCode?: number }) => err);
    expect(refused?.responseCode).toBe(451);
    const health = await fetch(`http://127.0.0.1:${sys.ingest.healthPort}/health/ready`);
    expect(health.status).toBe(503);
    const api = await sys.api('/tickets.json');
    expect([401, 503]).toContain(api.status); // the token cannot be checked without the database
    expect(await count(sys, `SELECT count(*) AS n FROM ingest.raw_mail`)).toBe(stored);
    expect(await count(sys, `SELECT count(*) AS n FROM mailroom_events.messages`)).toBe(logged);

    pg.restore();
    // The sender retries: now it goes through, and the whole flow runs again without any restart.
    const retried = await eventually(() => transport(sys.smtpPort).sendMail(mail(11)).catch(() => undefined), 'the retry to be accepted');
    expect(retried.response).toMatch(/^250/);
    await eventually(() => acksTo(sys, 'customer11@example.test') === 1 || undefined, 'the acknowledgement after recovery', 30000);
    expect((await sys.api('/tickets.json')).body.count).toBe(2);
  });
});

describe('with RabbitMQ stopped', () => {
  let sys: System;
  let mq: TcpProxy;
  beforeAll(async () => {
    const server = new URL(TEST_AMQP_URL);
    mq = await startTcpProxy(server.hostname, Number(server.port || 5672));
    sys = await startSystem({ amqpUrl: mq.url(TEST_AMQP_URL) });
  });
  afterAll(async () => {
    mq?.restore();
    await sys?.close();
    await mq?.close();
  });

  it('still accepts mail, and every ticket and acknowledgement appears once it is back, none lost or doubled', async () => {
    mq.cut();
    await eventually(() => (!sys.ingest.broker.connected && !sys.ticket.broker.connected) || undefined, 'the services to notice');
    const n = 6;
    for (let i = 0; i < n; i++) {
      const r = await transport(sys.smtpPort).sendMail(mail(100 + i));
      expect(r.response).toMatch(/^250/);
    }
    await sleep(1000);
    expect((await sys.api('/tickets.json')).body.count).toBe(0);
    expect(sys.relay.messages).toHaveLength(0);

    mq.restore();
    await eventually(async () => (await sys.api('/tickets.json')).body.count === n || undefined, 'every ticket', 40000);
    // Agents are notified of each new ticket too, so the relay's count alone says nothing about the
    // customers: wait for each customer's acknowledgement, then for the system to settle.
    const customers = Array.from({ length: n }, (_, i) => `customer${100 + i}@example.test`);
    await eventually(() => customers.every((c) => acksTo(sys, c) >= 1) || undefined, 'every acknowledgement', 40000);
    await waitUntilAtRest(sys);
    expect((await sys.api('/tickets.json')).body.count).toBe(n);
    expect(Array.from({ length: n }, (_, i) => acksTo(sys, `customer${100 + i}@example.test`))).toEqual(Array(n).fill(1));
  });
});

describe('with every message delivered again', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys?.close());

  it('has no second effect: no ticket, comment or email twice', async () => {
    await transport(sys.smtpPort).sendMail(mail(200));
    const ack = await sys.relay.waitFor((m) => m.envelope.to.includes('customer200@example.test'), 20000);
    await transport(sys.smtpPort).sendMail(mail(201, { from: 'customer200@example.test', inReplyTo: ack.messageId, references: [ack.messageId], text: 'A follow-up' }));
    const ticketId = (await sys.api('/tickets.json')).body.tickets[0].id;
    await eventually(async () => (await sys.api(`/tickets/${ticketId}/comments.json`)).body.count === 2 || undefined, 'the reply');
    await eventually(async () => (await count(sys, `SELECT count(*) AS n FROM mailroom_events.messages WHERE type = 'ticket.notification_delivered'`)) >= 1 || undefined, 'the delivery record');
    // Every notification the two mails set off (the acknowledgement, agents' notices) has gone out
    // and been recorded: nothing still in flight is mistaken for a second effect below.
    let last = '';
    let stableSince = Date.now();
    await eventually(async () => {
      const now = `${sys.relay.messages.length}/${await count(sys, `SELECT count(*) AS n FROM mailroom_events.messages`)}`;
      if (now !== last) {
        last = now;
        stableSince = Date.now();
      }
      return Date.now() - stableSince >= 1500 || undefined;
    }, 'the system at rest');
    const messages = await count(sys, `SELECT count(*) AS n FROM mailroom_events.messages`);
    const mails = sys.relay.messages.length;

    // The forwarder forgets how far it got: the whole log is published to RabbitMQ a second time.
    await sys.database.db.query(`DELETE FROM mailroom_events.checkpoints WHERE processor_id = 'forwarder'`);
    await eventually(async () => (await count(sys, `SELECT count(*) AS n FROM mailroom_events.checkpoints WHERE processor_id = 'forwarder' AND global_position > 0`)) === 1 || undefined, 'the replay');
    await sleep(2000);

    expect((await sys.api('/tickets.json')).body.count).toBe(1);
    expect((await sys.api(`/tickets/${ticketId}/comments.json`)).body.count).toBe(2);
    expect(sys.relay.messages.length).toBe(mails);
    expect(await count(sys, `SELECT count(*) AS n FROM mailroom_events.messages`)).toBe(messages);
  });
});

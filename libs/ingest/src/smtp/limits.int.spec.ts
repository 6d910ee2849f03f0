import { createTestDatabase, sleep, type TestDatabase } from '@mailroom/testing';
import type { RunningSmtpEdge } from '../smtp-edge';
import { startEdgeUnderTest, storedMails } from './edge-under-test';
import { simpleMail, SmtpTalk } from './smtp-talk';

// The test clients connect from 127.0.0.1, which is trusted by default: these tests trust no
// network unless they say so, so the per-address limits apply to them.
describe('SMTP edge: limits per client', () => {
  let database: TestDatabase;
  const edges: RunningSmtpEdge[] = [];
  const talks: SmtpTalk[] = [];
  const start = async (settings: Parameters<typeof startEdgeUnderTest>[1]) => {
    const edge = await startEdgeUnderTest(database, { starttls: false, trustedNetworks: '', ...settings });
    edges.push(edge);
    return edge;
  };
  const open = async (port: number) => {
    const opened = await SmtpTalk.open(port);
    talks.push(opened.talk);
    return opened;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    for (const t of talks.splice(0)) await t.quit();
    for (const e of edges.splice(0)) await e.close();
  });
  afterAll(async () => database?.drop());

  it('refuses a connection over the per-address maximum with 421, and takes one again once another closes', async () => {
    const edge = await start({ maxConnectionsPerIp: 2 });
    const first = await open(edge.port);
    const second = await open(edge.port);
    expect([first.greeting.code, second.greeting.code]).toEqual([220, 220]);
    const third = await open(edge.port);
    expect(third.greeting.code).toBe(421);
    expect(third.greeting.text).toContain('too many connections from 127.0.0.1, at most 2');

    await first.talk.quit();
    await sleep(100);
    const again = await open(edge.port);
    expect(again.greeting.code).toBe(220);
  });

  it('refuses connections over the total maximum with 421, whoever they come from', async () => {
    const edge = await start({ maxConnections: 2, trustedNetworks: '127.0.0.0/8' });
    await open(edge.port);
    await open(edge.port);
    const third = await open(edge.port);
    expect(third.greeting.code).toBe(421);
    expect(third.greeting.text).toMatch(/too many connected clients/i);
  });

  it('lets a trusted network (the relaying MTA) open more connections than one address may', async () => {
    const edge = await start({ maxConnectionsPerIp: 1, trustedNetworks: '10.0.0.0/8, 127.0.0.1' });
    const replies = [await open(edge.port), await open(edge.port), await open(edge.port)].map((o) => o.greeting.code);
    expect(replies).toEqual([220, 220, 220]);
  });

  it('answers 452 4.5.3 to recipients beyond the per-message maximum, and delivers to the ones taken', async () => {
    const edge = await start({ maxRecipients: 2 });
    const { talk } = await open(edge.port);
    await talk.send('EHLO client.test');
    await talk.send('MAIL FROM:<jane@customer.test>');
    expect((await talk.send('RCPT TO:<support@mailroom.test>')).code).toBe(250);
    expect((await talk.send('RCPT TO:<billing@mailroom.test>')).code).toBe(250);
    expect((await talk.send('RCPT TO:<support@mailroom.test>')).code).toBe(250); // the same one again is no new recipient
    const over = await talk.send('RCPT TO:<support+extra@mailroom.test>');
    expect(over.code).toBe(452);
    expect(over.text).toMatch(/^4\.5\.3 too many recipients: at most 2 per message/);
    const [done] = await talk.data(simpleMail('Capped recipients'));
    expect(done.code).toBe(250);
    expect((await storedMails(database)).at(-1)?.rcpt_to).toEqual(['support@mailroom.test', 'billing@mailroom.test']);
  });

  it('defers mails over the per-address rate with 450 4.7.1, on any connection, but not from a trusted network', async () => {
    const edge = await start({ messagesPerMinutePerIp: 3 });
    const before = (await storedMails(database)).length;
    const { talk } = await open(edge.port);
    await talk.send('EHLO client.test');
    for (let i = 0; i < 2; i++) {
      expect((await talk.send('MAIL FROM:<jane@customer.test>')).code).toBe(250);
      await talk.send('RCPT TO:<support@mailroom.test>');
      expect((await talk.data(simpleMail(`rate ${i}`)))[0].code).toBe(250);
    }
    const other = (await open(edge.port)).talk;
    await other.send('EHLO client.test');
    expect((await other.send('MAIL FROM:<jane@customer.test>')).code).toBe(250);
    await other.send('RCPT TO:<support@mailroom.test>');
    expect((await other.data(simpleMail('rate 2')))[0].code).toBe(250);
    const deferred = await talk.send('MAIL FROM:<jane@customer.test>');
    expect(deferred.code).toBe(450);
    expect(deferred.text).toMatch(/^4\.7\.1 127\.0\.0\.1 has started more than 3 mails in a minute; try again in \d+ s$/);
    expect(await storedMails(database)).toHaveLength(before + 3);

    const relay = await start({ messagesPerMinutePerIp: 3, trustedNetworks: '127.0.0.0/8' });
    const r = (await open(relay.port)).talk;
    await r.send('EHLO relay.test');
    for (let i = 0; i < 5; i++) {
      expect((await r.send('MAIL FROM:<jane@customer.test>')).code).toBe(250);
      await r.send('RSET');
    }
  });
});

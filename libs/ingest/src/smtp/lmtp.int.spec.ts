import { startTcpProxy, createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { connectDatabase } from '@mailroom/database';
import type { RunningSmtpEdge } from '../smtp-edge';
import { startEdgeUnderTest, storedMails } from './edge-under-test';
import { simpleMail, SmtpTalk } from './smtp-talk';

describe('SMTP edge in LMTP mode', () => {
  let database: TestDatabase;
  let edge: RunningSmtpEdge;

  beforeAll(async () => {
    database = await createTestDatabase();
    edge = await startEdgeUnderTest(database, { lmtp: true, starttls: false });
  });
  afterAll(async () => {
    await edge?.close();
    await database?.drop();
  });

  it('greets as LMTP, wants LHLO, and answers DATA once per accepted recipient', async () => {
    const { talk, greeting } = await SmtpTalk.open(edge.port);
    expect(greeting.text).toMatch(/LMTP/);
    expect((await talk.send('EHLO mta.test')).code).toBe(500);
    expect((await talk.send('LHLO mta.test')).code).toBe(250);
    expect((await talk.send('MAIL FROM:<jane@customer.test>')).code).toBe(250);
    expect((await talk.send('RCPT TO:<support@mailroom.test>')).code).toBe(250);
    expect((await talk.send('RCPT TO:<nobody@elsewhere.test>')).code).toBe(550);
    expect((await talk.send('RCPT TO:<billing@mailroom.test>')).code).toBe(250);
    const replies = await talk.data(simpleMail('Two support addresses'), 2);
    expect(replies.map((r) => r.code)).toEqual([250, 250]);
    expect(replies[0].text).toMatch(/^2\.1\.5 <support@mailroom\.test> delivered as [0-9a-f-]{36}$/);
    expect(replies[1].text).toMatch(/^2\.1\.5 <billing@mailroom\.test> delivered as [0-9a-f-]{36}$/);
    // One stored mail for both: the worker routes it by its recipients.
    expect(replies[0].text.split(' as ')[1]).toBe(replies[1].text.split(' as ')[1]);
    expect((await storedMails(database)).at(-1)).toMatchObject({ mail_from: 'jane@customer.test', rcpt_to: ['support@mailroom.test', 'billing@mailroom.test'] });
    await talk.quit();
  });

  it('answers 451 for every recipient when the mail cannot be stored, so the MTA keeps it', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    const db = await connectDatabase({ url: proxy.url(database.url), poolSize: 2, applicationName: 'mailroom-test-lmtp' });
    const cut = await startEdgeUnderTest(database, { lmtp: true, starttls: false }, db);
    try {
      proxy.cut();
      const { talk } = await SmtpTalk.open(cut.port);
      await talk.send('LHLO mta.test');
      await talk.send('MAIL FROM:<jane@customer.test>');
      await talk.send('RCPT TO:<support@mailroom.test>');
      await talk.send('RCPT TO:<billing@mailroom.test>');
      const replies = await talk.data(simpleMail('While the database is away'), 2);
      expect(replies.map((r) => r.code)).toEqual([451, 451]);
      expect(replies[0].text).toMatch(/^4\.3\.0 /);
      await talk.quit();
    } finally {
      await cut.close();
      await db.dataSource.destroy().catch(() => undefined);
      await proxy.close();
    }
  });
});

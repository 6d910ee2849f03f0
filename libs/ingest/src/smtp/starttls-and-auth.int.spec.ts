import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { generate } from 'selfsigned';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import type { RunningSmtpEdge } from '../smtp-edge';
import { startEdgeUnderTest, storedMails } from './edge-under-test';
import { plainAuth, simpleMail, SmtpTalk } from './smtp-talk';

const fingerprintOf = (pem: string): string => new X509Certificate(pem).fingerprint256;

describe('SMTP edge: STARTTLS and AUTH', () => {
  let database: TestDatabase;
  const edges: RunningSmtpEdge[] = [];
  const start = async (...args: Parameters<typeof startEdgeUnderTest> extends [unknown, ...infer R] ? R : never) => {
    const edge = await startEdgeUnderTest(database, ...args);
    edges.push(edge);
    return edge;
  };
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'mailroom-tls-'));
  });
  afterEach(async () => {
    for (const e of edges.splice(0)) await e.close();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('offers STARTTLS with a generated development certificate when none is configured, and takes mail over TLS', async () => {
    const edge = await start({ hostname: 'mx.mailroom.test' });
    expect(edge.tls?.source).toBe('development');
    const { talk } = await SmtpTalk.open(edge.port);
    const ehlo = await talk.send('EHLO client.test');
    expect(ehlo.lines).toContain('STARTTLS');
    expect(ehlo.lines.some((l) => l.startsWith('AUTH'))).toBe(false); // no relay accounts configured
    const { reply, peer } = await talk.startTls();
    expect(reply.code).toBe(220);
    expect(peer?.subject.CN).toBe('mx.mailroom.test');
    expect(peer?.fingerprint256).toBe(fingerprintOf(edge.tls!.cert));
    await talk.quit();

    // A client that insists on TLS and trusts exactly this certificate delivers a mail.
    const sent = await createTransport({ host: '127.0.0.1', port: edge.port, requireTLS: true, tls: { ca: edge.tls!.cert, servername: 'localhost' } }).sendMail({
      from: 'jane@customer.test',
      to: 'support@mailroom.test',
      subject: 'Over TLS',
      text: 'Hello',
    });
    expect(sent.response).toMatch(/^250 2\.0\.0 queued as /);
    expect((await storedMails(database)).at(-1)).toMatchObject({ mail_from: 'jane@customer.test', rcpt_to: ['support@mailroom.test'] });
  });

  it('generates the development certificate once per process', async () => {
    const a = await start({ hostname: 'mx.mailroom.test' });
    const b = await start({ hostname: 'mx.mailroom.test' });
    expect(b.tls!.cert).toBe(a.tls!.cert);
  });

  it('presents the configured certificate and refuses a key that does not belong to it', async () => {
    const own = await generate([{ name: 'commonName', value: 'mail.acme.test' }], { keyType: 'ec', algorithm: 'sha256' });
    const other = await generate([{ name: 'commonName', value: 'other.test' }], { keyType: 'ec', algorithm: 'sha256' });
    writeFileSync(path.join(dir, 'cert.pem'), own.cert);
    writeFileSync(path.join(dir, 'key.pem'), own.private);
    writeFileSync(path.join(dir, 'other-key.pem'), other.private);

    const edge = await start({ tlsCertFile: path.join(dir, 'cert.pem'), tlsKeyFile: path.join(dir, 'key.pem') });
    expect(edge.tls?.source).toBe('configured');
    const { talk } = await SmtpTalk.open(edge.port);
    await talk.send('EHLO client.test');
    const { peer } = await talk.startTls();
    expect(peer?.subject.CN).toBe('mail.acme.test');
    expect(peer?.fingerprint256).toBe(fingerprintOf(own.cert));
    await talk.quit();

    await expect(startEdgeUnderTest(database, { tlsCertFile: path.join(dir, 'cert.pem'), tlsKeyFile: path.join(dir, 'other-key.pem') })).rejects.toThrow(/does not belong to the certificate/);
    await expect(startEdgeUnderTest(database, { tlsCertFile: path.join(dir, 'missing.pem'), tlsKeyFile: path.join(dir, 'key.pem') })).rejects.toThrow(/cannot read/);
  });

  it('does not offer STARTTLS when it is turned off', async () => {
    const edge = await start({ starttls: false });
    expect(edge.tls).toBeNull();
    const { talk } = await SmtpTalk.open(edge.port);
    expect((await talk.send('EHLO client.test')).lines).not.toContain('STARTTLS');
    expect((await talk.send('STARTTLS')).code).toBe(500);
    await talk.quit();
  });

  it('offers AUTH to relays, but only after STARTTLS, and checks the password', async () => {
    const edge = await start({ authUsers: 'relay:s3cret-pass, backup:other' });
    const { talk } = await SmtpTalk.open(edge.port);
    await talk.send('EHLO relay.test');
    expect((await talk.send(`AUTH PLAIN ${plainAuth('relay', 's3cret-pass')}`)).code).toBe(538); // not over cleartext
    await talk.startTls();
    const ehlo = await talk.send('EHLO relay.test');
    expect(ehlo.lines).toContain('AUTH PLAIN LOGIN');
    const wrong = await talk.send(`AUTH PLAIN ${plainAuth('relay', 'guess')}`);
    expect(wrong).toMatchObject({ code: 535 });
    expect(wrong.text).toContain('5.7.8');
    expect((await talk.send(`AUTH PLAIN ${plainAuth('nobody', 's3cret-pass')}`)).code).toBe(535);
    expect((await talk.send(`AUTH PLAIN ${plainAuth('relay', 's3cret-pass')}`)).code).toBe(235);
    await talk.quit();

    // AUTH is optional by default: an anonymous client still delivers to a support address.
    const anonymous = await createTransport({ host: '127.0.0.1', port: edge.port, tls: { rejectUnauthorized: false } }).sendMail({ from: 'a@customer.test', to: 'support@mailroom.test', subject: 'anon', text: 'x' });
    expect(anonymous.response).toMatch(/^250/);
  });

  it('refuses mail from clients that have not logged in when AUTH is required', async () => {
    const usersFile = path.join(dir, 'smtp-users');
    writeFileSync(usersFile, '# relay accounts\nrelay:from-a-file\n');
    const edge = await start({ authUsersFile: usersFile, authRequired: true });
    const { talk } = await SmtpTalk.open(edge.port);
    await talk.send('EHLO relay.test');
    const refused = await talk.send('MAIL FROM:<jane@customer.test>');
    expect(refused.code).toBe(530);
    expect(refused.text).toContain('authentication required');
    await talk.quit();

    const before = (await storedMails(database)).length;
    const sent = await createTransport({ host: '127.0.0.1', port: edge.port, auth: { user: 'relay', pass: 'from-a-file' }, tls: { rejectUnauthorized: false } }).sendMail({
      from: 'jane@customer.test',
      to: 'support@mailroom.test',
      raw: simpleMail('Relayed with a login'),
    });
    expect(sent.response).toMatch(/^250/);
    expect(await storedMails(database)).toHaveLength(before + 1);
  });

  it('will not start with AUTH required but no accounts, or AUTH without TLS', async () => {
    await expect(startEdgeUnderTest(database, { authRequired: true })).rejects.toThrow(/AUTH users/);
    await expect(startEdgeUnderTest(database, { authUsers: 'relay:pw', starttls: false })).rejects.toThrow(/only over TLS/);
  });
});

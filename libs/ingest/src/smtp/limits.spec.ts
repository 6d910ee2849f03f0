import { readIngestConfig, readSmtpEdgeSettings } from '@mailroom/config';
import { parseAuthUsers } from './auth';
import { ConnectionCounter, RateLimiter } from './limits';
import { plainAddress, trustedNetworks } from './networks';

describe('per-address mail rate', () => {
  it('allows a minute\'s allowance at once, then refills it evenly over the minute', () => {
    let now = 0;
    const rate = new RateLimiter(6, () => now);
    for (let i = 0; i < 6; i++) expect(rate.take('10.0.0.1')).toBe(true);
    expect(rate.take('10.0.0.1')).toBe(false);
    expect(rate.retryAfterSeconds('10.0.0.1')).toBe(10);
    expect(rate.take('10.0.0.2')).toBe(true); // another address has its own allowance
    now = 9_999;
    expect(rate.take('10.0.0.1')).toBe(false);
    now = 10_000;
    expect(rate.take('10.0.0.1')).toBe(true);
    expect(rate.take('10.0.0.1')).toBe(false);
    now = 10_000 + 60_000;
    for (let i = 0; i < 6; i++) expect(rate.take('10.0.0.1')).toBe(true);
    expect(rate.take('10.0.0.1')).toBe(false);
  });

  it('is off at 0', () => {
    const rate = new RateLimiter(0, () => 0);
    for (let i = 0; i < 1000; i++) expect(rate.take('10.0.0.1')).toBe(true);
  });

  it('forgets addresses whose allowance is full again, so memory follows the busy clients only', () => {
    let now = 0;
    const rate = new RateLimiter(1, () => now);
    for (let i = 0; i < 10_001; i++) rate.take(`k${i}`);
    expect(rate.size).toBe(10_001);
    now = 60_000;
    rate.take('late');
    rate.take('late2');
    expect(rate.size).toBeLessThan(10);
  });
});

describe('connections per address', () => {
  it('counts in up to the maximum and frees a place when one leaves', () => {
    const c = new ConnectionCounter(2);
    expect([c.enter('a'), c.enter('a'), c.enter('a'), c.enter('b')]).toEqual([true, true, false, true]);
    c.leave('a');
    expect(c.count('a')).toBe(1);
    expect(c.enter('a')).toBe(true);
    c.leave('b');
    c.leave('b');
    expect(c.count('b')).toBe(0);
  });
});

describe('trusted networks', () => {
  it('matches addresses and CIDR blocks, IPv4 clients on dual-stack sockets included', () => {
    const t = trustedNetworks('127.0.0.0/8, ::1/128, 192.0.2.10');
    expect(t.has('127.0.0.1')).toBe(true);
    expect(t.has('::ffff:127.3.4.5')).toBe(true);
    expect(t.has('::1')).toBe(true);
    expect(t.has('192.0.2.10')).toBe(true);
    expect(t.has('192.0.2.11')).toBe(false);
    expect(t.has('10.0.0.1')).toBe(false);
    expect(trustedNetworks('').has('127.0.0.1')).toBe(false);
    expect(plainAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
  });
});

describe('relay accounts', () => {
  it('reads user:password entries, passwords may hold colons', () => {
    const users = parseAuthUsers('# comment\nrelay:pa:ss\n\nother:x\n', /\n/);
    expect([...users.keys()]).toEqual(['relay', 'other']);
    expect(() => parseAuthUsers('no-password', /,/)).toThrow(/user:password/);
  });
});

describe('SMTP edge settings', () => {
  it('has defaults that keep the local relay and tests unthrottled', () => {
    expect(readSmtpEdgeSettings({})).toEqual({
      hostname: 'mailroom',
      lmtp: false,
      starttls: true,
      tlsCertFile: null,
      tlsKeyFile: null,
      authUsers: null,
      authUsersFile: null,
      authRequired: false,
      maxConnections: 200,
      maxConnectionsPerIp: 20,
      maxRecipients: 100,
      messagesPerMinutePerIp: 60,
      trustedNetworks: '127.0.0.0/8,::1/128',
      groupCommit: true,
      groupCommitMaxMails: 200,
      groupCommitMaxBytes: 16 * 1024 * 1024,
    });
    expect(readSmtpEdgeSettings({ MAILROOM_SMTP_GROUP_COMMIT: 'false' }).groupCommit).toBe(false);
    expect(readIngestConfig({ MAILROOM_SECRET: 'limits-spec-secret', MAILROOM_SMTP_LMTP: 'true', MAILROOM_SMTP_MAX_RECIPIENTS: '5' }).smtpEdge).toMatchObject({ lmtp: true, maxRecipients: 5 });
    // The value docker-compose.yml and the k8s ConfigMap set.
    const deployed = readSmtpEdgeSettings({ MAILROOM_SMTP_TRUSTED_NETWORKS: '127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16' });
    expect(trustedNetworks(deployed.trustedNetworks).has('172.18.0.5')).toBe(true);
    expect(trustedNetworks(deployed.trustedNetworks).has('203.0.113.9')).toBe(false);
  });

  it.each([
    [{ MAILROOM_SMTP_LMTP: 'maybe' }, /MAILROOM_SMTP_LMTP must be true or false/],
    [{ MAILROOM_SMTP_TLS_CERT: '/etc/cert.pem' }, /must be set together/],
    [{ MAILROOM_SMTP_AUTH_REQUIRED: 'true' }, /needs MAILROOM_SMTP_AUTH_USERS/],
    [{ MAILROOM_SMTP_AUTH_USERS: 'relay:pw', MAILROOM_SMTP_STARTTLS: 'false' }, /only over TLS/],
    [{ MAILROOM_SMTP_AUTH_USERS: 'relay' }, /user:password pairs/],
    [{ MAILROOM_SMTP_TRUSTED_NETWORKS: 'relay.example' }, /not an address or CIDR/],
    [{ MAILROOM_SMTP_MAX_RECIPIENTS: '0' }, /MAILROOM_SMTP_MAX_RECIPIENTS must be a whole number from 1/],
  ])('refuses %j at boot', (env, message) => {
    expect(() => readSmtpEdgeSettings(env)).toThrow(message);
  });
});

import { execFile, execFileSync } from 'node:child_process';
import { chownSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTransport } from 'nodemailer';
import { EventStore } from '@mailroom/event-store';
import { fixedAddressBook, startSmtpEdge, type RunningSmtpEdge } from '@mailroom/ingest';
import { startLocalSystem, type LocalSystem } from '@mailroom/local-system';
import { parseSupportAddresses } from '@mailroom/mail-domain';
import { silentLogger } from '@mailroom/observability';
import { createTestDatabase, eventually, testNamespace, TEST_AMQP_URL, type TestDatabase } from '@mailroom/testing';

/**
 * A real MTA in front of ingest, the way it is deployed: Postfix, started by this test on loopback
 * with a configuration of its own (README "SMTP ingest"), relays mail for mailroom.test to ingest
 * over STARTTLS with an AUTH login, and hands billing@ to a second edge in LMTP mode. When Postfix
 * cannot run here (not installed, not root), swaks speaks to ingest directly instead (still real
 * SMTP and LMTP over TCP); the test says which path ran.
 */

const run = promisify(execFile);
const POSTFIX = '/usr/sbin/postfix';
const RELAY_USER = 'postfix-relay';
const RELAY_PASSWORD = 'relay-password-0123';
const SUPPORT = 'Acme Support <support@mailroom.test>, Acme Billing <billing@mailroom.test>';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

const which = (cmd: string): string | null => {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/sbin', '/usr/bin'])) {
    if (existsSync(path.join(dir, cmd))) return path.join(dir, cmd);
  }
  return null;
};

/** A throwaway Postfix instance: its own main.cf, master.cf, queue and log under a temp dir. */
class PostfixInstance {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'mailroom-postfix-'));
  readonly etc = path.join(this.dir, 'etc');
  readonly log = path.join(this.dir, 'maillog');
  private started = false;

  constructor(
    readonly smtpdPort: number,
    private readonly ingestPort: number,
    private readonly lmtpPort: number,
    readonly withAuth: boolean,
  ) {}

  async start(): Promise<void> {
    chmodSync(this.dir, 0o755); // Postfix's daemons run as the postfix user and must reach the queue
    for (const d of ['etc', 'queue', 'data']) mkdirSync(path.join(this.dir, d));
    const uid = Number(execFileSync('id', ['-u', 'postfix']).toString().trim());
    chownSync(path.join(this.dir, 'data'), uid, -1);
    const nexthop = `[127.0.0.1]:${this.ingestPort}`;
    // The snippet the README shows, plus what a throwaway instance needs (own dirs, no DNS, fast retries).
    writeFileSync(
      path.join(this.etc, 'main.cf'),
      [
        'compatibility_level = 3.6',
        `queue_directory = ${this.dir}/queue`,
        `data_directory = ${this.dir}/data`,
        `maillog_file = ${this.log}`,
        `maillog_file_prefixes = ${this.dir}`,
        'myhostname = relay.mailroom.test',
        'inet_interfaces = 127.0.0.1',
        'inet_protocols = ipv4',
        'mydestination =',
        'local_transport = error:5.1.1 no local delivery here',
        'alias_maps =',
        'alias_database =',
        'mynetworks = 127.0.0.0/8',
        'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination',
        'relay_domains = mailroom.test',
        `transport_maps = texthash:${this.etc}/transport`,
        'smtp_dns_support_level = disabled',
        'smtp_host_lookup = native',
        `smtp_tls_security_level = ${this.withAuth ? 'encrypt' : 'may'}`,
        'smtp_tls_loglevel = 1',
        ...(this.withAuth
          ? [
              'smtp_sasl_auth_enable = yes',
              `smtp_sasl_password_maps = texthash:${this.etc}/relay_passwords`,
              'smtp_sasl_security_options = noanonymous',
              'smtp_sasl_tls_security_options = noanonymous',
              'smtp_sasl_mechanism_filter = plain, login',
            ]
          : []),
        'queue_run_delay = 1s',
        'minimal_backoff_time = 1s',
        'maximal_backoff_time = 2s',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(this.etc, 'transport'), `billing@mailroom.test lmtp:inet:[127.0.0.1]:${this.lmtpPort}\nmailroom.test smtp:${nexthop}\n`);
    writeFileSync(path.join(this.etc, 'relay_passwords'), `${nexthop} ${RELAY_USER}:${RELAY_PASSWORD}\n`);
    chmodSync(path.join(this.etc, 'relay_passwords'), 0o600);
    const services = ['cleanup unix n - n - 0 cleanup', 'qmgr unix n - n 300 1 qmgr', 'tlsmgr unix - - n 1000? 1 tlsmgr', 'rewrite unix - - n - - trivial-rewrite'];
    services.push('bounce unix - - n - 0 bounce', 'defer unix - - n - 0 bounce', 'trace unix - - n - 0 bounce', 'verify unix - - n - 1 verify', 'flush unix n - n 1000? 0 flush');
    services.push('proxymap unix - - n - - proxymap', 'smtp unix - - n - - smtp', 'relay unix - - n - - smtp', 'showq unix n - n - - showq', 'error unix - - n - - error');
    services.push('retry unix - - n - - error', 'discard unix - - n - - discard', 'lmtp unix - - n - - lmtp', 'anvil unix - - n - 1 anvil', 'scache unix - - n - 1 scache', 'postlog unix-dgram n - n - 1 postlogd');
    writeFileSync(path.join(this.etc, 'master.cf'), [`127.0.0.1:${this.smtpdPort} inet n - n - - smtpd`, ...services, ''].join('\n'));
    await run(POSTFIX, ['-c', this.etc, 'set-permissions', 'create-missing']);
    try {
      await run(POSTFIX, ['-c', this.etc, 'start']);
    } catch (err) {
      throw new Error(`postfix would not start: ${(err as Error).message}\n${this.logText()}`);
    }
    this.started = true;
    await eventually(
      () =>
        new Promise<boolean>((resolve) => {
          const s = net.connect(this.smtpdPort, '127.0.0.1', () => (s.destroy(), resolve(true)));
          s.on('error', () => resolve(false));
        }),
      'Postfix listening',
      15000,
      100,
    );
  }

  logText(): string {
    return existsSync(this.log) ? readFileSync(this.log, 'utf8') : '(no log)';
  }

  async stop(): Promise<void> {
    if (this.started) await run(POSTFIX, ['-c', this.etc, 'stop']).catch(() => run(POSTFIX, ['-c', this.etc, 'abort']).catch(() => undefined));
    this.started = false;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The plain-PLAIN SASL module Postfix's client needs for AUTH (Debian: libsasl2-modules). */
const saslPlainAvailable = (): boolean =>
  ['/usr/lib/x86_64-linux-gnu/sasl2', '/usr/lib/aarch64-linux-gnu/sasl2', '/usr/lib/sasl2', '/usr/lib64/sasl2'].some((d) => existsSync(d) && readdirSync(d).some((f) => f.startsWith('libplain.so')));

describe('a real MTA relaying into ingest', () => {
  let database: TestDatabase;
  let sys: LocalSystem;
  let lmtp: RunningSmtpEdge;
  let postfix: PostfixInstance | null = null;
  let path_: 'postfix' | 'swaks' | 'nodemailer' = 'nodemailer';
  let withAuth = false;

  beforeAll(async () => {
    withAuth = !!process.env.MAILROOM_TEST_NO_POSTFIX || !existsSync(POSTFIX) || process.getuid?.() !== 0 || saslPlainAvailable();
    database = await createTestDatabase();
    sys = await startLocalSystem({
      database: { url: database.url, migrate: false },
      amqp: { url: TEST_AMQP_URL, namespace: testNamespace(), deleteOnClose: true },
      relay: { catcher: {} },
      log: process.env.MAILROOM_TEST_LOG ? 'verbose' : 'quiet',
      supportAddresses: SUPPORT,
      secret: 'e2e-secret',
      adminToken: 'e2e-admin-token-0123456789',
      env: withAuth ? { MAILROOM_SMTP_AUTH_USERS: `${RELAY_USER}:${RELAY_PASSWORD}`, MAILROOM_SMTP_AUTH_REQUIRED: 'true' } : {},
    });
    // A second edge, in LMTP mode, writing to the same database: its mails reach the same worker.
    lmtp = await startSmtpEdge({
      host: '127.0.0.1',
      port: 0,
      maxMessageBytes: 1024 * 1024,
      addresses: fixedAddressBook(parseSupportAddresses(SUPPORT)),
      db: database.db,
      store: new EventStore(),
      log: silentLogger,
      settings: { lmtp: true, starttls: false },
    });

    let why = '';
    if (process.env.MAILROOM_TEST_NO_POSTFIX) why = 'MAILROOM_TEST_NO_POSTFIX is set';
    else if (!existsSync(POSTFIX)) why = `${POSTFIX} is not installed`;
    else if (process.getuid?.() !== 0) why = 'Postfix needs root to start';
    if (!why) {
      const instance = new PostfixInstance(await freePort(), sys.smtpPort, lmtp.port, withAuth);
      try {
        await instance.start();
        postfix = instance;
        path_ = 'postfix';
      } catch (err) {
        why = (err as Error).message;
        await instance.stop();
      }
    }
    if (!postfix) path_ = which('swaks') ? 'swaks' : 'nodemailer';
    process.stdout.write(
      `[postfix-relay] path: ${path_}${postfix ? ` (Postfix on 127.0.0.1:${postfix.smtpdPort} → ingest ${sys.smtpPort}${withAuth ? ' with STARTTLS + AUTH' : ' with opportunistic STARTTLS, no AUTH (no SASL PLAIN module)'}, billing@ → LMTP ${lmtp.port})` : ` — ${why}`}\n`,
    );
  });

  afterAll(async () => {
    await postfix?.stop();
    await lmtp?.close();
    await sys?.close();
    await database?.drop();
  });

  /** Hands a mail to the MTA (or, without one, straight to ingest / the LMTP edge with swaks). */
  const submit = async (mail: { from: string; to: string; subject: string; text: string; messageId: string }): Promise<void> => {
    const lmtpRecipient = mail.to.startsWith('billing@');
    if (path_ === 'postfix') {
      await createTransport({ host: '127.0.0.1', port: postfix!.smtpdPort, ignoreTLS: true }).sendMail(mail);
      return;
    }
    if (path_ === 'swaks') {
      const envelopeFrom = /<([^>]+)>/.exec(mail.from)?.[1] ?? mail.from;
      const args = ['--from', envelopeFrom, '--to', mail.to, '--header', `From: ${mail.from}`, '--header', `Subject: ${mail.subject}`, '--header', `Message-Id: ${mail.messageId}`, '--body', mail.text, '--hide-all'];
      if (lmtpRecipient) args.push('--server', `127.0.0.1:${lmtp.port}`, '--protocol', 'LMTP');
      else args.push('--server', `127.0.0.1:${sys.smtpPort}`, '--tls', ...(withAuth ? ['--auth', 'PLAIN', '--auth-user', RELAY_USER, '--auth-password', RELAY_PASSWORD] : []));
      await run('swaks', args).catch((err: Error & { stdout?: string; stderr?: string }) => {
        throw new Error(`swaks failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
      });
      return;
    }
    const port = lmtpRecipient ? lmtp.port : sys.smtpPort;
    await createTransport({ host: '127.0.0.1', port, lmtp: lmtpRecipient, tls: { rejectUnauthorized: false }, ...(withAuth && !lmtpRecipient ? { auth: { user: RELAY_USER, pass: RELAY_PASSWORD } } : {}) } as never).sendMail(mail);
  };

  const ticketWithSubject = (subject: string) =>
    eventually(
      async () => {
        const r = await sys.api('/tickets.json');
        return r.body.tickets.find((t: { subject: string }) => t.subject === subject);
      },
      `a ticket "${subject}"${postfix ? `; Postfix log:\n${postfix.logText()}` : ''}`,
      30000,
      200,
    );

  it('a mail relayed to support@ becomes a ticket, delivered over STARTTLS (and AUTH) by the relay', async () => {
    await submit({ from: 'Jane Customer <jane@customer.test>', to: 'support@mailroom.test', subject: 'Relayed by the MTA', text: 'Hello from behind a relay.', messageId: '<relayed-1@customer.test>' });
    const ticket = await ticketWithSubject('Relayed by the MTA');
    expect(ticket).toMatchObject({ recipient: 'support@mailroom.test', via: { channel: 'email' } });
    const requester = (await sys.api(`/users/${ticket.requester_id}.json`)).body.user;
    expect(requester).toMatchObject({ email: 'jane@customer.test', name: 'Jane Customer' });
    const comments = (await sys.api(`/tickets/${ticket.id}/comments.json`)).body.comments;
    expect(comments[0].body).toContain('Hello from behind a relay.');
    if (withAuth) {
      // Ingest requires the login here, so the mail above came in authenticated.
      const anonymous = createTransport({ host: '127.0.0.1', port: sys.smtpPort, tls: { rejectUnauthorized: false } }).sendMail({ from: 'x@customer.test', to: 'support@mailroom.test', subject: 'anonymous', text: 'x' });
      await expect(anonymous).rejects.toMatchObject({ responseCode: 530 });
    }

    if (postfix) {
      const log = postfix.logText();
      // Postfix's own record of the hop: TLS to ingest, and ingest's 250 that follows the commit.
      expect(log).toMatch(new RegExp(`TLS connection established to 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:${sys.smtpPort}`));
      expect(log).toMatch(/to=<support@mailroom\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+.*status=sent \(250 2\.0\.0 queued as [0-9a-f-]{36}\)/);
    }
  });

  it('a mail routed to the LMTP edge becomes a ticket, with the per-recipient LMTP reply', async () => {
    await submit({ from: 'Bob Buyer <bob@customer.test>', to: 'billing@mailroom.test', subject: 'Invoice question via LMTP', text: 'Where is my invoice?', messageId: '<lmtp-1@customer.test>' });
    const ticket = await ticketWithSubject('Invoice question via LMTP');
    expect(ticket.recipient).toBe('billing@mailroom.test');
    if (postfix) expect(postfix.logText()).toMatch(/to=<billing@mailroom\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+.*status=sent \(250 2\.1\.5 <billing@mailroom\.test> delivered as [0-9a-f-]{36}\)/);
  });

  it('a mail for an address that is not a support address is bounced by the relay, and no ticket is made', async () => {
    if (!postfix) {
      // Without an MTA the refusal itself is what can be seen.
      await expect(
        createTransport({ host: '127.0.0.1', port: sys.smtpPort, tls: { rejectUnauthorized: false }, ...(withAuth ? { auth: { user: RELAY_USER, pass: RELAY_PASSWORD } } : {}) }).sendMail({ from: 'x@customer.test', to: 'sales@mailroom.test', subject: 'nope', text: 'x' }),
      ).rejects.toMatchObject({ responseCode: 550 });
      return;
    }
    await submit({ from: 'mallory@customer.test', to: 'sales@mailroom.test', subject: 'Not for support', text: 'x', messageId: '<not-support@customer.test>' });
    await eventually(() => /to=<sales@mailroom\.test>.*status=bounced \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 550 5\.1\.1 <sales@mailroom\.test>: no such support address here/.test(postfix!.logText()), `the bounce in the Postfix log:\n${postfix.logText()}`, 20000, 200);
    const tickets = (await sys.api('/tickets.json')).body.tickets as { subject: string }[];
    expect(tickets.map((t) => t.subject)).not.toContain('Not for support');
  });
});

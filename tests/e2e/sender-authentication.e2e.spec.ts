import { generateKeyPairSync } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { eventually, type FakeDnsZone } from '@mailroom/testing';
import { ADMIN_EMAIL, startSystem, type System } from '../support/system';

/**
 * Sender authentication over real SMTP. The admin (admin@mailroom.test) is the agent; in this
 * test's DNS mailroom.test sends only from 192.0.2.10 by SPF, signs with DKIM selector `e2e`, and
 * publishes DMARC p=reject — so the test's own loopback connection authenticates only by DKIM.
 */
describe('sender authentication', () => {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const zone: FakeDnsZone = {
    'mailroom.test TXT': ['v=spf1 ip4:192.0.2.10 -all'],
    '_dmarc.mailroom.test TXT': ['v=DMARC1; p=reject'],
    'e2e._domainkey.mailroom.test TXT': [`v=DKIM1; k=rsa; p=${keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`],
  };

  let seq = 0;
  const sendTo = async (sys: System, mail: Record<string, unknown>, dkim = false) => {
    const transport = createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true, ...(dkim ? { dkim: { domainName: 'mailroom.test', keySelector: 'e2e', privateKey } } : {}) });
    const sent = await transport.sendMail({ to: 'support@mailroom.test', messageId: `<auth-${++seq}-${Date.now()}@mailroom.test>`, ...mail });
    expect(sent.response).toMatch(/^250/);
  };
  const ticketWithSubject = (sys: System, subject: string) =>
    eventually(async () => ((await sys.api('/tickets.json?per_page=100')).body.tickets as any[]).find((t) => t.subject === subject), `the ticket "${subject}"`);
  const suspendedWithSubject = (sys: System, subject: string) =>
    eventually(async () => ((await sys.api('/suspended_tickets.json')).body.suspended_tickets as any[]).find((s) => s.subject === subject), `the suspended ticket "${subject}"`);
  const userByEmail = async (sys: System, email: string) => ((await sys.api('/users.json?per_page=100')).body.users as any[]).find((u) => u.email === email);

  describe('checked by ingest (policy agents, the default)', () => {
    let sys: System;
    beforeAll(async () => {
      sys = await startSystem({ dns: zone });
    });
    afterAll(async () => sys?.close());

    it('runs a DKIM-signed agent’s mail commands and keeps the verdict on the comment and its audit', async () => {
      await sendTo(sys, { from: ADMIN_EMAIL, subject: 'Phoned in: scanner', text: '#requester walter@customer.test\n#priority urgent\n\nWalter called about the scanner.' }, true);
      const ticket = await ticketWithSubject(sys, 'Phoned in: scanner');
      expect(ticket.priority).toBe('urgent');
      expect(ticket.requester_id).toBe((await userByEmail(sys, 'walter@customer.test')).id);
      const [comment] = (await sys.api(`/tickets/${ticket.id}/comments.json`)).body.comments;
      expect(comment.metadata.mailroom.authentication).toMatchObject({ policy: 'agents', outcome: 'pass', authenticated: true, source: 'computed', dkim: 'pass', dmarc: 'pass', aligned: true, from_domain: 'mailroom.test' });
      expect(comment.metadata.mailroom.potential_spoofing).toBe(false);
      const audits = (await sys.api(`/tickets/${ticket.id}/audits.json`)).body.audits as any[];
      const commentEvent = audits.flatMap((a) => a.events).find((e: any) => e.type === 'Comment');
      expect(commentEvent.metadata.mailroom.authentication.outcome).toBe('pass');
    });

    it('suspends the same mail unsigned: From claims the agent, nothing proves it (Email authentication failed)', async () => {
      await sendTo(sys, { from: ADMIN_EMAIL, subject: 'Forged: scanner', text: '#requester victim@customer.test\n#status solved\n\nPay this invoice.' });
      const suspended = await suspendedWithSubject(sys, 'Forged: scanner');
      expect(suspended).toMatchObject({ cause: expect.stringMatching(/authentication/i), cause_id: 26 });
      expect(await userByEmail(sys, 'victim@customer.test')).toBeUndefined();
    });

    it('gives a stranger with the agent in Reply-To a ticket of their own, the # lines as text', async () => {
      await sendTo(sys, { from: 'Mallory <mallory@evil.test>', replyTo: ADMIN_EMAIL, subject: 'Reply-To trick', text: '#requester victim@customer.test\n#tags vip\n\nHello.' });
      const ticket = await ticketWithSubject(sys, 'Reply-To trick');
      expect(ticket.requester_id).toBe((await userByEmail(sys, 'mallory@evil.test')).id);
      expect(ticket.tags).not.toContain('vip');
      expect(ticket.description).toContain('#requester victim@customer.test');
    });

    it('still takes a customer’s unauthenticated mail', async () => {
      await sendTo(sys, { from: 'Jane <jane@customer.test>', subject: 'Plain customer mail', text: 'Hello from an unsigned domain.' });
      await ticketWithSubject(sys, 'Plain customer mail');
    });
  });

  describe('read from a trusted relay’s Authentication-Results', () => {
    let sys: System;
    beforeAll(async () => {
      sys = await startSystem({ dns: zone, env: { MAILROOM_SENDER_AUTH_TRUSTED_RELAY: 'mx.acme.test' } });
    });
    afterAll(async () => sys?.close());

    it('believes the relay’s DMARC pass at the top of the mail', async () => {
      await sendTo(sys, {
        from: ADMIN_EMAIL,
        subject: 'Via the relay',
        text: '#priority high\n\nChecked upstream.',
        headers: [
          { key: 'Received', value: 'from laptop.mailroom.test by mx.acme.test (Postfix)' },
          { key: 'Authentication-Results', value: 'mx.acme.test; dkim=pass header.d=mailroom.test; dmarc=pass header.from=mailroom.test' },
        ],
      });
      const ticket = await ticketWithSubject(sys, 'Via the relay');
      expect(ticket.priority).toBe('high');
      const [comment] = (await sys.api(`/tickets/${ticket.id}/comments.json`)).body.comments;
      expect(comment.metadata.mailroom.authentication).toMatchObject({ source: 'trusted_relay', authserv_id: 'mx.acme.test', dmarc: 'pass', authenticated: true });
    });

    it('ignores a pass from another server: the agent\u2019s mail without the relay\u2019s own results is suspended', async () => {
      await sendTo(sys, {
        from: ADMIN_EMAIL,
        subject: 'Untrusted results',
        text: '#priority high\n\nTrust me.',
        headers: [{ key: 'Authentication-Results', value: 'other.test; dkim=pass header.d=mailroom.test; dmarc=pass header.from=mailroom.test' }],
      });
      const suspended = await suspendedWithSubject(sys, 'Untrusted results');
      expect(suspended.cause_id).toBe(26);
    });
  });
});

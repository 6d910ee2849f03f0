import { createTransport } from 'nodemailer';
import { eventually } from '@mailroom/testing';
import type { CaughtMail } from '@mailroom/mail-catcher';
import { waitUntilAtRest } from '../support/at-rest';
import { startSystem, type System } from '../support/system';

/**
 * Bounces over real SMTP both ways (reference §6.5). Mailroom acknowledges a customer's mail; the
 * customer's mail server answers with a delivery status notification (RFC 3464) built from the
 * acknowledgement the relay really received. A hard bounce marks the address undeliverable, shows
 * on the user and on the ticket's audit, keeps the report as a suspended ticket of that ticket,
 * and stops mail to the address until an agent marks it deliverable again. A soft bounce is only
 * counted.
 */
describe('bounces', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys?.close());

  const smtp = () => createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true });

  /** A customer's new ticket and the acknowledgement the relay caught for it. */
  const newTicket = async (from: string, subject: string): Promise<{ ticketId: number; ack: CaughtMail }> => {
    await smtp().sendMail({ from, to: 'support@mailroom.test', subject, text: 'Hello,\nthe printer is on fire again.' });
    const address = /<(.+)>/.exec(from)![1];
    const ack = await sys.relay.waitFor((m) => m.envelope.to.includes(address) && m.subject.includes(subject), 20000);
    const ticket = await eventually(async () => (await sys.api('/tickets.json?per_page=100')).body.tickets.find((t: any) => t.subject === subject), `the ticket "${subject}"`);
    return { ticketId: ticket.id, ack };
  };

  /** The headers of a mail as sent (up to the first empty line), for the report's returned part. */
  const headersOf = (m: CaughtMail): string => {
    const raw = m.raw.toString('utf8');
    return raw.slice(0, raw.search(/\r?\n\r?\n/)).replace(/\r\n/g, '\n');
  };

  /** A Postfix-style report about `ack`: what a customer's mail server sends back to our envelope sender. */
  const sendReport = async (ack: CaughtMail, r: { address: string; action: 'failed' | 'delayed'; status: string; diagnostic: string }) => {
    const boundary = `report-${Math.random().toString(36).slice(2)}`;
    const raw = [
      'Return-Path: <>',
      `Message-ID: <${boundary}@mx.customer.test>`,
      'Date: Tue, 01 Dec 2026 09:00:00 +0000',
      'From: MAILER-DAEMON@mx.customer.test (Mail Delivery System)',
      `To: ${ack.envelope.from}`,
      `Subject: ${r.action === 'failed' ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)'}`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Description: Notification',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system at host mx.customer.test.',
      '',
      r.action === 'failed' ? "I'm sorry to have to inform you that your message could not be delivered." : 'Your message could not be delivered yet; the mail system will keep trying.',
      '',
      `<${r.address}>: ${r.diagnostic}`,
      '',
      `--${boundary}`,
      'Content-Description: Delivery report',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.customer.test',
      `Arrival-Date: ${ack.receivedAt.toUTCString()}`,
      '',
      `Final-Recipient: rfc822; ${r.address}`,
      `Original-Recipient: rfc822;${r.address}`,
      `Action: ${r.action}`,
      `Status: ${r.status}`,
      `Diagnostic-Code: smtp; ${r.diagnostic}`,
      '',
      `--${boundary}`,
      'Content-Description: Undelivered Message Headers',
      'Content-Type: text/rfc822-headers',
      '',
      headersOf(ack),
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const sent = await smtp().sendMail({ envelope: { from: '', to: ['support@mailroom.test'] }, raw });
    expect(sent.response).toMatch(/^250/);
  };

  const userByEmail = async (email: string) => (await sys.api('/users.json?per_page=100')).body.users.find((u: any) => u.email === email);
  const auditEvents = async (ticketId: number): Promise<any[]> => (await sys.api(`/tickets/${ticketId}/audits.json`)).body.audits.flatMap((a: any) => a.events);
  const agentReply = async (ticketId: number, body: string) => {
    const r = await sys.api(`/tickets/${ticketId}.json`, { method: 'PUT', body: { ticket: { comment: { body, public: true } } } });
    expect(r.status).toBe(200);
  };

  it('a hard bounce marks the address undeliverable, on the user and the ticket, and stops mail to it until an agent clears it', async () => {
    const { ticketId, ack } = await newTicket('Jane Customer <jane@customer.test>', 'Printer on fire');
    await sendReport(ack, { address: 'jane@customer.test', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <jane@customer.test>: Recipient address rejected: User unknown' });

    // The user: undeliverable, since when.
    const user = await eventually(async () => {
      const u = await userByEmail('jane@customer.test');
      return u?.undeliverable ? u : undefined;
    }, 'jane marked undeliverable');
    expect(user.email_undeliverable_at).toEqual(expect.any(String));
    expect((await sys.api(`/users/${user.id}.json`)).body.user).toMatchObject({ undeliverable: true });

    // The ticket's audit: which address, how it bounced and what the server said.
    const bounce = await eventually(async () => (await auditEvents(ticketId)).find((e) => e.type === 'NotificationBounce'), 'the bounce on the audit');
    expect(bounce).toMatchObject({
      recipient: 'jane@customer.test',
      user_id: user.id,
      bounce: 'hard',
      action: 'failed',
      status: '5.1.1',
      undeliverable: true,
      original_message_id: ack.messageId,
    });
    expect(bounce.diagnostic).toContain('User unknown');

    // The report itself: a suspended ticket of that ticket, never a comment on it.
    const suspended = await eventually(
      async () => (await sys.api('/suspended_tickets.json')).body.suspended_tickets.find((s: any) => s.subject === 'Undelivered Mail Returned to Sender'),
      'the report as a suspended ticket',
    );
    expect(suspended).toMatchObject({ cause_id: 7, cause: 'Automated response mail, delivery failed', ticket_id: ticketId });
    expect((await sys.api(`/tickets/${ticketId}/comments.json`)).body.comments).toHaveLength(1);

    // An agent's public reply: the trigger asks for a notification, nothing goes to jane, the audit says why.
    await waitUntilAtRest(sys);
    const before = sys.relay.messages.filter((m) => m.envelope.to.includes('jane@customer.test')).length;
    await agentReply(ticketId, 'Have you tried turning it off and on again?');
    await waitUntilAtRest(sys);
    expect(sys.relay.messages.filter((m) => m.envelope.to.includes('jane@customer.test'))).toHaveLength(before);
    const events = await auditEvents(ticketId);
    const notification = events.filter((e) => e.type === 'Notification').pop();
    expect(notification.recipients).toEqual([user.id]);
    const outcome = events.find((e) => e.type === 'NotificationDelivery' && e.notification_id === notification.notification_id);
    expect(outcome).toMatchObject({ status: 'failed', recipients: ['jane@customer.test'], error: 'not sent: address marked undeliverable' });

    // An agent marks the address deliverable again: mail flows again.
    const cleared = await sys.api(`/users/${user.id}.json`, { method: 'PUT', body: { user: { undeliverable: false } } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.user).toMatchObject({ undeliverable: false, email_undeliverable_at: null, email_soft_bounces: 0 });
    await waitUntilAtRest(sys);
    await agentReply(ticketId, 'The new toner is on its way.');
    const mailed = await sys.relay.waitFor((m) => m.envelope.to.includes('jane@customer.test') && m.text.includes('The new toner is on its way.'), 20000);
    expect(mailed.subject).toContain('Printer on fire');
    const invalid = await sys.api(`/users/${user.id}.json`, { method: 'PUT', body: { user: { undeliverable: 'no' } } });
    expect(invalid.status).toBe(422);
  });

  it('a soft bounce is counted and recorded on the ticket, but leaves the address deliverable', async () => {
    const { ticketId, ack } = await newTicket('Bob Customer <bob@customer.test>', 'Scanner jammed');
    await sendReport(ack, { address: 'bob@customer.test', action: 'delayed', status: '4.4.1', diagnostic: '451 4.4.1 connection timed out' });
    const bounce = await eventually(async () => (await auditEvents(ticketId)).find((e) => e.type === 'NotificationBounce'), 'the soft bounce on the audit');
    expect(bounce).toMatchObject({ recipient: 'bob@customer.test', bounce: 'soft', action: 'delayed', status: '4.4.1', undeliverable: false });
    const bob = await eventually(async () => {
      const u = await userByEmail('bob@customer.test');
      return u?.email_soft_bounces === 1 ? u : undefined;
    }, 'one soft bounce counted for bob');
    expect(bob).toMatchObject({ undeliverable: false, email_undeliverable_at: null });

    await waitUntilAtRest(sys);
    await agentReply(ticketId, 'Please open the rear tray.');
    await sys.relay.waitFor((m) => m.envelope.to.includes('bob@customer.test') && m.text.includes('Please open the rear tray.'), 20000);
  });
});

import { createTransport } from 'nodemailer';
import { eventually } from '@mailroom/testing';
import { startSystem, type System } from '../support/system';

/**
 * The foundation's promise: one email travels the whole way on the real components. A customer
 * mails support over SMTP, the mail becomes a ticket, the standard trigger acknowledges it through
 * the relay from the address written to, and the customer's reply lands on the same ticket.
 */
describe('one email all the way through', () => {
  let sys: System;

  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys?.close());

  const send = (mail: Record<string, unknown>) =>
    createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ from: 'Jane Customer <jane@customer.test>', to: 'support@mailroom.test', ...mail });

  it('becomes a ticket, is acknowledged from the support address, and the reply threads into the same ticket', async () => {
    const sent = await send({ subject: 'Printer on fire', text: 'Hello,\nmy printer is on fire.\nJane', messageId: '<first-mail@customer.test>' });
    expect(sent.response).toMatch(/^250/);

    // The ticket, readable through the API.
    const list = await eventually(async () => {
      const r = await sys.api('/tickets.json');
      return r.body.tickets.length === 1 ? r.body : undefined;
    }, 'the ticket');
    const id = list.tickets[0].id;
    const { status, body } = await sys.api(`/tickets/${id}.json`);
    expect(status).toBe(200);
    expect(body.ticket).toMatchObject({ id, subject: 'Printer on fire', status: 'new', recipient: 'support@mailroom.test', via: { channel: 'email', source: { from: { address: 'jane@customer.test', name: 'Jane Customer' } } } });
    const requester = (await sys.api(`/users/${body.ticket.requester_id}.json`)).body.user;
    expect(requester).toMatchObject({ email: 'jane@customer.test', name: 'Jane Customer', role: 'end_user' });

    // The acknowledgement at the relay: to the requester, from the support address, rendered, threaded.
    const ack = await sys.relay.waitFor((m) => m.envelope.to.includes('jane@customer.test'), 20000);
    expect(ack.from).toBe('support@mailroom.test');
    expect(ack.parsed.from?.value[0].name).toBe('Acme Support');
    expect(ack.subject).toContain('Printer on fire');
    expect(ack.text).toContain(String(id));
    expect(ack.text).toContain('Jane');
    expect(ack.text).toContain('my printer is on fire');
    expect(ack.text).toContain('##- Please type your reply above this line -##');
    expect(ack.text).not.toMatch(/\{\{|\}\}/);
    expect(ack.html).toContain('my printer is on fire');
    expect(ack.inReplyTo).toBe('<first-mail@customer.test>');
    expect(ack.references).toContain('<first-mail@customer.test>');
    expect(ack.headers['auto-submitted']).toBe('auto-replied');
    expect(ack.parsed.replyTo?.value[0].address).toMatch(/^support\+t\d+-[0-9a-z]+@mailroom\.test$/);

    // The customer answers the acknowledgement: a comment on the same ticket, no second ticket.
    await send({
      subject: `Re: ${ack.subject}`,
      text: `It is out now, thanks.\n\nOn Tue, 25 Nov 2026 at 06:00, Acme Support <support@mailroom.test> wrote:\n> ${ack.text.split('\n').join('\n> ')}`,
      messageId: '<second-mail@customer.test>',
      inReplyTo: ack.messageId!,
      references: [...ack.references, ack.messageId!],
    });
    const comments = await eventually(async () => {
      const r = await sys.api(`/tickets/${id}/comments.json`);
      return r.body.comments.length === 2 ? r.body.comments : undefined;
    }, 'the reply as a second comment');
    expect(comments[1]).toMatchObject({ author_id: requester.id, public: true });
    expect(comments[1].body).toBe('It is out now, thanks.');
    expect((await sys.api('/tickets.json')).body.count).toBe(1);

    // The audit trail: created via email, the trigger that fired, the notification and its delivery.
    const audits = await eventually(async () => {
      const r = await sys.api(`/tickets/${id}/audits.json`);
      const first = r.body.audits[0];
      return first?.events.some((e: { type: string; recipients?: string[] }) => e.type === 'NotificationDelivery' && e.recipients?.includes('jane@customer.test')) ? r.body.audits : undefined;
    }, 'the delivery to Jane on the audit');
    const creation = audits[0];
    expect(creation.via.channel).toBe('email');
    expect(creation.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['Create', 'Comment', 'TriggerFired', 'Notification', 'NotificationDelivery']));
    const notification = creation.events.find((e: { type: string }) => e.type === 'Notification');
    expect(notification.via.source.from.title).toBe('Notify requester and CCs of received request');
    expect(notification.recipients).toEqual([requester.id]);
    // The agents' notifications are delivered beside Jane's, in no fixed order: hers is the one to check.
    const delivery = creation.events.find((e: { type: string; recipients?: string[] }) => e.type === 'NotificationDelivery' && e.recipients?.includes('jane@customer.test'));
    expect(delivery).toMatchObject({ status: 'delivered', recipients: ['jane@customer.test'], message_id: ack.messageId });
    expect(delivery.relay_response).toMatch(/^250/);

    // Her own reply is not mailed back to her: the comment-update trigger suppresses her copy.
    const replyAudit = await eventually(async () => {
      const r = await sys.api(`/tickets/${id}/audits.json`);
      return r.body.audits.find((a: { id: number; events: { type: string }[] }) => a.events.some((e) => e.type === 'Comment' && a.events.length >= 1) && a.id !== creation.id);
    }, 'the reply audit');
    expect(replyAudit.via.channel).toBe('email');
    await new Promise((r) => setTimeout(r, 500));
    expect(sys.relay.messages.filter((m) => m.envelope.to.includes('jane@customer.test'))).toHaveLength(1);
  });

  it('answers an agent reply through the API with a notification the customer can answer', async () => {
    await send({ subject: 'Second question', text: 'Where is my order?', messageId: '<order-q@customer.test>' });
    const ticket = await eventually(async () => {
      const r = await sys.api('/tickets.json');
      return r.body.tickets.find((t: { subject: string }) => t.subject === 'Second question');
    }, 'the second ticket');
    await sys.relay.waitFor((m) => m.subject.includes('Second question'), 20000);
    const before = sys.relay.messages.length;
    const put = await sys.api(`/tickets/${ticket.id}.json`, { method: 'PUT', body: { ticket: { comment: { body: 'It ships tomorrow.', public: true } } } });
    expect(put.status).toBe(200);
    const update = await eventually(() => sys.relay.messages.slice(before).find((m) => m.text.includes('It ships tomorrow.')), 'the update notification');
    expect(update.envelope.to).toEqual(['jane@customer.test']);
    expect(update.references).toContain('<order-q@customer.test>');
  });
});

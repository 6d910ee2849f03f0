import { createTransport } from 'nodemailer';
import { eventually, sleep } from '@mailroom/testing';
import { startSystem, type System } from '../support/system';

/**
 * The suspended tickets API over the running services: machine mail sent over SMTP shows up as a
 * suspended ticket with Zendesk's cause; recovering it sends the raw mail through the normal flow
 * (a ticket of its own author, acknowledged), deleting it removes it and its raw mail.
 */
describe('suspended tickets API', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys?.close());

  const send = async (mail: Record<string, unknown>) => {
    const sent = await createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ to: 'support@mailroom.test', text: 'Your order has shipped.', ...mail });
    expect(sent.response).toMatch(/^250/);
  };
  const suspendedWithSubject = (subject: string) =>
    eventually(async () => (await sys.api('/suspended_tickets.json')).body.suspended_tickets.find((s: any) => s.subject === subject), `the suspended ticket "${subject}"`);

  it('lists and shows a suspended auto-reply with its cause, and refuses callers without credentials', async () => {
    await send({ from: 'Shop Robot <robot@shop.test>', subject: 'Order 1 shipped', headers: { 'Auto-Submitted': 'auto-generated' } });
    const listed = await suspendedWithSubject('Order 1 shipped');
    expect(listed).toMatchObject({
      author: { email: 'robot@shop.test', name: 'Shop Robot' },
      cause: 'Automated response mail',
      cause_id: 3,
      recipient: 'support@mailroom.test',
      ticket_id: null,
      via: { channel: 'email' },
    });
    expect(listed.content).toContain('Your order has shipped.');
    expect(listed.error_messages[0]).toMatch(/Auto-Submitted: auto-generated/);
    const shown = await sys.api(`/suspended_tickets/${listed.id}.json`);
    expect(shown.status).toBe(200);
    expect(shown.body.suspended_ticket).toEqual(listed);
    expect((await sys.api('/suspended_tickets.json', { auth: null })).status).toBe(401);
    expect((await sys.api('/suspended_tickets/999999.json')).status).toBe(404);
  });

  it('recovers a suspended ticket into a new ticket of its author, once, and it leaves the list', async () => {
    await send({ from: 'Ann <ann@customer.test>', subject: 'Automatic reply: my printer', headers: { 'X-Autoreply': 'yes' }, text: 'I am away; but also my printer is broken.' });
    const suspended = await suspendedWithSubject('Automatic reply: my printer');
    expect(suspended.cause).toBe('Automated response mail, out of office');

    const first = await sys.api(`/suspended_tickets/${suspended.id}/recover.json`, { method: 'PUT' });
    expect(first.status).toBe(202);
    const again = await sys.api(`/suspended_tickets/${suspended.id}/recover.json`, { method: 'PUT' });
    expect([202, 404]).toContain(again.status);

    const ticket = await eventually(async () => (await sys.api('/tickets.json?per_page=100')).body.tickets.find((t: any) => t.subject === 'Automatic reply: my printer'), 'the recovered ticket');
    const requester = (await sys.api(`/users/${ticket.requester_id}.json`)).body.user;
    expect(requester.email).toBe('ann@customer.test');
    await eventually(async () => ((await sys.api(`/suspended_tickets/${suspended.id}.json`)).status === 404 ? true : undefined), 'the suspended ticket to leave');
    expect((await sys.api('/suspended_tickets.json')).body.suspended_tickets.map((s: any) => s.id)).not.toContain(suspended.id);
    await sleep(1000);
    expect((await sys.api('/tickets.json?per_page=100')).body.tickets.filter((t: any) => t.subject === 'Automatic reply: my printer')).toHaveLength(1);

    // A machine's mail stays a machine's mail: agents hear of the recovered ticket, the sender
    // gets no acknowledgement (so a recovered auto-responder cannot start a loop), and the audit
    // says why.
    await sys.relay.waitFor((m) => m.envelope.to.includes('admin@mailroom.test') && m.subject.includes('Automatic reply: my printer'), 20000);
    expect(sys.relay.messages.filter((m) => m.envelope.to.includes('ann@customer.test'))).toEqual([]);
    const audits = (await sys.api(`/tickets/${ticket.id}/audits.json`)).body.audits;
    const ack = audits.flatMap((a: any) => a.events).find((e: any) => e.type === 'Notification' && e.via.source.from.title === 'Notify requester and CCs of received request');
    expect(ack.suppressed).toEqual([{ user_id: requester.id, reason: 'sent the update from an automated sender (auto_vacation)' }]);
  });

  it('deletes a suspended ticket and its raw mail; bulk delete and recover take ids', async () => {
    await send({ from: 'news@letters.test', subject: 'Weekly news', headers: { Precedence: 'bulk' } });
    await send({ from: 'news@letters.test', subject: 'Weekly news 2', headers: { Precedence: 'bulk' } });
    await send({ from: 'news@letters.test', subject: 'Weekly news 3', headers: { Precedence: 'bulk' } });
    const [a, b, c] = [await suspendedWithSubject('Weekly news'), await suspendedWithSubject('Weekly news 2'), await suspendedWithSubject('Weekly news 3')];
    const [mail] = await sys.database.db.query<{ mail_id: string }>(`SELECT mail_id FROM ingest.suspended_tickets WHERE id = $1`, [a.id]);

    const del = await sys.api(`/suspended_tickets/${a.id}.json`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await sys.api(`/suspended_tickets/${a.id}.json`)).status).toBe(404);
    expect((await sys.api(`/suspended_tickets/${a.id}.json`, { method: 'DELETE' })).status).toBe(404);
    expect(await sys.database.db.query(`SELECT 1 FROM ingest.raw_mail WHERE id = $1`, [mail.mail_id])).toEqual([]);

    expect((await sys.api(`/suspended_tickets/destroy_many.json?ids=${b.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await sys.api(`/suspended_tickets/${b.id}.json`)).status).toBe(404);
    const many = await sys.api(`/suspended_tickets/recover_many.json?ids=${c.id}`, { method: 'PUT' });
    expect(many.status).toBe(202);
    await eventually(async () => (await sys.api('/tickets.json?per_page=100')).body.tickets.find((t: any) => t.subject === 'Weekly news 3'), 'the bulk-recovered ticket');
    expect((await sys.api('/suspended_tickets/recover_many.json?ids=x', { method: 'PUT' })).status).toBe(422);
  });
});

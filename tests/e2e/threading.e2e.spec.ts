import { createTransport } from 'nodemailer';
import { eventually, sleep } from '@mailroom/testing';
import { ADMIN_EMAIL, startSystem, type System } from '../support/system';

/**
 * Threading, people and follow-ups over real SMTP (reference §5.3, §5.5–§5.7): replies find their
 * ticket by our references, or by the ticket number in the subject when the requester or a CC
 * writes; strangers never write into someone else's ticket; CCs of a reply join the ticket; agents
 * steer a ticket with mail commands; a reply to a closed ticket opens a follow-up.
 */
describe('threading incoming mail', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys?.close());

  let seq = 0;
  const send = async (mail: Record<string, unknown>) => {
    const sent = await createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({
      to: 'support@mailroom.test',
      messageId: `<threading-${++seq}-${Date.now()}@customer.test>`,
      ...mail,
    });
    expect(sent.response).toMatch(/^250/);
    return sent;
  };
  const tickets = async (): Promise<any[]> => (await sys.api('/tickets.json?per_page=100')).body.tickets;
  const ticketWithSubject = (subject: string) => eventually(async () => (await tickets()).find((t) => t.subject === subject), `the ticket "${subject}"`);
  const comments = (id: number, n: number) =>
    eventually(async () => {
      const r = await sys.api(`/tickets/${id}/comments.json`);
      return r.body.comments.length >= n ? r.body.comments : undefined;
    }, `${n} comments on #${id}`);
  const routed = (outcome: string, n: number) =>
    eventually(async () => {
      const rows = await sys.database.db.query<{ data: any }>(`SELECT data FROM mailroom_events.messages WHERE type = 'mail.routed' AND data->>'outcome' = $1 ORDER BY global_position`, [outcome]);
      return rows.length >= n ? rows.map((r) => r.data) : undefined;
    }, `${n} mails routed as ${outcome}`);
  const userByEmail = async (email: string) => (await sys.api('/users.json?per_page=100')).body.users.find((u: any) => u.email === email);

  /** A customer's new ticket and the acknowledgement it got. */
  const newTicket = async (from: string, subject: string, extra: Record<string, unknown> = {}) => {
    await send({ from, subject, text: `About ${subject}`, ...extra });
    const ticket = await ticketWithSubject(subject);
    const ack = await sys.relay.waitFor((m) => m.subject.includes(subject), 20000);
    return { ticket, ack };
  };

  it('threads a subject ticket number for the requester, and for a CC', async () => {
    const { ticket } = await newTicket('Jane <jane@customer.test>', 'Scanner jammed', { cc: 'Carl <carl@customer.test>' });
    expect(ticket.email_cc_ids).toHaveLength(1);
    await send({ from: 'jane@customer.test', subject: `Re: Scanner jammed [#${ticket.id}]`, text: 'Still jammed.' });
    await send({ from: 'carl@customer.test', subject: `Ticket #${ticket.id}`, text: 'Same here.', cc: 'jane@customer.test' });
    const all = await comments(ticket.id, 3);
    expect(all.map((c: any) => [c.body, c.public])).toEqual([
      ['About Scanner jammed', true],
      ['Still jammed.', true],
      ['Same here.', true],
    ]);
    const routes = await routed('comment', 2);
    expect(routes.filter((r) => r.ticketId === ticket.id).map((r) => r.matchedBy)).toEqual(['subject_number', 'subject_number']);
  });

  it('never lets a stranger into someone else’s ticket by its number: they get a ticket of their own', async () => {
    const { ticket } = await newTicket('Jane <jane@customer.test>', 'Laptop battery');
    await send({ from: 'Mallory <mallory@evil.test>', subject: `Re: [#${ticket.id}] Laptop battery`, text: 'Let me in.' });
    const own = await ticketWithSubject(`Re: [#${ticket.id}] Laptop battery`);
    expect(own.id).not.toBe(ticket.id);
    expect((await userByEmail('mallory@evil.test')).id).toBe(own.requester_id);
    await sleep(300);
    expect((await comments(ticket.id, 1)).map((c: any) => c.body)).toEqual(['About Laptop battery']);
  });

  it('takes a third party’s reply with our real reference as a private comment and does not copy in the people on it', async () => {
    const { ticket, ack } = await newTicket('Jane <jane@customer.test>', 'Router blinking');
    await send({ from: 'Bob <bob@other.test>', cc: 'eve@other.test', subject: `Re: ${ack.subject}`, text: 'Forwarded to me, I know the fix.', inReplyTo: ack.messageId!, references: [ack.messageId!] });
    const all = await comments(ticket.id, 2);
    expect(all[1]).toMatchObject({ body: 'Forwarded to me, I know the fix.', public: false });
    const after = (await sys.api(`/tickets/${ticket.id}.json`)).body.ticket;
    expect(after.email_cc_ids).toEqual([]);
  });

  it('adds the To/Cc people of the requester’s reply as CCs, and keeps a CC’s reply to others without the requester private', async () => {
    const { ticket, ack } = await newTicket('Jane <jane@customer.test>', 'Monitor flickers');
    await send({ from: 'jane@customer.test', to: ['support@mailroom.test', 'Dora <dora@customer.test>'], cc: 'ed@customer.test', subject: `Re: ${ack.subject}`, text: 'Adding my colleagues.', inReplyTo: ack.messageId! });
    await comments(ticket.id, 2);
    const withCcs = await eventually(async () => {
      const t = (await sys.api(`/tickets/${ticket.id}.json`)).body.ticket;
      return t.email_cc_ids.length === 2 ? t : undefined;
    }, 'two CCs');
    const dora = await userByEmail('dora@customer.test');
    const ed = await userByEmail('ed@customer.test');
    expect(withCcs.email_cc_ids.sort()).toEqual([dora.id, ed.id].sort());
    expect(dora).toMatchObject({ name: 'Dora', role: 'end_user' });

    // Dora answers support and a friend but drops the requester: a side conversation, kept private.
    await send({ from: 'dora@customer.test', cc: 'friend@customer.test', subject: `Re: ${ack.subject}`, text: 'Between us.', inReplyTo: ack.messageId! });
    expect((await comments(ticket.id, 3))[2]).toMatchObject({ body: 'Between us.', public: false, author_id: dora.id });
  });

  it('applies an agent’s mail commands in the same update as the comment', async () => {
    const { ticket, ack } = await newTicket('Jane <jane@customer.test>', 'Keyboard sticky');
    const admin = await userByEmail(ADMIN_EMAIL);
    await send({ from: ADMIN_EMAIL, subject: `Re: ${ack.subject}`, text: '#status solved\n#note\n\nCleaned it, closing.', inReplyTo: ack.messageId! });
    const solved = await eventually(async () => {
      const t = (await sys.api(`/tickets/${ticket.id}.json`)).body.ticket;
      return t.status === 'solved' ? t : undefined;
    }, 'the ticket solved');
    expect(solved.assignee_id).toBe(admin.id); // solving unassigned assigns the solving agent
    const all = await comments(ticket.id, 2);
    expect(all[1]).toMatchObject({ body: 'Cleaned it, closing.', public: false, author_id: admin.id });
    const audits = (await sys.api(`/tickets/${ticket.id}/audits.json`)).body.audits;
    const update = audits.find((a: any) => a.events.some((e: any) => e.type === 'Comment' && e.body === 'Cleaned it, closing.'));
    expect(update.events.map((e: any) => e.field_name ?? e.type)).toEqual(expect.arrayContaining(['Comment', 'status', 'assignee_id']));
  });

  it('lets an agent open a ticket for a customer by mail, with #requester and other commands', async () => {
    const admin = await userByEmail(ADMIN_EMAIL);
    await send({ from: ADMIN_EMAIL, subject: 'Phoned in: printer jam', text: '#requester walter@customer.test\n#priority urgent\n#tags phone\n\nWalter called: the printer jams on every page.' });
    const ticket = await ticketWithSubject('Phoned in: printer jam');
    const walter = await eventually(() => userByEmail('walter@customer.test'), 'walter');
    expect(ticket).toMatchObject({ requester_id: walter.id, submitter_id: admin.id, priority: 'urgent', tags: ['phone'], email_cc_ids: [admin.id] });
    expect((await comments(ticket.id, 1))[0]).toMatchObject({ body: 'Walter called: the printer jams on every page.', author_id: admin.id, public: true });
  });

  it('opens a follow-up for a reply to a closed ticket, linked to it, with its tags and the address it was sent to', async () => {
    const { ticket, ack } = await newTicket('Jane <jane@customer.test>', 'Mouse lost');
    const admin = await userByEmail(ADMIN_EMAIL);
    const put = await sys.api(`/tickets/${ticket.id}.json`, { method: 'PUT', body: { ticket: { status: 'closed', assignee_id: admin.id, priority: 'high', tags: ['hardware', 'vip'] } } });
    expect(put.status).toBe(200);
    await eventually(async () => ((await sys.api(`/tickets/${ticket.id}.json`)).body.ticket.status === 'closed') || undefined, 'closed');

    await send({ from: 'jane@customer.test', subject: `Re: ${ack.subject}`, text: 'It is back, but broken.', inReplyTo: ack.messageId!, references: [ack.messageId!] });
    const followUp = await eventually(async () => (await tickets()).find((t) => t.via?.source?.rel === 'follow_up' && t.via.source.from.ticket_id === ticket.id), 'the follow-up');
    expect(followUp).toMatchObject({
      subject: 'Mouse lost',
      requester_id: ticket.requester_id,
      status: 'new',
      recipient: 'support@mailroom.test',
      priority: null,
      assignee_id: null,
      via: { channel: 'closed_ticket', source: { from: { address: 'jane@customer.test', ticket_id: ticket.id, subject: 'Mouse lost' }, rel: 'follow_up' } },
    });
    expect(followUp.tags.sort()).toEqual(['hardware', 'vip']);
    expect((await comments(followUp.id, 1)).map((c: any) => c.body)).toEqual(['It is back, but broken.']);
    // The closed ticket is untouched, and the follow-up's requester hears from it like any new ticket.
    expect((await sys.api(`/tickets/${ticket.id}/comments.json`)).body.comments).toHaveLength(1);
    await sys.relay.waitFor((m) => m.envelope.to.includes('jane@customer.test') && m.text.includes(String(followUp.id)), 20000);
  });

  it('turns the same reply delivered twice into one comment', async () => {
    const { ticket, ack } = await newTicket('Jane <jane@customer.test>', 'Headset crackles');
    const reply = { from: 'jane@customer.test', subject: `Re: ${ack.subject}`, text: 'Crackles more now.', inReplyTo: ack.messageId!, messageId: `<dup-reply-${Date.now()}@customer.test>` };
    await send(reply);
    await send(reply);
    await comments(ticket.id, 2);
    const copies = await routed('duplicate', 1);
    expect(copies.find((r) => r.messageId === reply.messageId)).toBeDefined();
    await sleep(500);
    expect((await sys.api(`/tickets/${ticket.id}/comments.json`)).body.comments).toHaveLength(2);
  });
});

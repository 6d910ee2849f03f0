import { createTransport } from 'nodemailer';
import { eventually } from '@mailroom/testing';
import { ADMIN_EMAIL, startSystem, type System } from '../support/system';

/**
 * The original email behind a comment, over real SMTP and HTTP: a customer's reply shows as its
 * new text and signature without the quoted history, while the exact bytes received and the whole
 * decoded text stay available to agents; an agent's refused mail command shows on the audit.
 */
describe('the original email of a comment', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys?.close());

  const smtp = () => createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true });
  const ticketWithSubject = (subject: string) =>
    eventually(async () => (await sys.api('/tickets.json?per_page=100')).body.tickets.find((t: any) => t.subject === subject), `the ticket "${subject}"`);
  const comments = (id: number, n: number) =>
    eventually(async () => {
      const r = await sys.api(`/tickets/${id}/comments.json`);
      return r.body.comments.length >= n ? r.body.comments : undefined;
    }, `${n} comments on #${id}`);
  const fetchRaw = (path: string, auth: string | null = sys.adminAuth) => fetch(`${sys.apiBase}${path}`, { headers: auth ? { authorization: auth } : {} });

  /** A new ticket from Jane and the acknowledgement she got (the mail she answers). */
  const newTicket = async (subject: string) => {
    const sent = await smtp().sendMail({ from: 'Jane <jane@customer.test>', to: 'support@mailroom.test', subject, text: `About ${subject}` });
    expect(sent.response).toMatch(/^250/);
    const ticket = await ticketWithSubject(subject);
    const ack = await sys.relay.waitFor((m) => m.subject.includes(subject) && m.to.includes('jane@customer.test'), 20000);
    return { ticket, ack };
  };

  it('shows the reply and signature without the Gmail quote, and serves the exact mail and its full text', async () => {
    const { ticket, ack } = await newTicket('Scanner offline');
    const messageId = `<gmail-reply-${Date.now()}@mail.customer.test>`;
    const raw = Buffer.from(
      [
        'From: Jane <jane@customer.test>',
        'To: support@mailroom.test',
        `Subject: Re: ${ack.subject}`,
        `Message-ID: ${messageId}`,
        `In-Reply-To: ${ack.messageId}`,
        `References: ${ack.messageId}`,
        'Date: Wed, 25 Nov 2026 10:00:00 +0000',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Restarted it twice, still offline.',
        '',
        '-- ',
        'Jane Doe',
        'Head of Office, Customer Ltd',
        '',
        'On Wed, Nov 25, 2026 at 9:00 AM Acme Support <support@mailroom.test> wrote:',
        '> Have you tried turning it off and on again?',
        '> The history line to be cut.',
        '',
      ].join('\r\n'),
    );
    const sent = await smtp().sendMail({ envelope: { from: 'jane@customer.test', to: ['support@mailroom.test'] }, raw });
    expect(sent.response).toMatch(/^250/);

    const [, reply] = await comments(ticket.id, 2);
    expect(reply.body).toContain('Restarted it twice, still offline.');
    expect(reply.body).toContain('Jane Doe');
    expect(reply.body).not.toContain('turning it off and on');
    expect(reply.body).not.toContain('wrote:');
    expect(reply.metadata).toMatchObject({
      system: { message_id: messageId, raw_email_identifier: expect.any(String) },
      custom: {},
      mailroom: { reply_cut_by: 'quote_header', full_text_available: true },
    });

    const original = await fetchRaw(`/tickets/${ticket.id}/comments/${reply.id}/original`);
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toMatch(/^message\/rfc822/);
    expect(original.headers.get('content-disposition')).toBe(`attachment; filename="comment-${reply.id}.eml"`);
    expect(Buffer.from(await original.arrayBuffer()).equals(raw)).toBe(true);

    const decoded = await sys.api(`/tickets/${ticket.id}/comments/${reply.id}/original.json`);
    expect(decoded.status).toBe(200);
    expect(decoded.body.original).toMatchObject({ message_id: messageId, subject: `Re: ${ack.subject}`, from: { address: 'jane@customer.test' }, to: [{ address: 'support@mailroom.test' }], html_sanitized: null });
    expect(decoded.body.original.text).toContain('Restarted it twice, still offline.');
    expect(decoded.body.original.text).toContain('> Have you tried turning it off and on again?');

    // Agents only; a comment of another ticket or one that did not come from mail is not found.
    expect((await fetchRaw(`/tickets/${ticket.id}/comments/${reply.id}/original`, null)).status).toBe(401);
    expect((await fetchRaw(`/tickets/${ticket.id + 1000}/comments/${reply.id}/original`)).status).toBe(404);
    const apiTicket = await sys.api('/tickets.json', { method: 'POST', body: { ticket: { subject: 'By phone', comment: { body: 'Called in' } } } });
    const [apiComment] = await comments(apiTicket.body.ticket.id, 1);
    expect(apiComment.metadata.mailroom).toBeUndefined();
    expect((await fetchRaw(`/tickets/${apiTicket.body.ticket.id}/comments/${apiComment.id}/original.json`)).status).toBe(404);
  });

  it('adds an agent’s reply with a refused #status command and shows the refusal on its audit', async () => {
    const { ticket, ack } = await newTicket('Toner empty');
    const sent = await smtp().sendMail({ from: ADMIN_EMAIL, to: 'support@mailroom.test', subject: `Re: ${ack.subject}`, text: '#status nonsense\n\nNew toner is on its way.', inReplyTo: ack.messageId!, references: [ack.messageId!] });
    expect(sent.response).toMatch(/^250/);

    const [, reply] = await comments(ticket.id, 2);
    expect(reply.body).toBe('New toner is on its way.');
    const audits = (await sys.api(`/tickets/${ticket.id}/audits.json`)).body.audits;
    const audit = audits.find((a: any) => a.events.some((e: any) => e.type === 'Comment' && e.comment_id === reply.id));
    expect(audit.events).toContainEqual(expect.objectContaining({ type: 'MailCommandError', comment_id: reply.id, command: '#status', value: 'nonsense', error: expect.stringContaining('nonsense') }));
    expect(audit.metadata.system).toMatchObject({ raw_email_identifier: expect.any(String) });
    expect((await sys.api(`/tickets/${ticket.id}.json`)).body.ticket.status).not.toBe('solved');
  });
});

import { createTransport } from 'nodemailer';
import { encodeTicketId } from '@mailroom/mail-domain';
import { eventually } from '@mailroom/testing';
import { SECRET, startSystem, type System } from '../support/system';

/**
 * Mail nobody should be able to misuse, over real SMTP: text PostgreSQL cannot hold (NUL, also
 * quoted-printable `=00` and in headers) still ends as a ticket — never only in the dead-letter
 * queue after its 250 — and a body full of guessed `[XXXXXX-XXXX]` references does not thread.
 */
describe('mail that tests our trust', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem();
  });
  afterAll(async () => sys?.close());

  let seq = 0;
  /** Sends raw lines (CRLF-joined) over SMTP; returns the Message-ID it carried. */
  const sendRaw = async (headers: string[], body: string, from = 'jane@customer.test'): Promise<string> => {
    const id = `<trust-${++seq}-${Date.now()}@customer.test>`;
    const raw = [...headers, `Message-ID: ${id}`, 'To: support@mailroom.test', 'MIME-Version: 1.0', '', body, ''].join('\r\n');
    const sent = await createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ envelope: { from, to: ['support@mailroom.test'] }, raw });
    expect(sent.response).toMatch(/^250/);
    return id;
  };
  const routedAs = (messageId: string) =>
    eventually(async () => {
      const [row] = await sys.database.db.query<{ data: any }>(`SELECT data FROM mailroom_events.messages WHERE type = 'mail.routed' AND data->>'messageId' = $1`, [messageId]);
      return row?.data;
    }, `the route of ${messageId}`);
  const ticketWithSubject = (subject: string) =>
    eventually(async () => (await sys.api('/tickets.json?per_page=100')).body.tickets.find((t: any) => t.subject === subject), `the ticket "${subject}"`);

  it.each<[string, string[], string, string]>([
    ['a raw NUL in the body', ['From: Jane <jane@customer.test>', 'Subject: NUL raw', 'Content-Type: text/plain; charset=utf-8'], 'Printer\u0000on fire', 'NUL raw'],
    ['quoted-printable =00', ['From: Jane <jane@customer.test>', 'Subject: NUL qp', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'], 'Printer=00on fire', 'NUL qp'],
    ['a NUL in the Subject', ['From: Jane <jane@customer.test>', 'Subject: =?utf-8?Q?NUL=00subject?=', 'Content-Type: text/plain'], 'Printer on fire', 'NUL\uFFFDsubject'],
    ['a NUL in the From display name', ['From: =?utf-8?Q?Jane=00Doe?= <jane.doe@customer.test>', 'Subject: NUL name', 'Content-Type: text/plain'], 'Printer on fire', 'NUL name'],
    [
      'a NUL in an attachment file name',
      ['From: Jane <jane@customer.test>', 'Subject: NUL file name', 'Content-Type: multipart/mixed; boundary="b"'],
      ['--b', 'Content-Type: text/plain', '', 'See attached.', '--b', 'Content-Type: text/plain; name="=?utf-8?Q?a=00b.txt?="', 'Content-Disposition: attachment; filename="=?utf-8?Q?a=00b.txt?="', '', 'log', '--b--'].join('\r\n'),
      'NUL file name',
    ],
  ])('%s ends as a ticket, not a dead letter', async (_case, headers, body, subject) => {
    const id = await sendRaw(headers, body);
    expect(await routedAs(id)).toMatchObject({ outcome: 'new_ticket' });
    const ticket = await ticketWithSubject(subject);
    const [first] = (await sys.api(`/tickets/${ticket.id}/comments.json`)).body.comments;
    expect(JSON.stringify(first)).not.toContain('\\u0000');
    expect(await sys.ingest.broker.peekDeadLetters('ingest.mail-worker')).toEqual([]);
  });

  it('a body full of guessed references, the right one among them, does not thread; the genuine reference does', async () => {
    await sendRaw(['From: Jane <jane@customer.test>', 'Subject: Original problem', 'Content-Type: text/plain'], 'My printer is on fire.');
    const ticket = await ticketWithSubject('Original problem');
    const real = `[${encodeTicketId(ticket.id, SECRET)}]`;
    const guesses = Array.from({ length: 3000 }, (_, i) => `[${encodeTicketId(ticket.id, `guess-${i}`)}]`).filter((g) => g !== real);

    const flood = await sendRaw(['From: Mallory <mallory@evil.test>', 'Subject: Just guessing', 'Content-Type: text/plain'], [...guesses, real].join('\r\n'), 'mallory@evil.test');
    expect(await routedAs(flood)).toMatchObject({ outcome: 'new_ticket', ticketId: null });

    const reply = await sendRaw(['From: Jane <jane@customer.test>', 'Subject: Re: Original problem (no headers kept)', 'Content-Type: text/plain'], `Still burning.\r\n\r\n> ${real}`);
    expect(await routedAs(reply)).toMatchObject({ outcome: 'comment', ticketId: ticket.id, matchedBy: 'body_token' });
  });
});

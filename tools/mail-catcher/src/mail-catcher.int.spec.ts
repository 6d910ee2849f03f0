// Real SMTP over loopback (nodemailer as the client) and real HTTP against the web page.
import nodemailer from 'nodemailer';
import { startMailCatcher, type MailCatcher } from './mail-catcher';

describe('mail catcher', () => {
  let catcher: MailCatcher;
  let transport: ReturnType<typeof nodemailer.createTransport>;
  let base: string;

  beforeAll(async () => {
    catcher = await startMailCatcher({ smtpPort: 0, httpPort: 0 });
    base = `http://127.0.0.1:${catcher.httpPort}`;
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: catcher.smtpPort, secure: false, ignoreTLS: true });
  });

  afterAll(async () => {
    transport.close();
    await catcher.close();
  });

  beforeEach(() => catcher.clear());

  it('listens on random loopback ports', () => {
    expect(catcher.smtpPort).toBeGreaterThan(0);
    expect(catcher.httpPort).toBeGreaterThan(0);
    expect(catcher.smtpPort).not.toBe(catcher.httpPort);
  });

  it('catches a mail with its envelope, threading headers and both parts', async () => {
    const info = await transport.sendMail({
      envelope: { from: 'bounce@mailroom.test', to: ['alice@example.com', 'hidden@example.com'] },
      from: '"Mailroom Support" <support@mailroom.test>',
      to: 'Alice <alice@example.com>',
      cc: 'bob@example.com',
      replyTo: 'support+id42@mailroom.test',
      subject: '[Mailroom] Re: Printer on fire — ünïcödé',
      messageId: '<n1@mailroom.test>',
      inReplyTo: '<c1@example.com>',
      references: ['<c0@example.com>', '<c1@example.com>'],
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Mailroom-Ticket-Id': '42' },
      text: 'Hello Alice,\nwe are on it.',
      html: '<p>Hello <b>Alice</b>, we are on it.</p>',
    });

    const mail = await catcher.waitFor((m) => m.messageId === '<n1@mailroom.test>');
    expect(info.response).toBe(mail.smtpResponse);
    expect(mail.smtpResponse).toMatch(/^250 /);
    expect(mail.envelope).toEqual({ from: 'bounce@mailroom.test', to: ['alice@example.com', 'hidden@example.com'] });
    expect(mail.from).toBe('support@mailroom.test');
    expect(mail.to).toEqual(['alice@example.com']);
    expect(mail.cc).toEqual(['bob@example.com']);
    expect(mail.replyTo).toEqual(['support+id42@mailroom.test']);
    expect(mail.subject).toBe('[Mailroom] Re: Printer on fire — ünïcödé');
    expect(mail.inReplyTo).toBe('<c1@example.com>');
    expect(mail.references).toEqual(['<c0@example.com>', '<c1@example.com>']);
    expect(mail.headers['auto-submitted']).toBe('auto-generated');
    expect(mail.headers['x-mailroom-ticket-id']).toBe('42');
    expect(mail.text.trim()).toBe('Hello Alice,\nwe are on it.');
    expect(mail.html).toBe('<p>Hello <b>Alice</b>, we are on it.</p>');
    expect(mail.raw.toString('utf8')).toContain('Message-ID: <n1@mailroom.test>');
    expect(mail.parsed.subject).toBe(mail.subject);
    expect(mail.receivedAt).toBeInstanceOf(Date);
    expect(catcher.messages).toHaveLength(1);
  });

  it('waitFor resolves for a mail that arrives later and rejects on timeout, naming what was caught', async () => {
    const waiting = catcher.waitFor((m) => m.subject === 'later', 5000);
    await transport.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'later', text: 'x' });
    await expect(waiting).resolves.toMatchObject({ subject: 'later' });

    await expect(catcher.waitFor((m) => m.subject === 'never', 100)).rejects.toThrow(/no matching mail.*"later"/);
  });

  it('waitForCount resolves once n mails are there', async () => {
    const waiting = catcher.waitForCount(3, 5000);
    for (let i = 1; i <= 3; i++) {
      await transport.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: `n${i}`, text: 'x' });
    }
    const mails = await waiting;
    expect(mails.map((m) => m.subject)).toEqual(['n1', 'n2', 'n3']);
    await expect(catcher.waitForCount(4, 100)).rejects.toThrow(/expected 4 mails/);
  });

  it('failNext answers DATA with the SMTP error, then accepts again', async () => {
    catcher.failNext(2, 452, 'Mailbox full, try later');
    const mail = { from: 'a@example.com', to: 'b@example.com', subject: 'retry me', text: 'x' };
    await expect(transport.sendMail(mail)).rejects.toMatchObject({ responseCode: 452 });
    await expect(transport.sendMail(mail)).rejects.toThrow(/Mailbox full, try later/);
    expect(catcher.messages).toHaveLength(0);
    await expect(transport.sendMail(mail)).resolves.toMatchObject({ response: expect.stringMatching(/^250 /) });
    expect(catcher.messages).toHaveLength(1);

    catcher.failNext(1);
    await expect(transport.sendMail(mail)).rejects.toMatchObject({ responseCode: 451 });
    catcher.failNext(1, 554, 'Rejected for good');
    await expect(transport.sendMail(mail)).rejects.toMatchObject({ responseCode: 554 });
    expect(catcher.messages).toHaveLength(1);
  });

  it('keeps at most maxMessages, dropping the oldest', async () => {
    const small = await startMailCatcher({ smtpPort: 0, maxMessages: 2 });
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: small.smtpPort, ignoreTLS: true });
    try {
      expect(small.httpPort).toBeNull();
      for (const subject of ['a', 'b', 'c']) await t.sendMail({ from: 'x@example.com', to: 'y@example.com', subject, text: subject });
      expect(small.messages.map((m) => m.subject)).toEqual(['b', 'c']);
    } finally {
      t.close();
      await small.close();
    }
  });

  describe('web page', () => {
    const evil = '<script>alert("pwned")</script> & "quotes"';
    const evilHtml = '<p onclick="x()">hi</p><script>alert(1)</script><a href="x">"q"</a>';

    beforeEach(async () => {
      await transport.sendMail({ from: 'first@example.com', to: 'b@example.com', subject: 'first', text: 'one' });
      await transport.sendMail({
        from: '"<b>Mallory</b>" <mallory@example.com>',
        to: 'b@example.com',
        subject: evil,
        text: 'text part <img src=x onerror=alert(2)>',
        html: evilHtml,
        headers: { 'X-Evil': { prepared: true, value: '<iframe src="javascript:alert(3)">' } },
      });
      await catcher.waitForCount(2);
    });

    it('lists mails newest first with escaped subjects', async () => {
      const res = await fetch(`${base}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      const body = await res.text();
      expect(body).not.toContain('<script');
      expect(body).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;');
      const [evilMail, firstMail] = [catcher.messages[1], catcher.messages[0]];
      const evilAt = body.indexOf(`/messages/${evilMail.id}`);
      const firstAt = body.indexOf(`/messages/${firstMail.id}`);
      expect(evilAt).toBeGreaterThan(0);
      expect(firstAt).toBeGreaterThan(evilAt);
    });

    it('shows one mail: headers and text escaped, the HTML part only in a script-less sandboxed iframe', async () => {
      const mail = catcher.messages[1];
      const res = await fetch(`${base}/messages/${mail.id}`);
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).not.toMatch(/<script|<img|<iframe src|onclick="x|<b>Mallory/i);
      expect(body).toContain('text part &lt;img src=x onerror=alert(2)&gt;');
      expect(body).toContain('&lt;iframe src=&quot;javascript:alert(3)&quot;&gt;');

      const iframes = body.match(/<iframe[^>]*>/g) ?? [];
      expect(iframes).toHaveLength(1);
      const iframe = iframes[0] ?? '';
      const sandbox = /\ssandbox="([^"]*)"/.exec(iframe);
      expect(sandbox).not.toBeNull();
      expect(sandbox![1]).not.toMatch(/allow-scripts|allow-same-origin/);
      const srcdoc = /\ssrcdoc="([^"]*)"/.exec(iframe);
      expect(srcdoc).not.toBeNull();
      const unescaped = srcdoc![1]
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
      expect(unescaped).toBe(evilHtml);
    });

    it('serves the JSON list and the raw message, and 404s unknown ids', async () => {
      const list = (await (await fetch(`${base}/api/messages`)).json()) as Array<{ id: string; subject: string }>;
      expect(list.map((m) => m.subject)).toEqual(['first', evil]);
      const one = (await (await fetch(`${base}/api/messages/${list[1].id}`)).json()) as { html: string };
      expect(one.html).toBe(evilHtml);
      const raw = await (await fetch(`${base}/messages/${list[1].id}/raw`)).text();
      expect(raw).toContain('X-Evil:');
      expect((await fetch(`${base}/messages/nope`)).status).toBe(404);
      expect((await fetch(`${base}/messages/%E0%A4%A`)).status).toBe(404);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    });

    it('DELETE /api/messages clears', async () => {
      const res = await fetch(`${base}/api/messages`, { method: 'DELETE' });
      expect(res.status).toBe(204);
      expect(catcher.messages).toHaveLength(0);
      expect(await (await fetch(`${base}/api/messages`)).json()).toEqual([]);
      expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
    });
  });

  it('close rejects pending waits and frees the ports', async () => {
    const other = await startMailCatcher({ smtpPort: 0, httpPort: 0 });
    const pending = other.waitFor(() => false, 10_000);
    await other.close();
    await expect(pending).rejects.toThrow(/closed/);
    const again = await startMailCatcher({ smtpPort: other.smtpPort, httpPort: other.httpPort });
    await again.close();
  });
});

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTransport } from 'nodemailer';
import { eventually } from '@mailroom/testing';
import { startSystem, type System } from '../support/system';

// The binary itself: Debian's /usr/bin/chromium wrapper script slows the start-up puppeteer waits for.
const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const browserIt = CHROMIUM ? it : it.skip;
if (!CHROMIUM) console.warn('satisfaction e2e: no chromium on this machine; the browser step is skipped (apt-get install chromium)');

/**
 * Satisfaction ratings on the running services: ratings on, a ticket by mail, an agent solves it,
 * a trigger mails the requester the rating section; the customer opens the good link in headless
 * Chromium, finds "good" chosen, writes a comment and submits the plain form. The rating is in
 * /api/v2/satisfaction_ratings and on the ticket, a trigger on satisfaction_score fires, and a
 * forged link or one moved to another ticket is refused.
 */
describe('satisfaction ratings', () => {
  let sys: System;
  let origin: string;

  beforeAll(async () => {
    sys = await startSystem();
    origin = new URL(sys.apiBase).origin;
  });
  afterAll(async () => sys?.close());

  const send = (mail: Record<string, unknown>) =>
    createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ from: 'Jane Customer <jane@customer.test>', to: 'support@mailroom.test', ...mail });
  const ticketWithSubject = (subject: string) =>
    eventually(async () => (await sys.api('/tickets.json')).body.tickets.find((t: { subject: string }) => t.subject === subject), `the ticket "${subject}"`);
  /** The links in mail name the configured base URL; the test's services listen elsewhere. */
  const local = (link: string) => {
    const u = new URL(link);
    return `${origin}${u.pathname}${u.search}`;
  };
  const solve = async (id: number) => {
    const admin = (await sys.api('/users.json')).body.users.find((u: { role: string }) => u.role === 'admin');
    const r = await sys.api(`/tickets/${id}.json`, { method: 'PUT', body: { ticket: { status: 'solved', assignee_id: admin.id, comment: { body: 'Fixed: the kettle is replaced.', public: true } } } });
    expect(r.status).toBe(200);
  };
  const surveyFor = (id: number) => sys.relay.waitFor((m) => m.subject === `How would you rate request #${id}?`, 30000);
  const goodLink = (html: string) => /href="([^"]+\/satisfaction\/[^"]+\?score=good)"/.exec(html)![1].replace(/&amp;/g, '&');

  let ticketId: number;
  let link: string;
  let other: { id: number; link: string };

  it('turns ratings on, and a survey trigger mails the requester the rating section once the ticket is solved', async () => {
    expect((await sys.api('/account/settings.json', { method: 'PUT', body: { settings: { customer_satisfaction: { enabled: true } } } })).status).toBe(200);
    const survey = await sys.api('/triggers.json', {
      method: 'POST',
      body: {
        trigger: {
          title: 'Survey on solve',
          conditions: { all: [{ field: 'status', operator: 'changed' }, { field: 'status', operator: 'is', value: 'solved' }], any: [] },
          actions: [{ field: 'notification_user', value: ['requester_id', 'How would you rate request #{{ticket.id}}?', 'Hello {{ticket.requester.first_name}},\n\n{{satisfaction.rating_section}}'] }],
        },
      },
    });
    expect(survey.status).toBe(201);
    const tagging = await sys.api('/triggers.json', {
      method: 'POST',
      body: { trigger: { title: 'Tag good ratings', conditions: { all: [{ field: 'satisfaction_score', operator: 'changed' }, { field: 'satisfaction_score', operator: 'is', value: 'good_with_comment' }], any: [] }, actions: [{ field: 'current_tags', value: 'rated_good' }] } },
    });
    expect(tagging.status).toBe(201);

    await send({ subject: 'Kettle broken', text: 'My kettle does not boil.', messageId: '<kettle-1@customer.test>' });
    ticketId = (await ticketWithSubject('Kettle broken')).id;
    await send({ subject: 'Toaster broken', text: 'My toaster does not toast.', messageId: '<toaster-1@customer.test>' });
    const otherId = (await ticketWithSubject('Toaster broken')).id;
    await solve(ticketId);
    await solve(otherId);
    const mail = await surveyFor(ticketId);
    expect(mail.envelope.to).toEqual(['jane@customer.test']);
    expect(mail.html).toContain("Good, I&#39;m satisfied");
    link = goodLink(mail.html!);
    expect(link).toMatch(new RegExp(`/satisfaction/${ticketId}\\.`));
    other = { id: otherId, link: goodLink((await surveyFor(otherId)).html!) };
    const offered = await eventually(async () => {
      const t = (await sys.api(`/tickets/${ticketId}.json`)).body.ticket;
      return t.satisfaction_rating?.score === 'offered' ? t : undefined;
    }, 'the ticket offered');
    expect(offered.satisfaction_rating).toEqual({ id: ticketId, score: 'offered', comment: null });
    expect((await sys.api('/satisfaction_ratings.json?score=offered')).body.count).toBe(2);
  });

  browserIt('the customer rates good with a comment through the link in headless Chromium', async () => {
    const puppeteer = await import('puppeteer-core');
    // Started here and driven over its DevTools websocket on loopback (puppeteer only connects).
    const profile = mkdtempSync(path.join(tmpdir(), 'mailroom-chromium-'));
    const chromium = spawn(CHROMIUM!, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let seen = '';
      chromium.stderr!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
        if (m) resolve(m[1]);
      });
      chromium.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${seen.slice(-500)}`)));
    });
    const browser = await puppeteer.connect({ browserWSEndpoint: endpoint });
    try {
      const page = await browser.newPage();
      await page.setJavaScriptEnabled(false);
      const opened = await page.goto(local(link));
      expect(opened?.status()).toBe(200);
      expect(await page.$eval('input[name=score][value=good]', (e) => (e as unknown as { checked: boolean }).checked)).toBe(true);
      expect(await page.$eval('input[name=score][value=bad]', (e) => (e as unknown as { checked: boolean }).checked)).toBe(false);
      expect(await page.$('script')).toBeNull();
      await page.type('textarea[name=comment]', 'Quick & kind <b>help</b>');
      const [answer] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      expect(answer?.status()).toBe(200);
      expect(answer?.request().method()).toBe('POST');
      expect(await page.content()).toContain('Thank you for your feedback');
    } finally {
      await browser.close().catch(() => undefined);
      // Chromium and its helper processes (its own process group) write the profile until they have
      // exited: stop the whole group, then remove the folder; a leftover temporary folder is only
      // untidy, so its removal never fails the test.
      const exited = chromium.exitCode !== null ? Promise.resolve() : new Promise<void>((r) => chromium.once('exit', () => r()));
      try {
        process.kill(-chromium.pid!, 'SIGKILL');
      } catch {
        chromium.kill('SIGKILL');
      }
      await exited;
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } catch (err) {
        console.warn(`satisfaction e2e: could not remove ${profile}: ${(err as Error).message}`);
      }
    }
  }, 180000);

  it('the rating posted through the plain form (no browser) is the same rating', async () => {
    // The HTTP-level form test: what the page's form posts, as a browser without script would.
    const r = await fetch(local(link), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ score: 'good', comment: 'Quick & kind <b>help</b>' }).toString() });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('Thank you');
  });

  it('shows the rating in /api/v2/satisfaction_ratings, on the ticket, and a satisfaction trigger fired', async () => {
    const rating = await eventually(async () => (await sys.api('/satisfaction_ratings.json?score=good')).body.satisfaction_ratings.find((r: { ticket_id: number }) => r.ticket_id === ticketId), 'the good rating');
    expect(rating).toMatchObject({ id: ticketId, ticket_id: ticketId, score: 'good', comment: 'Quick & kind <b>help</b>', url: expect.stringContaining(`/api/v2/satisfaction_ratings/${ticketId}.json`) });
    expect((await sys.api(`/satisfaction_ratings/${ticketId}.json`)).body.satisfaction_rating).toEqual(rating);
    expect((await sys.api('/satisfaction_ratings.json?score=bad')).body.count).toBe(0);
    expect((await sys.api('/satisfaction_ratings.json?score=received')).body.count).toBe(1);
    const t = await eventually(async () => {
      const ticket = (await sys.api(`/tickets/${ticketId}.json`)).body.ticket;
      return ticket.tags.includes('rated_good') ? ticket : undefined;
    }, 'the rated_good tag');
    expect(t.satisfaction_rating).toEqual({ id: ticketId, score: 'good', comment: 'Quick & kind <b>help</b>' });
    // Only one rating update: the repeated post of the same answer added nothing.
    const audits = (await sys.api(`/tickets/${ticketId}/audits.json`)).body.audits as { events: { type: string }[] }[];
    expect(audits.flatMap((a) => a.events).filter((e) => e.type === 'SatisfactionRating')).toHaveLength(1);
  });

  it('refuses a forged link and a link moved to another ticket', async () => {
    const u = new URL(local(link));
    const [id, issued, mac] = u.pathname.split('/').pop()!.split('.');
    const forged = `${origin}/satisfaction/${id}.${issued}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}?score=bad`;
    const moved = `${origin}/satisfaction/${other.id}.${issued}.${mac}?score=bad`;
    for (const bad of [forged, moved, `${origin}/satisfaction/not-a-token?score=good`]) {
      const r = await fetch(bad);
      expect(r.status).toBe(404);
      expect(await r.text()).toContain('This rating link cannot be used');
      const post = await fetch(bad, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'score=bad&comment=forged' });
      expect(post.status).toBe(404);
    }
    // The other ticket's own link still works, and nothing was rated on it by the moved link.
    expect((await fetch(local(other.link))).status).toBe(200);
    expect((await sys.api(`/tickets/${other.id}.json`)).body.ticket.satisfaction_rating.score).toBe('offered');
  });
});

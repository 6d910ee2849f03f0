import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTransport } from 'nodemailer';
import { verifyWebhookSignature } from '@mailroom/notifier-domain';
import { eventually } from '@mailroom/testing';
import { startSystem, type System } from '../support/system';

/**
 * Webhooks on the running services: an admin creates webhooks through `/api/v2/webhooks`, a trigger
 * with a `notification_webhook` action fires on a mail that arrives over SMTP, and a local receiver
 * gets the signed call. A receiver that fails for a while is retried and called once more after
 * it answers 2xx, never again; one that always fails ends as a failed outcome on the ticket's audit.
 */

interface Received {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('webhooks, end to end', () => {
  let sys: System;
  let receiver: Server;
  let base: string;
  const received: Received[] = [];
  const answers = new Map<string, number[]>();

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        received.push({ path, method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const queue = answers.get(path) ?? [];
        const status = queue.length > 1 ? queue.shift()! : (queue[0] ?? 200);
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    // Receivers live on loopback here: the SSRF guard must let them through, with short retries.
    sys = await startSystem({ env: { MAILROOM_WEBHOOK_ALLOW_PRIVATE: 'true', MAILROOM_WEBHOOK_RETRY_DELAYS_MS: '200,400,600', MAILROOM_WEBHOOK_TIMEOUT_MS: '3000' } });
  });
  afterAll(async () => {
    await sys?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const createWebhook = async (name: string, path: string, extra: Record<string, unknown> = {}) => {
    const r = await sys.api('/webhooks', { method: 'POST', body: { webhook: { name, endpoint: `${base}${path}`, http_method: 'POST', request_format: 'json', status: 'active', subscriptions: ['conditional_ticket_events'], ...extra } } });
    expect(r.status).toBe(201);
    return r.body.webhook as { id: string; name: string };
  };

  /** Through the triggers API, which checks the action with the engine's own handler. */
  const createTrigger = async (title: string, word: string, webhookId: string, body: string) => {
    const trigger = {
      title,
      active: true,
      conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }, { field: 'subject_includes_word', operator: 'includes', value: word }], any: [] },
      actions: [{ field: 'notification_webhook', value: [webhookId, body] }],
    };
    const r = await sys.api('/triggers', { method: 'POST', body: { trigger } });
    expect(r.status).toBe(201);
  };

  const sendMail = async (subject: string, text: string) => {
    const r = await createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({ from: 'Jane Customer <jane@customer.test>', to: 'support@mailroom.test', subject, text });
    expect(r.response).toMatch(/^250/);
  };
  const ticketWithSubject = (subject: string) =>
    eventually(async () => (await sys.api('/tickets.json')).body.tickets.find((t: { subject: string }) => t.subject === subject) as { id: number } | undefined, `the ticket "${subject}"`);
  const webhookOutcome = (ticketId: number) =>
    eventually(
      async () => {
        const audits = (await sys.api(`/tickets/${ticketId}/audits.json`)).body.audits as { events: { type: string }[] }[];
        return audits.flatMap((a) => a.events).find((e) => e.type === 'WebhookDelivery') as Record<string, unknown> | undefined;
      },
      `the webhook outcome on ticket ${ticketId}`,
      30000,
      200,
    );
  const callsTo = (path: string) => received.filter((r) => r.path === path);

  it('manages webhooks in Zendesk shape, admins only, credentials never shown', async () => {
    const w = await createWebhook('CRM', '/crm', { authentication: { type: 'bearer_token', add_position: 'header', data: { token: 'crm-token' } } });
    expect(w).toMatchObject({ id: expect.stringMatching(/^[0-9A-Z]{26}$/), name: 'CRM', status: 'active', endpoint: `${base}/crm`, http_method: 'POST', request_format: 'json', subscriptions: ['conditional_ticket_events'], authentication: { type: 'bearer_token', add_position: 'header' } });
    expect(JSON.stringify(w)).not.toContain('crm-token');
    expect((await sys.api(`/webhooks/${w.id}`)).body.webhook).toEqual(w);
    expect((await sys.api('/webhooks')).body).toMatchObject({ webhooks: [w], meta: { has_more: false } });
    expect((await sys.api(`/webhooks/${w.id}`, { method: 'PATCH', body: { webhook: { status: 'inactive' } } })).status).toBe(204);
    expect((await sys.api(`/webhooks/${w.id}`)).body.webhook.status).toBe('inactive');
    expect((await sys.api('/webhooks', { method: 'POST', body: { webhook: { name: 'x', endpoint: 'ftp://example.test/' } } })).status).toBe(422);
    const secret = (await sys.api(`/webhooks/${w.id}/signing_secret`)).body.signing_secret;
    expect(secret).toEqual({ algorithm: 'SHA256', secret: expect.any(String) });
    const reset = await sys.api(`/webhooks/${w.id}/signing_secret`, { method: 'POST' });
    expect(reset.status).toBe(201);
    expect(reset.body.signing_secret.secret).not.toBe(secret.secret);
    expect((await sys.api('/webhooks', { auth: null })).status).toBe(401);
    expect((await sys.api(`/webhooks/${w.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await sys.api(`/webhooks/${w.id}`)).status).toBe(404);
    const events = await sys.database.db.query<{ type: string; data: unknown }>(`SELECT type, data FROM mailroom_events.messages WHERE stream_id = $1 ORDER BY stream_version`, [`webhook-${w.id}`]);
    expect(events.map((e) => e.type)).toEqual(['webhook.created', 'webhook.updated', 'webhook.signing_secret_reset', 'webhook.deleted']);
    expect(JSON.stringify(events)).not.toContain('crm-token');
  });

  it('a trigger calls the webhook once, signed, with customer text as JSON data; the audit says delivered', async () => {
    const w = await createWebhook('Orders', '/orders', { authentication: { type: 'bearer_token', add_position: 'header', data: { token: 'orders-token' } } });
    await createTrigger('Tell the order system', 'hookok', w.id, '{"ticket_id": {{ticket.id}}, "subject": "{{ticket.title}}", "comment": "{{ticket.latest_comment}}", "from": "{{ticket.requester.email}}"}');
    const subject = 'hookok "quoted" \\ subject';
    await sendMail(subject, 'Line one\n"}, "admin": true, "x": "\nLine three');
    const ticket = await ticketWithSubject(subject);
    const outcome = await webhookOutcome(ticket.id);
    expect(outcome).toMatchObject({ status: 'delivered', status_code: 200, attempts: 1, webhook_id: w.id, endpoint: `${base}/orders` });

    const calls = callsTo('/orders');
    expect(calls).toHaveLength(1);
    const call = calls[0];
    expect(call.method).toBe('POST');
    expect(call.headers['content-type']).toMatch(/^application\/json/);
    expect(call.headers['user-agent']).toBe('Zendesk Webhook');
    expect(call.headers['authorization']).toBe('Bearer orders-token');
    expect(call.headers['x-zendesk-webhook-id']).toBe(w.id);
    const { secret } = (await sys.api(`/webhooks/${w.id}/signing_secret`)).body.signing_secret;
    const signature = String(call.headers['x-zendesk-webhook-signature']);
    const timestamp = String(call.headers['x-zendesk-webhook-signature-timestamp']);
    expect(verifyWebhookSignature(secret, timestamp, call.body, signature)).toBe(true);
    expect(verifyWebhookSignature(secret, timestamp, call.body + ' ', signature)).toBe(false);
    const payload = JSON.parse(call.body);
    expect(Object.keys(payload)).toEqual(['ticket_id', 'subject', 'comment', 'from']);
    expect(payload).toMatchObject({ ticket_id: ticket.id, subject, from: 'jane@customer.test' });
    expect(payload.comment).toContain('"}, "admin": true, "x": "');

    const audits = (await sys.api(`/tickets/${ticket.id}/audits.json`)).body.audits as { events: Record<string, unknown>[] }[];
    const requested = audits.flatMap((a) => a.events).find((e) => e.type === 'External');
    expect(requested).toMatchObject({ resource: 'webhook', webhook_id: w.id, via: { source: { from: { title: 'Tell the order system' } } } });
    // Nothing more arrives later: the delivered call is not made again.
    await new Promise((r) => setTimeout(r, 1500));
    expect(callsTo('/orders')).toHaveLength(1);
  });

  it('a receiver that answers 500 twice is retried and delivered on the third call, once', async () => {
    answers.set('/flaky', [500, 500, 200]);
    const w = await createWebhook('Flaky', '/flaky');
    await createTrigger('Tell the flaky system', 'hookflaky', w.id, '{"id": "{{ticket.id}}"}');
    await sendMail('hookflaky please', 'Hello.');
    const ticket = await ticketWithSubject('hookflaky please');
    const outcome = await webhookOutcome(ticket.id);
    expect(outcome).toMatchObject({ status: 'delivered', status_code: 200, attempts: 3 });
    await new Promise((r) => setTimeout(r, 1500));
    const calls = callsTo('/flaky');
    expect(calls).toHaveLength(3);
    // Every attempt is signed afresh and carries the same invocation id.
    expect(new Set(calls.map((c) => c.headers['x-zendesk-webhook-invocation-id'])).size).toBe(1);
    const deliveries = (await sys.api(`/tickets/${ticket.id}/audits.json`)).body.audits.flatMap((a: { events: { type: string }[] }) => a.events).filter((e: { type: string }) => e.type === 'WebhookDelivery');
    expect(deliveries).toHaveLength(1);
  });

  it('a receiver that always fails ends as a failed outcome with its status code on the audit', async () => {
    answers.set('/down', [503]);
    const w = await createWebhook('Down', '/down');
    await createTrigger('Tell the system that is down', 'hookdown', w.id, '{"id": "{{ticket.id}}"}');
    await sendMail('hookdown please', 'Hello.');
    const ticket = await ticketWithSubject('hookdown please');
    const outcome = await webhookOutcome(ticket.id);
    expect(outcome).toMatchObject({ status: 'failed', status_code: 503, attempts: 4, error: expect.stringMatching(/HTTP 503/) });
    expect(callsTo('/down')).toHaveLength(4);
  });

  it('a body template that does not render fails the call without calling, with the reason on the audit', async () => {
    const w = await createWebhook('Broken', '/broken');
    await createTrigger('Broken body', 'hookbroken', w.id, '{"subject": {{ticket.title}}}');
    await sendMail('hookbroken please', 'Hello.');
    const ticket = await ticketWithSubject('hookbroken please');
    const outcome = await webhookOutcome(ticket.id);
    expect(outcome).toMatchObject({ status: 'failed', status_code: null, attempts: 0, error: expect.stringMatching(/not valid JSON/) });
    expect(callsTo('/broken')).toHaveLength(0);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Message, WebhookRequestedV1 } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import type { NotificationView } from '@mailroom/notifier-domain';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { isBlockedAddress } from './target-guard';
import { queueWebhookCall } from './webhook-calls';
import { WebhookSender } from './webhook-sender';
import { Webhooks } from './webhooks-store';

/**
 * The webhook sender on a real database against a loopback receiver: with private targets not
 * allowed (the production default) loopback endpoints — by address or by a name that resolves
 * there — are refused without a connection; a redelivered request is queued once and called once.
 */
describe('webhook calls', () => {
  let t: TestDatabase;
  let receiver: Server;
  let port: number;
  let hits = 0;
  const store = new EventStore();
  const webhooks = new Webhooks(store);
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;
  const admin = { userId: 1, role: 'admin' as const };
  let ticketId = 500;

  beforeAll(async () => {
    t = await createTestDatabase();
    receiver = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t?.drop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const webhookTo = async (endpoint: string): Promise<string> => {
    const r = await t.db.transaction((tx) => webhooks.create(tx, { name: `hook ${endpoint}`, endpoint }, admin, new Date().toISOString()));
    if (!r.ok) throw new Error(JSON.stringify(r.refusal));
    return r.webhook.id;
  };
  const jane = { id: 7, name: 'Jane Customer', email: 'jane@customer.test', role: 'end_user' as const };
  const viewOf = ({ id }: { id: number }): NotificationView => ({
    ticket: { id, encodedId: 'ABC123-XY9Z', subject: 'Hello', status: 'new', priority: null, type: null, tags: [], recipient: 'support@acme.test', createdAt: '2026-03-01T09:00:00Z', updatedAt: '2026-03-01T09:00:00Z', via: 'Mail', groupName: null, requester: jane, assignee: null, ccs: [], comments: [] },
    account: { name: 'Acme', baseUrl: 'https://help.acme.test' },
    currentUser: null,
  });
  const request = (webhookId: string): { req: WebhookRequestedV1; m: Message } => {
    const req: WebhookRequestedV1 = { ticketId: ++ticketId, requestId: randomUUID(), webhookId, rule: { kind: 'trigger', id: 't1', title: 'T1' }, body: '{"id": {{ticket.id}}}' };
    const m = { id: randomUUID(), kind: 'event', type: 'ticket.webhook_requested', schemaVersion: 1, streamId: `ticket-${req.ticketId}`, streamVersion: 3, globalPosition: '0', data: req, metadata: { occurredAt: new Date(Date.now() - 1000).toISOString() } } as Message;
    return { req, m };
  };
  const call = async (requestId: string) =>
    (await t.db.query<{ status: string; attempts: number; last_error: string | null; last_status_code: number | null }>(`SELECT status, attempts, last_error, last_status_code FROM notifier.webhook_calls WHERE request_id = $1`, [requestId]))[0];
  const records = async (requestId: string) =>
    (await t.db.query<{ data: { calls: { requestId: string; outcome: { status: string; error?: string } }[] } }>(`SELECT data FROM mailroom_events.messages WHERE type = 'ticket.record_webhook_deliveries'`)).flatMap((r) => r.data.calls.filter((c) => c.requestId === requestId));

  it('knows which addresses are not public', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00:ec2::254', 'fe80::1', '::ffff:127.0.0.1', 'not-an-ip']) expect([a, isBlockedAddress(a)]).toEqual([a, true]);
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) expect([a, isBlockedAddress(a)]).toEqual([a, false]);
  });

  it.each([['an address', '127.0.0.1'], ['a name that resolves to loopback', 'localhost']])('refuses a loopback endpoint given as %s unless private targets are allowed', async (_what, host) => {
    const id = await webhookTo(`http://${host}:${port}/hook`);
    const { req, m } = request(id);
    await t.db.transaction((tx) => queueWebhookCall(store, tx, viewOf({ id: req.ticketId }), req, m));
    const before = hits;
    await new WebhookSender({ db: t.db, store, log, allowPrivateTargets: false, retry: { delaysMs: [10], maxRetryAfterMs: 0 } }).runOnce();
    expect(hits).toBe(before);
    expect(await call(req.requestId)).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringMatching(/^blocked: .*not a public address/) });
    expect(await records(req.requestId)).toEqual([expect.objectContaining({ outcome: expect.objectContaining({ status: 'failed' }) })]);
  });

  it('a redelivered request is queued once and called once; the outcome is recorded once', async () => {
    const id = await webhookTo(`http://127.0.0.1:${port}/hook`);
    const { req, m } = request(id);
    expect(await t.db.transaction((tx) => queueWebhookCall(store, tx, viewOf({ id: req.ticketId }), req, m))).toBe(true);
    expect(await t.db.transaction((tx) => queueWebhookCall(store, tx, viewOf({ id: req.ticketId }), req, m))).toBe(false);
    const sender = new WebhookSender({ db: t.db, store, log, allowPrivateTargets: true });
    const before = hits;
    await sender.runOnce();
    await sender.runOnce();
    expect(hits).toBe(before + 1);
    expect(await call(req.requestId)).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
    expect(await records(req.requestId)).toHaveLength(1);
  });

  it('an inactive webhook is not called: the request fails at once with the reason', async () => {
    const id = await webhookTo(`http://127.0.0.1:${port}/off`);
    await t.db.transaction((tx) => webhooks.update(tx, id, { status: 'inactive' }, admin, new Date().toISOString()));
    const { req, m } = request(id);
    expect(await t.db.transaction((tx) => queueWebhookCall(store, tx, viewOf({ id: req.ticketId }), req, m))).toBe(false);
    expect(await call(req.requestId)).toMatchObject({ status: 'failed', attempts: 0, last_error: expect.stringMatching(/inactive/) });
    expect(await records(req.requestId)).toHaveLength(1);
  });
});

import { randomUUID } from 'node:crypto';
import type { ApplyRuleActionsV1, CreateTicketV1, RecordDeliveriesV1, Via } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { Users } from '../users/users';
import { TicketCommands } from './ticket-commands';

const mail: Via = { channel: 'email', source: { from: { address: 'jane@customer.test', name: 'Jane' }, to: { address: 'support@mailroom.test' }, rel: null } };
const at = '2026-12-01T09:00:00.000Z';

/**
 * `ticket.record_deliveries` on the real ticket service and PostgreSQL (issue 8): the notifier's
 * sender records a pass's outcomes for a ticket with one command. It becomes one update whose
 * every outcome is on the audit of the update that asked for the notification, and each outcome
 * is applied once, however often or in whatever batches it arrives.
 */
describe('recording a batch of delivery outcomes', () => {
  let t: TestDatabase;
  let commands: TicketCommands;
  const store = new EventStore();
  let seq = 0;

  beforeAll(async () => {
    t = await createTestDatabase();
    commands = new TicketCommands(t.db, store, new Users(store));
  });
  afterAll(async () => t?.drop());

  /** A new ticket whose triggers asked for the acknowledgement (to Jane) and "Notify all agents" (to three agents). */
  const ticketWithNotifications = async () => {
    const key = `create-${++seq}`;
    const c: CreateTicketV1 = {
      creationKey: key,
      subject: 'Printer on fire',
      requester: { email: 'jane@customer.test', name: 'Jane' },
      recipient: 'support@mailroom.test',
      comment: { body: 'It is on fire.', htmlBody: '<p>It is on fire.</p>', public: true, attachments: [] },
      ccs: [],
      via: mail,
      mail: null,
    };
    const created = (await commands.inTransaction((tx) => commands.createTicket(tx, c, { causationId: key })))!;
    const ack = `ack-${seq}`;
    const agents = `agents-${seq}`;
    const rules: ApplyRuleActionsV1 = {
      ticketId: created.ticketId,
      updateId: created.updateId!,
      basedOnVersion: created.events[created.events.length - 1].streamVersion,
      changes: {},
      fired: [
        { kind: 'trigger', id: '1', title: 'Notify requester of received request', actions: [], notifications: [{ notificationId: ack, recipientIds: [1], suppressed: [], subject: 'Received', body: 'Thanks' }] },
        { kind: 'trigger', id: '2', title: 'Notify all agents of received request', actions: [], notifications: [{ notificationId: agents, recipientIds: [2, 3, 4], suppressed: [], subject: 'New', body: 'A ticket' }] },
      ],
    };
    await commands.inTransaction((tx) => commands.applyRuleActions(tx, rules, { causationId: `rules-${seq}` }));
    return { ticketId: created.ticketId, updateId: created.updateId!, ack, agents };
  };
  const delivered = (notificationId: string, to: string) => ({ notificationId, outcome: { status: 'delivered' as const, to: [to], messageId: `<${notificationId}.${to}>`, relayResponse: `250 2.0.0 queued for ${to}`, at } });
  const failed = (notificationId: string, to: string) => ({ notificationId, outcome: { status: 'failed' as const, to: [to], error: '550 5.1.1 no such user', permanent: true, at } });
  const record = (c: RecordDeliveriesV1, commandId: string) => commands.inTransaction((tx) => commands.recordDeliveries(tx, c, { causationId: commandId }));
  const deliveryEvents = async (ticketId: number) =>
    t.db.query<{ type: string; update_id: string; causation_id: string; to: string }>(
      `SELECT type, metadata->>'updateId' AS update_id, metadata->>'causationId' AS causation_id, data->'to'->>0 AS "to" FROM mailroom_events.messages
       WHERE stream_id = $1 AND type IN ('ticket.notification_delivered', 'ticket.notification_failed') ORDER BY stream_version`,
      [`ticket-${ticketId}`],
    );
  const onAudit = async (ticketId: number, updateId: string) => {
    const [audit] = await t.db.query<{ data: { events: Record<string, any>[] } }>(`SELECT data FROM ticket.audits WHERE ticket_id = $1 AND update_id = $2`, [ticketId, updateId]);
    return audit.data.events.filter((e) => e.type === 'NotificationDelivery');
  };

  it('a batch of outcomes for several notifications is one update, every delivery on the audit of the update that asked', async () => {
    const n = await ticketWithNotifications();
    const batch = [delivered(n.ack, 'jane@customer.test'), delivered(n.agents, 'avery@mailroom.test'), delivered(n.agents, 'blake@mailroom.test'), failed(n.agents, 'casey@mailroom.test')];
    const results = await record({ ticketId: n.ticketId, deliveries: batch }, 'batch-1');
    expect(results).toHaveLength(1);
    const events = await deliveryEvents(n.ticketId);
    expect(events.map((e) => [e.type, e.to])).toEqual([
      ['ticket.notification_delivered', 'jane@customer.test'],
      ['ticket.notification_delivered', 'avery@mailroom.test'],
      ['ticket.notification_delivered', 'blake@mailroom.test'],
      ['ticket.notification_failed', 'casey@mailroom.test'],
    ]);
    expect(new Set(events.map((e) => e.update_id)).size).toBe(1);
    expect(events.every((e) => e.causation_id === n.updateId)).toBe(true);
    // Each delivery names its recipient and what the relay answered (DESIGN §2.7).
    expect(await onAudit(n.ticketId, n.updateId)).toEqual([
      expect.objectContaining({ notification_id: n.ack, status: 'delivered', recipients: ['jane@customer.test'], relay_response: '250 2.0.0 queued for jane@customer.test' }),
      expect.objectContaining({ notification_id: n.agents, status: 'delivered', recipients: ['avery@mailroom.test'], relay_response: '250 2.0.0 queued for avery@mailroom.test' }),
      expect.objectContaining({ notification_id: n.agents, status: 'delivered', recipients: ['blake@mailroom.test'], relay_response: '250 2.0.0 queued for blake@mailroom.test' }),
      expect.objectContaining({ notification_id: n.agents, status: 'failed', recipients: ['casey@mailroom.test'], error: '550 5.1.1 no such user' }),
    ]);
  });

  it('a redelivered batch command has no second effect', async () => {
    const n = await ticketWithNotifications();
    const c = { ticketId: n.ticketId, deliveries: [delivered(n.ack, 'jane@customer.test'), delivered(n.agents, 'avery@mailroom.test')] };
    await record(c, 'batch-2');
    const again = await record(c, 'batch-2');
    expect(again.every((r) => r.events.length === 0)).toBe(true);
    expect(await deliveryEvents(n.ticketId)).toHaveLength(2);
  });

  it('a crash between sending and recording never duplicates: the resent pass and a record still in flight add only what is new', async () => {
    const n = await ticketWithNotifications();
    // The first pass committed its record for two mails; the pass after a crash re-sent one of them
    // with a third, and a single `record_delivery` from before batches is still in the broker.
    await record({ ticketId: n.ticketId, deliveries: [delivered(n.ack, 'jane@customer.test'), delivered(n.agents, 'avery@mailroom.test')] }, 'pass-1');
    await record({ ticketId: n.ticketId, deliveries: [delivered(n.agents, 'avery@mailroom.test'), delivered(n.agents, 'blake@mailroom.test')] }, 'pass-2');
    await commands.inTransaction((tx) => commands.recordDelivery(tx, { ticketId: n.ticketId, ...delivered(n.ack, 'jane@customer.test') }, { causationId: 'old-single' }));
    // The same outcome twice in one batch counts once too.
    await record({ ticketId: n.ticketId, deliveries: [delivered(n.agents, 'drew@mailroom.test'), delivered(n.agents, 'drew@mailroom.test')] }, 'pass-3');
    expect((await deliveryEvents(n.ticketId)).map((e) => e.to)).toEqual(['jane@customer.test', 'avery@mailroom.test', 'blake@mailroom.test', 'drew@mailroom.test']);
  });

  it('webhook calls that ended in one pass are one update; a repeated record adds nothing', async () => {
    const n = await ticketWithNotifications();
    const [{ version }] = await t.db.query<{ version: string }>(`SELECT max(stream_version) AS version FROM mailroom_events.messages WHERE stream_id = $1`, [`ticket-${n.ticketId}`]);
    const calls = ['wh-a', 'wh-b'].map((id) => `${id}-${seq}`);
    const updateId = randomUUID();
    await commands.inTransaction((tx) =>
      commands.applyRuleActions(
        tx,
        { ticketId: n.ticketId, updateId, basedOnVersion: Number(version), changes: {}, fired: [{ kind: 'trigger', id: '9', title: 'Tell Slack', actions: [], notifications: [], webhooks: calls.map((requestId) => ({ requestId, webhookId: 'w1', body: '{}' })) }] },
        { causationId: `rules-wh-${seq}` },
      ),
    );
    const c = {
      ticketId: n.ticketId,
      calls: [
        { requestId: calls[0], webhookId: 'w1', endpoint: 'https://hooks.test/a', outcome: { status: 'delivered' as const, statusCode: 200, attempts: 1, at } },
        { requestId: calls[1], webhookId: 'w1', endpoint: 'https://hooks.test/a', outcome: { status: 'failed' as const, statusCode: 410, error: 'HTTP 410', attempts: 1, at } },
      ],
    };
    await commands.inTransaction((tx) => commands.recordWebhookDeliveries(tx, c, { causationId: 'wh-batch' }));
    await commands.inTransaction((tx) => commands.recordWebhookDeliveries(tx, c, { causationId: 'wh-batch' }));
    const events = await t.db.query<{ type: string; update_id: string; causation_id: string }>(
      `SELECT type, metadata->>'updateId' AS update_id, metadata->>'causationId' AS causation_id FROM mailroom_events.messages WHERE stream_id = $1 AND type IN ('ticket.webhook_delivered', 'ticket.webhook_failed') ORDER BY stream_version`,
      [`ticket-${n.ticketId}`],
    );
    expect(events.map((e) => e.type)).toEqual(['ticket.webhook_delivered', 'ticket.webhook_failed']);
    expect(new Set(events.map((e) => e.update_id)).size).toBe(1);
    expect(events[0].causation_id).toBe(updateId);
  });

  it('outcomes of notifications asked in two updates go each on the audit of its own update', async () => {
    const first = await ticketWithNotifications();
    // A later rules update on the same ticket asked for another notification.
    const later = `later-${seq}`;
    const agentUpdate = randomUUID();
    const [{ version }] = await t.db.query<{ version: string }>(`SELECT max(stream_version) AS version FROM mailroom_events.messages WHERE stream_id = $1`, [`ticket-${first.ticketId}`]);
    await commands.inTransaction((tx) =>
      commands.applyRuleActions(
        tx,
        {
          ticketId: first.ticketId,
          updateId: agentUpdate,
          basedOnVersion: Number(version),
          changes: {},
          fired: [{ kind: 'trigger', id: '3', title: 'Notify requester of comment update', actions: [], notifications: [{ notificationId: later, recipientIds: [1], suppressed: [], subject: 'Re', body: 'Reply' }] }],
        },
        { causationId: 'rules-later' },
      ),
    );
    const results = await record({ ticketId: first.ticketId, deliveries: [delivered(first.ack, 'jane@customer.test'), delivered(later, 'jane@customer.test')] }, 'batch-4');
    expect(results).toHaveLength(2);
    expect((await onAudit(first.ticketId, first.updateId)).map((e) => e.notification_id)).toEqual([first.ack]);
    expect((await deliveryEvents(first.ticketId)).map((e) => e.causation_id)).toEqual([first.updateId, agentUpdate]);
  });
});

import type { TicketEvent, Via } from '@mailroom/contracts';
import { mailedInTicket, NOW, replay, SYSTEM } from './test-fixtures';
import { decide, type TicketState } from './ticket';

const now = NOW;
const system = SYSTEM;
const viaRule: Via = { channel: 'rule', source: { from: { id: 't1', title: 'Tell the CRM' }, to: {}, rel: 'trigger' } };
const replayIn = (events: TicketEvent[], causationId: string | undefined, start: TicketState): TicketState => replay(events, start, { causationId });
const openTicket = (): TicketState => mailedInTicket(7);

describe('webhook requests on the ticket', () => {
  const fired = [{ kind: 'trigger' as const, id: 't1', title: 'Tell the CRM', actions: [{ field: 'notification_webhook', value: ['01HW', '{"id": {{ticket.id}}}'] }], notifications: [], webhooks: [{ requestId: 'req-1', webhookId: '01HW', body: '{"id": {{ticket.id}}}' }] }];

  it("a rule's notification_webhook becomes a webhook_requested event in the rules' update, once", () => {
    const state = openTicket();
    const d = decide({ type: 'ApplyRuleActions', now, actor: system, via: viaRule, updateId: 'u1', changes: {}, fired }, state);
    expect(d.ok && d.events.map((e) => e.type)).toEqual(['ticket.trigger_fired', 'ticket.webhook_requested']);
    expect(d.ok && d.events[1].data).toEqual({ ticketId: 7, requestId: 'req-1', webhookId: '01HW', rule: { kind: 'trigger', id: 't1', title: 'Tell the CRM' }, body: '{"id": {{ticket.id}}}' });
    const after = replayIn(d.ok ? d.events : [], 'u1', state);
    const again = decide({ type: 'ApplyRuleActions', now, actor: system, via: viaRule, updateId: 'u1', changes: {}, fired }, after);
    expect(again).toEqual({ ok: true, events: [] });
  });

  it('records one outcome per request, with its status code; a repeated record adds nothing', () => {
    const state = openTicket();
    const record = { type: 'RecordWebhookDelivery' as const, now, actor: system, via: viaRule, requestId: 'req-1', webhookId: '01HW', endpoint: 'https://crm.test/hook' };
    const failed = decide({ ...record, outcome: { status: 'failed', statusCode: 503, error: 'HTTP 503', attempts: 4, at: now } }, state);
    expect(failed.ok && failed.events).toEqual([{ type: 'ticket.webhook_failed', data: { ticketId: 7, requestId: 'req-1', webhookId: '01HW', endpoint: 'https://crm.test/hook', statusCode: 503, error: 'HTTP 503', attempts: 4, failedAt: now } }]);
    const after = replayIn(failed.ok ? failed.events : [], undefined, state);
    expect(decide({ ...record, outcome: { status: 'delivered', statusCode: 200, attempts: 1, at: now } }, after)).toEqual({ ok: true, events: [] });
    const delivered = decide({ ...record, requestId: 'req-2', outcome: { status: 'delivered', statusCode: 204, attempts: 2, at: now } }, after);
    expect(delivered.ok && delivered.events[0]).toMatchObject({ type: 'ticket.webhook_delivered', data: { statusCode: 204, attempts: 2, deliveredAt: now } });
  });
});

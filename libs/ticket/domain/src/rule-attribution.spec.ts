import type { FiredRule, TicketEvent, Via } from '@mailroom/contracts';
import { mailedInTicket, NOW, SYSTEM } from './test-fixtures';
import { decide, type TicketState } from './ticket';

const now = NOW;
const system = SYSTEM;
const newTicket = (): TicketState => mailedInTicket(3, 'Refund please');

const rule = (id: string, actions: FiredRule['actions']): FiredRule => ({ kind: 'trigger', id, title: `Trigger ${id}`, actions, notifications: [] });

describe('field changes of a rules update name the rule that made them', () => {
  const fired = [
    rule('ack', [{ field: 'notification_user', value: ['requester_and_ccs', 'Hi', 'Got it'] }]),
    rule('refunds', [
      { field: 'priority', value: 'high' },
      { field: 'current_tags', value: 'refund' },
    ]),
    rule('urgent-words', [{ field: 'priority', value: 'urgent' }]),
  ];
  const via: Via = { channel: 'rule', source: { from: { id: 'ack', title: 'Trigger ack' }, to: {}, rel: 'trigger' } };
  const decided = decide({ type: 'ApplyRuleActions', now, actor: system, via, updateId: 'u1', changes: { priority: 'urgent', addTags: ['refund'] }, fired }, newTicket());
  const events: TicketEvent[] = decided.ok ? decided.events : [];
  const ruleOf = (type: TicketEvent['type']) => (events.find((e) => e.type === type)?.data as { rule?: unknown } | undefined)?.rule;

  it('the last rule to set a field made the change, not the first rule that fired', () => {
    expect(ruleOf('ticket.priority_changed')).toEqual({ kind: 'trigger', id: 'urgent-words', title: 'Trigger urgent-words' });
    expect(ruleOf('ticket.tags_changed')).toEqual({ kind: 'trigger', id: 'refunds', title: 'Trigger refunds' });
  });

  it('a change the system rules made on their own names no rule', () => {
    const d = decide(
      { type: 'ApplyRuleActions', now, actor: system, via, updateId: 'u2', changes: { assigneeId: 5 }, fired: [rule('assign', [{ field: 'assignee_id', value: '5' }])] },
      newTicket(),
    );
    const list: TicketEvent[] = d.ok ? d.events : [];
    expect((list.find((e) => e.type === 'ticket.assignee_changed')?.data as { rule?: { id: string } }).rule?.id).toBe('assign');
    const status = list.find((e) => e.type === 'ticket.status_changed');
    expect(status).toBeDefined(); // assigning a new ticket opens it (system rule)
    expect((status!.data as { rule?: unknown }).rule).toBeUndefined();
  });
});

import type { FiredRule, TicketEvent, Via } from '@mailroom/contracts';
import { withoutSupersededChanges, type RuleFieldChanges } from './superseded-rule-changes';
import { mailedInTicket, NOW, SYSTEM } from './test-fixtures';
import { decide } from './ticket';

const T = 3;
const field = (type: 'status' | 'priority' | 'type' | 'group' | 'assignee', from: unknown, to: unknown): TicketEvent =>
  ({ type: `ticket.${type}_changed`, data: { ticketId: T, from, to } }) as TicketEvent;
const tags = (added: string[], removed: string[]): TicketEvent => ({ type: 'ticket.tags_changed', data: { ticketId: T, added, removed, tags: added } });
const ccs = (added: number[], removed: number[]): TicketEvent => ({ type: 'ticket.ccs_changed', data: { ticketId: T, added, removed, ccIds: added } });
const comment: TicketEvent = {
  type: 'ticket.comment_added',
  data: { ticketId: T, commentId: 9, authorId: 7, body: 'More', htmlBody: '<p>More</p>', public: true, attachments: [] },
} as unknown as TicketEvent;

describe('rule changes against the updates made after the rules looked', () => {
  const all: RuleFieldChanges = { status: 'pending', priority: 'high', type: 'incident', groupId: 4, assigneeId: 5, addTags: ['vip', 'refund'], removeTags: ['new'], addCcIds: [8, 9] };

  it('nothing happened since: every change stands', () => {
    expect(withoutSupersededChanges(all, [])).toEqual({ changes: all, superseded: [] });
  });

  it.each([
    ['status', field('status', 'open', 'solved'), 'status', ['status']],
    ['priority', field('priority', null, 'low'), 'priority', ['priority']],
    ['type', field('type', null, 'question'), 'type', ['type', 'ticket_type_id']],
    ['group', field('group', null, 2), 'groupId', ['group_id']],
    ['assignee', field('assignee', null, 6), 'assigneeId', ['assignee_id']],
  ] as const)('a later %s change keeps its value; the other changes stand', (_name, event, key, fields) => {
    const kept = withoutSupersededChanges({ ...all }, [comment, event]);
    expect(kept.changes).not.toHaveProperty(key);
    expect(kept.superseded).toEqual(fields);
    const rest = { ...all } as Record<string, unknown>;
    delete rest[key];
    expect(kept.changes).toEqual(rest);
  });

  it('a tag removed since is not added back, a tag added since is not removed, other tags still change', () => {
    const kept = withoutSupersededChanges({ addTags: ['vip', 'refund'], removeTags: ['new', 'spam'] }, [tags(['spam'], ['vip'])]);
    expect(kept.changes).toEqual({ addTags: ['refund'], removeTags: ['new'] });
    expect(kept.superseded).toEqual(['current_tags', 'set_tags', 'remove_tags']);
  });

  it('a later tag change that touches none of the rules\' tags supersedes nothing', () => {
    expect(withoutSupersededChanges({ addTags: ['vip'] }, [tags(['billing'], ['other'])])).toEqual({ changes: { addTags: ['vip'] }, superseded: [] });
  });

  it('a CC removed since is not added back', () => {
    expect(withoutSupersededChanges({ addCcIds: [8, 9] }, [ccs([], [8])])).toEqual({ changes: { addCcIds: [9] }, superseded: ['cc'] });
    expect(withoutSupersededChanges({ addCcIds: [8] }, [ccs([], [8])])).toEqual({ changes: {}, superseded: ['cc'] });
  });

  it('a later change of a field the rules leave alone supersedes nothing', () => {
    expect(withoutSupersededChanges({ priority: 'urgent' }, [field('group', null, 2), comment])).toEqual({ changes: { priority: 'urgent' }, superseded: [] });
  });
});

describe('ApplyRuleActions after a later update', () => {
  const via: Via = { channel: 'rule', source: { from: { id: 'route', title: 'Route billing' }, to: {}, rel: 'trigger' } };
  const fired: FiredRule[] = [
    {
      kind: 'trigger',
      id: 'route',
      title: 'Route billing',
      actions: [
        { field: 'group_id', value: '4' },
        { field: 'current_tags', value: 'billing' },
      ],
      notifications: [],
    },
    { kind: 'trigger', id: 'prio', title: 'Urgent words', actions: [{ field: 'priority', value: 'urgent' }], notifications: [] },
  ];

  it('keeps the group the agent chose, still tags and prioritises, and says on the trigger what it did not change', () => {
    const ticket = { ...mailedInTicket(T, 'Invoice'), groupId: 2 };
    const d = decide(
      { type: 'ApplyRuleActions', now: NOW, actor: SYSTEM, via, updateId: 'u1', changes: { groupId: 4, addTags: ['billing'], priority: 'urgent' }, fired, later: [field('group', null, 2)] },
      ticket,
    );
    if (!d.ok) throw new Error(d.error.message);
    expect(d.events.map((e) => e.type)).toEqual(['ticket.trigger_fired', 'ticket.trigger_fired', 'ticket.priority_changed', 'ticket.tags_changed']);
    expect(d.events[0].data).toMatchObject({ triggerId: 'route', superseded: ['group_id'] });
    expect(d.events[1].data).not.toHaveProperty('superseded');
  });
});

/**
 * Test support: random rule sets, tickets and updates for the trigger engines' equivalence specs.
 * Every condition field and operator, every action the engine knows, values from small pools so
 * that triggers match and set off one another. Deterministic per seed.
 */
import type { Via } from '@mailroom/contracts';
import type { EvaluateTriggersOptions, TriggerEvaluation } from '../src/evaluate-triggers/evaluate-triggers';
import type { Action, Condition, Directory, Person, RuleTicket, RuleUpdate, Schedule, Trigger } from '../src/model';
import { weeklyInterval } from '../src/schedules/business-hours';
import { standardTriggers } from '../src/standard-triggers/standard-triggers';

export const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const TYPES = ['question', 'incident', 'problem', 'task'];
const TAGS = ['vip', 'a', 'b', 'c', 'billing'];
const WORDS = ['refund', 'printer', 'fire', 'login', 'urgent'];
const ADDRESSES = ['help@support.test', 'sales@support.test'];
const CHANNELS: Via['channel'][] = ['web', 'email', 'api', 'rule', 'closed_ticket', 'system'];
const CUSTOM_IDS = ['100', '200'];

export const people: Person[] = [
  { id: 1, name: 'Alice', email: 'alice@customer.test', role: 'end_user', locale: 'fr-FR', localeId: 16, timeZone: 'Europe/Paris' },
  { id: 2, name: 'Carol', email: 'carol@customer.test', role: 'end_user', locale: 'en-US', localeId: 1 },
  { id: 3, name: 'Dave', email: null, role: 'end_user' },
  { id: 10, name: 'Smith', email: 'smith@support.test', role: 'agent', groupIds: [1], defaultGroupId: 1 },
  { id: 11, name: 'Jones', email: 'jones@support.test', role: 'agent', groupIds: [1, 2] },
  { id: 12, name: 'Ada', email: 'ada@support.test', role: 'admin', groupIds: [2], defaultGroupId: 2 },
  { id: 13, name: 'Quiet', email: null, role: 'agent', groupIds: [1] },
];
export const directory: Directory = {
  person: (id) => people.find((p) => p.id === id),
  agents: () => people.filter((p) => p.role !== 'end_user'),
  groupMembers: (g) => (g === 1 || g === 2 ? people.filter((p) => p.role !== 'end_user' && p.groupIds?.includes(g)) : undefined),
};
export const schedules: Schedule[] = [
  { id: 1, time_zone: 'Europe/Paris', intervals: [1, 2, 3, 4, 5].map((d) => weeklyInterval(d, '09:00', '18:00')), holidays: [{ start_date: '2026-12-25', end_date: '2026-12-26' }] },
  { id: 2, time_zone: 'America/New_York', intervals: [1, 2, 3, 4, 5].map((d) => weeklyInterval(d, '08:00', '20:00')), holidays: [] },
];

export const generator = (seed: number, extraActions: Action[] = []) => {
  const rand = mulberry32(seed);
  const chance = (p: number) => rand() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const some = <T>(xs: readonly T[], p: number): T[] => xs.filter(() => chance(p));
  const userId = () => pick([1, 2, 3, 10, 11, 12, 13, 99]);

  const FIELD_OPS = ['is', 'is_not', 'value', 'value_previous', 'not_value', 'not_value_previous', 'changed', 'not_changed', 'less_than', 'greater_than', 'bogus'];
  const c = (field: string, operator: string, value?: unknown): Condition => (value === undefined ? { field, operator } : { field, operator, value });
  const customValue = () => pick(['hardware', 'Software', '', 'true', 'false', 5, '12', '2026-11-30', '2026-01-01', 'current_user', 'requester_id', true, null]);

  /** One condition from every field the engine understands (and a few it does not). */
  const condition = (): Condition => {
    const kind = Math.floor(rand() * 27);
    switch (kind) {
      case 0: return c('status', pick(FIELD_OPS), pick([...STATUSES, '', 'Open', 'bogus']));
      case 1: return c('priority', pick(FIELD_OPS), pick([...PRIORITIES, '', 'High']));
      case 2: return c('type', pick(FIELD_OPS), pick([...TYPES, '']));
      case 3: return c('group_id', pick(FIELD_OPS), pick(['', '1', '2', 3, 'current_user']));
      case 4: return c('assignee_id', pick(FIELD_OPS), pick(['', '10', 11, 'current_user', 'requester_id']));
      case 5: return c('requester_id', pick(['is', 'is_not', 'changed']), pick(['1', 2, 'current_user', '']));
      case 6: return c('organization_id', pick(['is', 'is_not', 'not_changed']), pick(['', '7', 8]));
      case 7: return c('satisfaction_score', pick(FIELD_OPS), pick(['unoffered', 'offered', 'good', 'bad', 'bad_with_comment', true, 'false']));
      case 8: return c('schedule_id', pick(FIELD_OPS), pick(['', '1', 2, 99]));
      case 9: return c(`custom_fields_${pick(CUSTOM_IDS)}`, pick(FIELD_OPS), customValue());
      case 10: return c('update_type', pick(['is', 'is_not', 'includes']), pick(['Create', 'Change', 'created', 'Updated', 'bogus']));
      case 11: return c('comment_is_public', pick(['is', 'is_not']), pick(['true', 'false', 'not_relevant', 'requester_can_see_comment', true, 'x']));
      case 12: return c('ticket_is_public', pick(['is', 'is_not']), pick(['public', 'private', 'true', false]));
      case 13: return c('role', pick(['is', 'is_not']), pick(['end_user', 'agent', 'Admin', '10', 1, 'x']));
      case 14: return c('recipient', pick(['is', 'is_not']), pick([...ADDRESSES, 'HELP@support.test', '', 5]));
      case 15: return c('via_id', pick(['is', 'is_not']), pick([0, 4, '5', 'email', 'web_form', 'x']));
      case 16: return c('current_via_id', pick(['is', 'is_not']), pick([0, 4, 5, '8', 'api', 'x']));
      case 17: return c('current_tags', pick(['includes', 'not_includes', 'includes', 'is']), pick([pick(TAGS), `${pick(TAGS)} ${pick(TAGS)}`, [pick(TAGS), 'VIP'], '']));
      case 18: return c('subject_includes_word', pick(['includes', 'not_includes', 'is', 'is_not']), pick([pick(WORDS), `${pick(WORDS)} "${pick(WORDS)} ${pick(WORDS)}"`, 'on fire', '', [pick(WORDS)]]));
      case 19: return c('comment_includes_word', pick(['includes', 'not_includes', 'is', 'is_not', 'x']), pick([pick(WORDS), `"${pick(WORDS)} ${pick(WORDS)}"`, 'Printer', '']));
      case 20: return c(pick(['reopens', 'replies']), pick(['is', 'is_not', 'less_than', 'greater_than', 'x']), pick([0, 1, '2', 'x']));
      case 21: return c('requester_role', pick(['is', 'is_not']), pick(['end_user', 'agent', 'admin', 'x']));
      case 22: return c('locale_id', pick(['is', 'is_not']), pick(['fr', 'en-US', 1, '16', 'x y']));
      case 23: return c('requester_time_zone', pick(['is', 'is_not']), pick(['Europe/Paris', 'UTC', 5]));
      case 24: return c('in_business_hours', pick(['is', 'is_not']), pick(['true', 'false', true, 'x']));
      case 25: return c('within_schedule', pick(['is', 'is_not']), pick(['1', 2, 99]));
      default: return pick([c('no_such_field', 'is', 'x'), c('custom_fields_abc', 'is', 'x'), c('status', 'is', { odd: 1 })]);
    }
  };

  const action = (): Action => {
    const kind = Math.floor(rand() * 18);
    switch (kind) {
      case 0: return { field: 'status', value: pick([...STATUSES, 'bogus']) };
      case 1: return { field: 'priority', value: pick([...PRIORITIES, '']) };
      case 2: return { field: 'type', value: pick([...TYPES, '']) };
      case 3: return { field: 'group_id', value: pick(['', '1', 2, 3]) };
      case 4: return { field: 'assignee_id', value: pick(['', '10', 12, 'current_user', 'requester_id', 'x']) };
      case 5: return { field: 'current_tags', value: pick([pick(TAGS), `${pick(TAGS)} ${pick(TAGS)}`]) };
      case 6: return { field: 'set_tags', value: pick([pick(TAGS), `${pick(TAGS)} ${pick(TAGS)}`, '']) };
      case 7: return { field: 'remove_tags', value: pick(TAGS) };
      case 8: return { field: 'cc', value: pick(['2', 3, 'current_user', [10, '2'], 99]) };
      case 9: return { field: 'satisfaction_score', value: pick(['offered_to_requester', 'x']) };
      case 10: return { field: 'schedule_id', value: pick(['', 1, '2', 99]) };
      case 11: return { field: `custom_fields_${pick(CUSTOM_IDS)}`, value: customValue() };
      case 12:
      case 13: return { field: 'notification_user', value: [pick(['requester_id', 'requester_and_ccs', 'assignee_id', 'current_user', 'all_agents', '2', 'x']), 'Subject {{ticket.id}}', 'Body'] };
      case 14: return { field: 'notification_group', value: [pick(['group_id', '1', 2, 3, 'x']), 'Group subject', 'Body'] };
      case 15: return { field: 'notification_webhook', value: pick([['wh-1', '{"id": {{ticket.id}}}'], ['', 'x'], [7]]) };
      case 16: return pick([{ field: 'no_such_action', value: 1 }, { field: 'status', value: ['x'] }, ...extraActions]);
      default: return { field: 'current_tags', value: pick(TAGS) };
    }
  };

  const trigger = (i: number): Trigger => ({
    id: `r${i}`,
    title: `Rule ${i}`,
    active: chance(0.9),
    position: Math.floor(rand() * 20),
    category_id: pick([null, 'a', 'b', 'zz']),
    conditions: {
      all: Array.from({ length: Math.floor(rand() * 4) }, condition),
      any: Array.from({ length: pick([0, 0, 1, 2, 3]) }, condition),
    },
    actions: Array.from({ length: 1 + Math.floor(rand() * 3) }, action),
  });

  const ruleSet = (): Trigger[] => {
    const own = Array.from({ length: 2 + Math.floor(rand() * 40) }, (_, i) => trigger(i));
    return chance(0.3) ? [...standardTriggers(), ...own] : own;
  };

  const ticket = (): RuleTicket => ({
    id: 42,
    status: pick(['new', 'open', 'open', 'pending', 'hold', 'solved', 'closed']) as RuleTicket['status'],
    priority: pick([null, ...PRIORITIES]) as RuleTicket['priority'],
    type: pick([null, ...TYPES]) as RuleTicket['type'],
    groupId: pick([null, 1, 2]),
    assigneeId: pick([null, 10, 11, 12]),
    requesterId: pick([1, 2, 3]),
    organizationId: pick([null, 7, 8]),
    tags: some(TAGS, 0.3),
    ccIds: some([2, 3], 0.3),
    recipient: pick([null, ...ADDRESSES]),
    subject: `The ${pick(WORDS)} is on ${pick(WORDS)}`,
    hasPublicComments: chance(0.8),
    ...(chance(0.8) ? { via: pick(CHANNELS) } : {}),
    ...(chance(0.8) ? { reopens: Math.floor(rand() * 3), replies: Math.floor(rand() * 3) } : {}),
    ...(chance(0.7) ? { satisfactionScore: pick(['unoffered', 'offered', 'good', 'bad'] as const) } : {}),
    ...(chance(0.7) ? { customFields: Object.fromEntries(CUSTOM_IDS.filter(() => chance(0.6)).map((id) => [id, customValue() as string])) } : {}),
    ...(chance(0.6) ? { scheduleId: pick([null, 1, 2, 99]) } : {}),
  });

  /** An update: the `after` ticket differs from `before` in a few fields, or is a create. */
  const update = (n: number): RuleUpdate => {
    const isCreate = chance(0.3);
    const before = isCreate ? null : ticket();
    const after: RuleTicket = before ? { ...before } : { ...ticket(), status: pick(['new', 'open']) as RuleTicket['status'] };
    if (before) {
      if (chance(0.4)) after.status = pick(STATUSES) as RuleTicket['status'];
      if (chance(0.3)) after.priority = pick([null, ...PRIORITIES]) as RuleTicket['priority'];
      if (chance(0.3)) after.groupId = pick([null, 1, 2]);
      if (chance(0.3)) after.assigneeId = pick([null, 10, 11, 13]);
      if (chance(0.3)) after.tags = some(TAGS, 0.4);
      if (chance(0.2)) after.satisfactionScore = pick(['offered', 'good', 'bad_with_comment'] as const);
    }
    const role = pick(['end_user', 'agent', 'admin', 'system'] as const);
    const actorId = role === 'system' ? null : role === 'end_user' ? after.requesterId : pick([10, 11, 12]);
    const channel = pick(CHANNELS);
    const comment = chance(0.6) ? { authorId: actorId ?? 10, public: chance(0.7), body: `${pick(WORDS)} ${pick(WORDS)}, the printer` } : null;
    return {
      updateId: `u${n}`,
      isCreate,
      actor: { userId: actorId, role },
      via: { channel, source: { from: {}, to: {}, rel: null } },
      comment,
      mail: channel === 'email' ? { mailId: `m${n}`, messageId: `<m${n}@x>`, recipients: some(['alice@customer.test', 'carol@customer.test', 'help@support.test'], 0.5), supportAddress: 'help@support.test', ...(chance(0.1) ? { automated: 'auto-reply' } : {}) } : null,
      before,
      after,
      ...(chance(0.9) ? { occurredAt: new Date(Date.UTC(2026, 10, 20) + Math.floor(rand() * 40 * 86_400_000)).toISOString() } : {}),
    } as RuleUpdate;
  };

  const options = (): EvaluateTriggersOptions => ({
    ...(chance(0.8) ? { schedules } : {}),
    ...(chance(0.1) ? { maxPasses: 1 + Math.floor(rand() * 3) } : {}),
    ...(chance(0.1) ? { systemRules: false } : {}),
    ...(chance(0.2) ? { assignOnSolve: true } : {}),
    ...(chance(0.05) ? { now: new Date('2026-12-25T10:00:00Z') } : {}),
  });

  return { ruleSet, update, options, categoryOrder: () => pick([[], ['b', 'a'], ['a', 'b', 'c']]) };
};

/** Everything an evaluation returns, read out (the compiled engine's explanation is a getter). */
export const plain = (r: TriggerEvaluation) => ({
  fired: r.fired,
  changes: r.changes,
  ticket: r.ticket,
  explanation: r.explanation,
  passes: r.passes,
  capped: r.capped,
  systemRules: r.systemRules,
  webhooks: r.webhooks,
});


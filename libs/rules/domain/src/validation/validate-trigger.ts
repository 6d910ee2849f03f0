import { applyAction } from '../actions/apply-action';
import type { ActionContext } from '../actions/action-handler';
import type { RuleContext } from '../conditions/condition-handler';
import { evaluateCondition } from '../conditions/evaluate-conditions';
import { parseId, parseTags } from '../conditions/values';
import type { Action, Condition, Person, RuleTicket, RuleUpdate, Schedule, Trigger } from '../model';

/**
 * Checking a trigger an admin writes through the API, before it is stored. Conditions and actions
 * are judged by the very handlers the trigger cycle uses, run against a probe ticket on which
 * nothing is missing (it has an assignee, a group, a requester the rules know, …): whatever the
 * handler still reports as a problem is a problem of the condition or action as written (unknown
 * field, operator or value), never of a particular ticket. So the API refuses exactly what the
 * cycle could not evaluate, and a new condition field needs no second list here.
 */

export interface TriggerProblem {
  /** Where: `title`, `conditions.all[2]`, `actions[0]`, … */
  path: string;
  description: string;
}

/** Zendesk's limit on the size of one business rule. */
export const MAX_RULE_BYTES = 65_535;
export const MAX_TITLE_LENGTH = 255;

const PROBE_NOW = new Date('2026-01-05T10:00:00Z');

const probePerson = (id: number): Person => ({ id, name: `User ${id}`, email: `user${id}@probe.invalid`, role: id === 7 ? 'agent' : 'end_user', locale: 'en-US', localeId: 1, timeZone: 'UTC' });

const probeTicket = (): RuleTicket => ({
  id: 1,
  status: 'open',
  priority: 'normal',
  type: 'question',
  groupId: 3,
  assigneeId: 7,
  requesterId: 5,
  organizationId: 9,
  tags: ['probe'],
  ccIds: [],
  recipient: 'support@probe.invalid',
  subject: 'probe',
  hasPublicComments: true,
  via: 'email',
  reopens: 0,
  replies: 0,
  satisfactionScore: 'unoffered',
  customFields: {},
  scheduleId: null,
});

const probeSchedule = (id: number): Schedule => ({ id, time_zone: 'UTC', intervals: [{ start_time: 1980, end_time: 2460 }], holidays: [] });

const probeContext = (isCreate: boolean, scheduleIds: number[]): RuleContext => {
  const after = probeTicket();
  const update: RuleUpdate = {
    updateId: '00000000-0000-4000-8000-000000000000',
    isCreate,
    actor: { userId: 7, role: 'agent' },
    via: { channel: 'email', source: { from: {}, to: {}, rel: null } },
    comment: { authorId: 7, public: true, body: 'probe' },
    mail: null,
    before: isCreate ? null : probeTicket(),
    after,
    occurredAt: PROBE_NOW.toISOString(),
  };
  return {
    update,
    ticket: after,
    directory: { person: probePerson, agents: () => [probePerson(7)], groupMembers: () => [probePerson(7)] },
    now: PROBE_NOW,
    schedules: [probeSchedule(1), ...scheduleIds.map(probeSchedule)],
  };
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One condition as written: a problem description, or null when the cycle can evaluate it. */
export const conditionProblem = (raw: unknown): string | null => {
  if (!isRecord(raw)) return 'a condition must be an object with field, operator and value';
  if (typeof raw.field !== 'string' || raw.field.trim() === '') return 'a condition needs a field';
  if (typeof raw.operator !== 'string' || raw.operator.trim() === '') return `the condition on ${raw.field} needs an operator`;
  const extra = Object.keys(raw).filter((k) => !['field', 'operator', 'value'].includes(k));
  if (extra.length) return `unknown key ${extra.map((k) => `"${k}"`).join(', ')} in the condition on ${raw.field}`;
  const condition = raw as unknown as Condition;
  if (condition.field === 'current_tags' && parseTags(condition.value).length === 0) return 'current_tags needs at least one tag';
  const scheduleId = condition.field === 'within_schedule' ? parseId(condition.value) : undefined;
  for (const isCreate of [true, false]) {
    const verdict = evaluateCondition(condition, probeContext(isCreate, scheduleId ? [scheduleId] : []));
    if (verdict.problem) return verdict.problem;
  }
  return null;
};

const TAG_ACTIONS_NEEDING_TAGS = ['current_tags', 'remove_tags'];

/** One action as written: a problem description, or null when the cycle can apply it. */
export const actionProblem = (raw: unknown): string | null => {
  if (!isRecord(raw)) return 'an action must be an object with field and value';
  if (typeof raw.field !== 'string' || raw.field.trim() === '') return 'an action needs a field';
  const extra = Object.keys(raw).filter((k) => !['field', 'value'].includes(k));
  if (extra.length) return `unknown key ${extra.map((k) => `"${k}"`).join(', ')} in the action ${raw.field}`;
  const action = raw as unknown as Action;
  if (TAG_ACTIONS_NEEDING_TAGS.includes(action.field) && parseTags(action.value).length === 0) return `${action.field} needs at least one tag`;
  if (action.field === 'set_tags' && typeof action.value !== 'string' && !Array.isArray(action.value)) return 'set_tags needs a space-separated list of tags';
  if ((action.field === 'notification_user' || action.field === 'notification_group') && Array.isArray(action.value)) {
    if (typeof action.value[1] === 'string' && action.value[1].trim() === '') return `${action.field} needs a subject`;
  }
  // Schedules are account data the probe does not have: an action naming one is judged on its form.
  const { schedules: _schedules, ...base } = probeContext(false, []);
  const trigger: Trigger = { id: 'probe', title: 'probe', active: true, position: 1, category_id: null, conditions: { all: [], any: [] }, actions: [action] };
  const ctx: ActionContext = { ...base, trigger, actionIndex: 0 };
  const result = applyAction(action, ctx);
  return result.outcome === 'skipped' ? (result.note ?? `the action ${action.field} cannot be applied`) : null;
};

/** The trigger's fields as the API receives them (`{"trigger": {…}}`). */
export interface TriggerInput {
  title?: unknown;
  active?: unknown;
  position?: unknown;
  category_id?: unknown;
  description?: unknown;
  conditions?: unknown;
  actions?: unknown;
}

/** What a valid input changes; absent keys keep their value (update) or take the default (create). */
export interface TriggerFields {
  title?: string;
  active?: boolean;
  position?: number;
  category_id?: string | null;
  description?: string;
  conditions?: Trigger['conditions'];
  actions?: Action[];
}

export type TriggerValidation = { ok: true; fields: TriggerFields } | { ok: false; problems: TriggerProblem[] };

/**
 * Checks a create (`partial` false: title, conditions and actions required) or an update (only
 * the keys given). Read-only keys a client echoes back (id, url, timestamps, raw_title, default)
 * are ignored, as Zendesk does.
 */
export const validateTriggerInput = (input: TriggerInput, options: { partial: boolean }): TriggerValidation => {
  const problems: TriggerProblem[] = [];
  const fields: TriggerFields = {};
  const given = (key: keyof TriggerInput) => input[key] !== undefined;

  if (given('title') || !options.partial) {
    if (typeof input.title !== 'string' || input.title.trim() === '') problems.push({ path: 'title', description: 'Title: cannot be blank' });
    else if (input.title.trim().length > MAX_TITLE_LENGTH) problems.push({ path: 'title', description: `Title: is too long (at most ${MAX_TITLE_LENGTH} characters)` });
    else fields.title = input.title.trim();
  }
  if (given('active')) {
    if (typeof input.active !== 'boolean') problems.push({ path: 'active', description: 'Active: must be true or false' });
    else fields.active = input.active;
  }
  if (given('position') && input.position !== null) {
    const p = typeof input.position === 'string' && /^\d{1,9}$/.test(input.position) ? Number(input.position) : input.position;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 1_000_000_000) problems.push({ path: 'position', description: 'Position: must be a whole number of zero or more' });
    else fields.position = p;
  }
  if (given('category_id')) {
    const c = input.category_id;
    if (c === null || c === '') fields.category_id = null;
    else if ((typeof c === 'string' && /^\S{1,64}$/.test(c)) || (typeof c === 'number' && Number.isSafeInteger(c) && c > 0)) fields.category_id = String(c);
    else problems.push({ path: 'category_id', description: 'Category: must be the id of a trigger category' });
  }
  if (given('description') && input.description !== null) {
    if (typeof input.description !== 'string') problems.push({ path: 'description', description: 'Description: must be text' });
    else fields.description = input.description;
  } else if (input.description === null) fields.description = '';

  if (given('conditions') || !options.partial) {
    const c = input.conditions;
    if (!isRecord(c)) problems.push({ path: 'conditions', description: 'Conditions: must be an object with "all" and "any" lists' });
    else {
      const extra = Object.keys(c).filter((k) => k !== 'all' && k !== 'any');
      if (extra.length) problems.push({ path: 'conditions', description: `Conditions: unknown key ${extra.map((k) => `"${k}"`).join(', ')} (use "all" and "any")` });
      const lists: Trigger['conditions'] = { all: [], any: [] };
      for (const group of ['all', 'any'] as const) {
        const list = c[group] ?? [];
        if (!Array.isArray(list)) {
          problems.push({ path: `conditions.${group}`, description: `Conditions: "${group}" must be a list` });
          continue;
        }
        list.forEach((raw, i) => {
          const problem = conditionProblem(raw);
          if (problem) problems.push({ path: `conditions.${group}[${i}]`, description: `Conditions (${group.toUpperCase()} #${i + 1}): ${problem}` });
        });
        lists[group] = list as Condition[];
      }
      if (lists.all.length + lists.any.length === 0) problems.push({ path: 'conditions', description: 'Conditions: a trigger needs at least one condition' });
      fields.conditions = { all: lists.all.map(copyCondition), any: lists.any.map(copyCondition) };
    }
  }
  if (given('actions') || !options.partial) {
    const a = input.actions;
    if (!Array.isArray(a) || a.length === 0) problems.push({ path: 'actions', description: 'Actions: a trigger needs at least one action' });
    else {
      a.forEach((raw, i) => {
        const problem = actionProblem(raw);
        if (problem) problems.push({ path: `actions[${i}]`, description: `Actions (#${i + 1}): ${problem}` });
      });
      fields.actions = (a as Action[]).map((x) => ({ field: x.field, value: x.value }));
    }
  }
  const size = JSON.stringify({ conditions: fields.conditions ?? null, actions: fields.actions ?? null }).length;
  if (size > MAX_RULE_BYTES) problems.push({ path: 'base', description: `Trigger: is too large (at most ${MAX_RULE_BYTES} bytes of conditions and actions)` });
  return problems.length ? { ok: false, problems } : { ok: true, fields };
};

const copyCondition = (c: Condition): Condition => (c.value === undefined ? { field: c.field, operator: c.operator } : { field: c.field, operator: c.operator, value: c.value });

/** Actions that email people: deactivating or deleting their trigger silences those emails. */
export const NOTIFICATION_ACTIONS = ['notification_user', 'notification_group'] as const;

export const sendsNotifications = (trigger: Pick<Trigger, 'actions'>): boolean =>
  trigger.actions.some((a) => (NOTIFICATION_ACTIONS as readonly string[]).includes(a.field));

/**
 * The warning for an admin who turns off (or deletes) a trigger that emails people; null when
 * the change silences nobody. Zendesk's advice: never turn off every notification trigger.
 */
export const silencingWarning = (trigger: Pick<Trigger, 'title' | 'actions'>, change: 'deactivated' | 'deleted'): string | null => {
  if (!sendsNotifications(trigger)) return null;
  return `"${trigger.title}" sends email notifications; ${change === 'deleted' ? 'after deleting it' : 'while it is inactive'} those emails are no longer sent. To change a notification, prefer editing it or a copy of it.`;
};

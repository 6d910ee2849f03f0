import { MAX_RULE_BYTES, MAX_TITLE_LENGTH, actionProblem, conditionProblem, type Action, type Condition, type TriggerProblem } from '@mailroom/rules-domain';
import { TRIGGER_ONLY_FIELDS, TRIGGER_ONLY_OPERATORS } from '../conditions/evaluate-automation';
import type { Automation } from '../model';
import { isTimeField, timeConditionProblem } from '../time/time-conditions';
import { hasNullifier } from './nullifiers';

/**
 * Checking an automation an admin writes through the API, before it is stored: the trigger
 * validator's checks of each condition and action (the same handlers the cycle runs), the time
 * conditions' own, and the rules Zendesk's Automations API adds (reference §2.1):
 *  - the ALL list has at least one time condition, and time conditions appear only in ALL;
 *  - the ALL list has a condition on status, type, group_id, assignee_id or requester_id;
 *  - a condition true only once, or an action that nullifies a condition.
 * Problems come out in the trigger validator's shape; `recordInvalid` makes Zendesk's 422 body.
 *
 * It checks an automation whole: for an update, merge the stored automation with the given keys
 * first, so a PUT that only changes the actions is still judged with the conditions it will have.
 */

export type AutomationProblem = TriggerProblem;

/** The automation's fields as the API receives them (`{"automation": {…}}`). */
export interface AutomationInput {
  title?: unknown;
  active?: unknown;
  position?: unknown;
  conditions?: unknown;
  actions?: unknown;
}

export type AutomationFields = Pick<Automation, 'title' | 'active' | 'conditions' | 'actions'> & { position?: number };

export type AutomationValidation = { ok: true; fields: AutomationFields } | { ok: false; problems: AutomationProblem[] };

/** Fields an automation's ALL list must test, one of them at least (Automations API). */
export const REQUIRED_CONDITION_FIELDS = ['status', 'type', 'group_id', 'assignee_id', 'requester_id'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One condition as written in an automation: a problem description, or null. */
export const automationConditionProblem = (raw: unknown, group: 'all' | 'any'): string | null => {
  if (!isRecord(raw)) return 'a condition must be an object with field, operator and value';
  const { field, operator } = raw;
  if (isTimeField(field)) {
    const extra = Object.keys(raw).filter((k) => !['field', 'operator', 'value'].includes(k));
    if (extra.length) return `unknown key ${extra.map((k) => `"${k}"`).join(', ')} in the condition on ${field}`;
    if (group === 'any') return `time conditions such as ${field} are allowed in ALL only`;
    return timeConditionProblem(raw as unknown as Condition);
  }
  if (typeof field === 'string' && TRIGGER_ONLY_FIELDS.includes(field)) return `${field} describes an update and is available in triggers only`;
  if (typeof operator === 'string' && TRIGGER_ONLY_OPERATORS.includes(operator)) {
    return `operator "${operator}" looks at an update and is available in triggers only (use is, is_not, less_than, greater_than)`;
  }
  return conditionProblem(raw);
};

const copyCondition = (c: Condition): Condition => (c.value === undefined ? { field: c.field, operator: c.operator } : { field: c.field, operator: c.operator, value: c.value });

export const validateAutomationInput = (input: AutomationInput): AutomationValidation => {
  const problems: AutomationProblem[] = [];
  const add = (path: string, description: string) => problems.push({ path, description });

  let title = '';
  if (typeof input.title !== 'string' || input.title.trim() === '') add('title', 'Title: cannot be blank');
  else if (input.title.trim().length > MAX_TITLE_LENGTH) add('title', `Title: is too long (at most ${MAX_TITLE_LENGTH} characters)`);
  else title = input.title.trim();

  let active = true;
  if (input.active !== undefined) {
    if (typeof input.active !== 'boolean') add('active', 'Active: must be true or false');
    else active = input.active;
  }
  let position: number | undefined;
  if (input.position !== undefined && input.position !== null) {
    const p = typeof input.position === 'string' && /^\d{1,9}$/.test(input.position) ? Number(input.position) : input.position;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 1_000_000_000) add('position', 'Position: must be a whole number of zero or more');
    else position = p;
  }

  const conditions: Automation['conditions'] = { all: [], any: [] };
  const c = input.conditions;
  if (!isRecord(c)) add('conditions', 'Conditions: must be an object with "all" and "any" lists');
  else {
    const extra = Object.keys(c).filter((k) => k !== 'all' && k !== 'any');
    if (extra.length) add('conditions', `Conditions: unknown key ${extra.map((k) => `"${k}"`).join(', ')} (use "all" and "any")`);
    for (const group of ['all', 'any'] as const) {
      const list = c[group] ?? [];
      if (!Array.isArray(list)) {
        add(`conditions.${group}`, `Conditions: "${group}" must be a list`);
        continue;
      }
      list.forEach((raw, i) => {
        const problem = automationConditionProblem(raw, group);
        if (problem) add(`conditions.${group}[${i}]`, `Conditions (${group.toUpperCase()} #${i + 1}): ${problem}`);
      });
      conditions[group] = (list as Condition[]).filter(isRecord).map(copyCondition);
    }
  }

  let actions: Action[] = [];
  const a = input.actions;
  if (!Array.isArray(a) || a.length === 0) add('actions', 'Actions: an automation needs at least one action');
  else {
    a.forEach((raw, i) => {
      const problem = actionProblem(raw);
      if (problem) add(`actions[${i}]`, `Actions (#${i + 1}): ${problem}`);
    });
    actions = (a as Action[]).filter(isRecord).map((x) => ({ field: x.field, value: x.value }));
  }

  // The whole-automation rules, once the parts are readable: otherwise they would only repeat them.
  if (isRecord(c) && problems.every((p) => !p.path.startsWith('conditions'))) {
    if (!conditions.all.some((x) => isTimeField(x.field))) {
      add('conditions.all', 'Conditions: an automation needs at least one time condition (hours since …) in ALL');
    }
    if (!conditions.all.some((x) => (REQUIRED_CONDITION_FIELDS as readonly string[]).includes(x.field))) {
      add('conditions.all', 'Conditions: an automation needs a condition in ALL on status, type, group, assignee or requester');
    }
    if (actions.length > 0 && problems.every((p) => !p.path.startsWith('actions')) && !hasNullifier(conditions, actions)) {
      add('base', 'Automation: needs a condition that is true only once (such as hours since … is) or an action that nullifies one of its conditions, or it would fire every hour');
    }
  }
  const size = JSON.stringify({ conditions, actions }).length;
  if (size > MAX_RULE_BYTES) add('base', `Automation: is too large (at most ${MAX_RULE_BYTES} bytes of conditions and actions)`);

  if (problems.length) return { ok: false, problems };
  return { ok: true, fields: { title, active, conditions, actions, ...(position === undefined ? {} : { position }) } };
};

/** The problems of an automation as it would be stored; empty when it is valid. */
export const validateAutomation = (input: AutomationInput): AutomationProblem[] => {
  const result = validateAutomationInput(input);
  return result.ok ? [] : result.problems;
};

/** Zendesk's 422 body for refused problems, as the triggers API answers it. */
export interface RecordInvalidBody {
  error: 'RecordInvalid';
  description: 'Record validation errors';
  details: { base: { description: string; error: 'InvalidValue'; field: string }[] };
}

export const recordInvalid = (problems: readonly AutomationProblem[]): RecordInvalidBody => ({
  error: 'RecordInvalid',
  description: 'Record validation errors',
  details: { base: problems.map((p) => ({ description: p.description, error: 'InvalidValue', field: p.path })) },
});

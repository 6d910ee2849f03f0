import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from '@mailroom/contracts';
import type { CustomFieldValue, RuleTicket } from '../model';
import { type ConditionHandler, type RuleContext, problem, show, unknownOperator } from './condition-handler';
import { NOBODY, type Reference, parseEnum, parseReference } from './values';

/**
 * Conditions on a ticket field, with Zendesk's operators. "Changed" compares the ticket before the
 * update with the ticket as it stands now, so a change made by an earlier trigger in the same cycle
 * counts (that is how "Notify assignee of assignment" follows an auto-assign trigger). On a create
 * there is no before: every field that has a value counts as changed from nothing.
 */

type Value = string | number | null;
type Expected = Value | typeof NOBODY;

interface FieldSpec {
  label: string;
  read(ticket: RuleTicket): Value;
  parse(raw: unknown, ctx: RuleContext): { value: Expected } | { problem: string };
  /** Rank for less_than / greater_than ("no value" ranks below everything); undefined: not ordered. */
  rank?: (value: Value) => number | undefined;
}

const VALUE_OPERATORS = ['is', 'is_not', 'value', 'value_previous', 'not_value', 'not_value_previous'] as const;
const CHANGE_OPERATORS = ['changed', 'not_changed'] as const;
const ORDER_OPERATORS = ['less_than', 'greater_than'] as const;

const fieldCondition = (spec: FieldSpec): ConditionHandler => {
  // Once per field, not per evaluation: every update asks hundreds of these.
  const supported: string[] = [...VALUE_OPERATORS, ...CHANGE_OPERATORS, ...(spec.rank ? ORDER_OPERATORS : [])];
  return (condition, ctx) => {
    const current = spec.read(ctx.ticket);
    const previous = ctx.update.before ? spec.read(ctx.update.before) : null;
    const changed = current !== previous;
    const detail = ctx.brief
      ? undefined
      : changed
        ? `${spec.label} is ${show(current)}, changed from ${show(previous)}`
        : `${spec.label} is ${show(current)}, not changed`;

    const op = condition.operator;
    if (op === 'changed') return { matched: changed, detail };
    if (op === 'not_changed') return { matched: !changed, detail };
    if (!supported.includes(op)) return unknownOperator(condition, supported);

    const parsed = spec.parse(condition.value, ctx);
    if ('problem' in parsed) return problem(parsed.problem, detail);
    const expected = parsed.value;
    const changedTo = changed && current === expected;
    const changedFrom = changed && previous === expected;

    switch (op) {
      case 'is':
        return { matched: current === expected, detail };
      case 'is_not':
        return { matched: current !== expected, detail };
      case 'value':
        return { matched: changedTo, detail };
      case 'not_value':
        return { matched: !changedTo, detail };
      case 'value_previous':
        return { matched: changedFrom, detail };
      case 'not_value_previous':
        return { matched: !changedFrom, detail };
      case 'less_than':
      case 'greater_than': {
        const a = spec.rank!(current);
        const b = typeof expected === 'symbol' || expected === null ? undefined : spec.rank!(expected);
        if (b === undefined) return problem(`${op} needs a ${spec.label} value that can be ordered`, detail);
        if (a === undefined) return { matched: false, detail };
        return { matched: op === 'less_than' ? a < b : a > b, detail };
      }
    }
    return unknownOperator(condition, supported);
  };
};

const enumSpec = (label: string, values: readonly string[], read: (t: RuleTicket) => Value, ordered: boolean): FieldSpec => ({
  label,
  read,
  parse: (raw) => parseEnum(raw, values, label, label !== 'status'),
  ...(ordered ? { rank: (v: Value) => (v === null ? -1 : values.indexOf(String(v))) } : {}),
});

const referenceSpec = (label: string, read: (t: RuleTicket) => Value, keywords: Reference[]): FieldSpec => ({
  label,
  read,
  parse: (raw, ctx) => parseReference(raw, ctx, label, keywords),
});

const SATISFACTION = ['unoffered', 'offered', 'good', 'good_with_comment', 'bad', 'bad_with_comment'] as const;

/** The old Conditions reference writes "unoffered" as `true` and "offered" as `false`; both spellings work. */
const satisfactionSpec: FieldSpec = {
  label: 'satisfaction',
  read: (t) => t.satisfactionScore ?? 'unoffered',
  parse: (raw) => {
    const text = typeof raw === 'boolean' ? String(raw) : raw;
    if (text === 'true') return { value: 'unoffered' };
    if (text === 'false') return { value: 'offered' };
    return parseEnum(text, SATISFACTION, 'satisfaction state', false);
  },
};

/**
 * Custom fields compare as text, case-insensitively (drop-down values are tags, checkboxes
 * true/false); `current_user` and `requester_id` stand for user ids in lookup fields; "" is no value.
 * Numbers and dates (YYYY-MM-DD) can be ordered.
 */
const normaliseCustom = (v: CustomFieldValue | undefined): Value => {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v).trim().toLowerCase();
};

const rankCustom = (v: Value): number | undefined => {
  if (v === null) return undefined;
  const text = String(v);
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Date.parse(`${text}T00:00:00Z`);
  return undefined;
};

const customFieldSpec = (fieldId: string): FieldSpec => ({
  label: `custom field ${fieldId}`,
  read: (t) => normaliseCustom(t.customFields?.[fieldId]),
  parse: (raw, ctx) => {
    if (raw === 'current_user' || raw === 'requester_id') {
      const ref = parseReference(raw, ctx, 'user', ['current_user', 'requester_id']);
      if ('problem' in ref) return ref;
      return { value: typeof ref.value === 'number' ? String(ref.value) : ref.value };
    }
    if (raw !== null && raw !== undefined && !['string', 'number', 'boolean'].includes(typeof raw)) {
      return { problem: `${JSON.stringify(raw)} is not a custom field value` };
    }
    return { value: normaliseCustom(raw as CustomFieldValue | undefined) };
  },
  rank: rankCustom,
});

export const CUSTOM_FIELD_PREFIX = 'custom_fields_';

const customHandlers = new Map<string, ConditionHandler>();

/** `custom_fields_<id>`: one handler per field id, made on first use. */
export const customFieldCondition = (field: string): ConditionHandler | undefined => {
  if (!field.startsWith(CUSTOM_FIELD_PREFIX)) return undefined;
  const fieldId = field.slice(CUSTOM_FIELD_PREFIX.length);
  if (!/^\d{1,20}$/.test(fieldId)) return undefined;
  let handler = customHandlers.get(fieldId);
  if (!handler) {
    handler = fieldCondition(customFieldSpec(fieldId));
    if (customHandlers.size < 10_000) customHandlers.set(fieldId, handler);
  }
  return handler;
};

export const fieldConditions: Record<string, ConditionHandler> = {
  status: fieldCondition(enumSpec('status', TICKET_STATUSES, (t) => t.status, true)),
  priority: fieldCondition(enumSpec('priority', TICKET_PRIORITIES, (t) => t.priority, true)),
  type: fieldCondition(enumSpec('type', TICKET_TYPES, (t) => t.type, false)),
  group_id: fieldCondition(referenceSpec('group', (t) => t.groupId, [])),
  assignee_id: fieldCondition(referenceSpec('assignee', (t) => t.assigneeId, ['current_user', 'requester_id'])),
  requester_id: fieldCondition(referenceSpec('requester', (t) => t.requesterId, ['current_user'])),
  organization_id: fieldCondition(referenceSpec('organization', (t) => t.organizationId, [])),
  satisfaction_score: fieldCondition(satisfactionSpec),
  schedule_id: fieldCondition(referenceSpec('schedule', (t) => t.scheduleId ?? null, [])),
};

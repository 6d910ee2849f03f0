import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from '@mailroom/contracts';
import type { RuleTicket } from '../model';
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
  /** Ascending order for less_than / greater_than; "no value" sorts below everything. */
  order?: readonly string[];
}

const VALUE_OPERATORS = ['is', 'is_not', 'value', 'value_previous', 'not_value', 'not_value_previous'] as const;
const CHANGE_OPERATORS = ['changed', 'not_changed'] as const;
const ORDER_OPERATORS = ['less_than', 'greater_than'] as const;

const fieldCondition =
  (spec: FieldSpec): ConditionHandler =>
  (condition, ctx) => {
    const current = spec.read(ctx.ticket);
    const previous = ctx.update.before ? spec.read(ctx.update.before) : null;
    const changed = current !== previous;
    const detail = changed
      ? `${spec.label} is ${show(current)}, changed from ${show(previous)}`
      : `${spec.label} is ${show(current)}, not changed`;

    const supported: string[] = [...VALUE_OPERATORS, ...CHANGE_OPERATORS, ...(spec.order ? ORDER_OPERATORS : [])];
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
        const order = spec.order!;
        if (typeof expected !== 'string') return problem(`${op} needs a ${spec.label} value`, detail);
        const rank = (v: Value) => (v === null ? -1 : order.indexOf(String(v)));
        const cmp = rank(current) - rank(expected);
        return { matched: op === 'less_than' ? cmp < 0 : cmp > 0, detail };
      }
    }
    return unknownOperator(condition, supported);
  };

const enumSpec = (label: string, values: readonly string[], read: (t: RuleTicket) => Value, optional: boolean): FieldSpec => ({
  label,
  read,
  parse: (raw) => parseEnum(raw, values, label, optional),
  order: values,
});

const referenceSpec = (label: string, read: (t: RuleTicket) => Value, keywords: Reference[]): FieldSpec => ({
  label,
  read,
  parse: (raw, ctx) => parseReference(raw, ctx, label, keywords),
});

export const fieldConditions: Record<string, ConditionHandler> = {
  status: fieldCondition(enumSpec('status', TICKET_STATUSES, (t) => t.status, false)),
  priority: fieldCondition(enumSpec('priority', TICKET_PRIORITIES, (t) => t.priority, true)),
  type: fieldCondition({ ...enumSpec('type', TICKET_TYPES, (t) => t.type, true), order: undefined }),
  group_id: fieldCondition(referenceSpec('group', (t) => t.groupId, [])),
  assignee_id: fieldCondition(referenceSpec('assignee', (t) => t.assigneeId, ['current_user', 'requester_id'])),
  requester_id: fieldCondition(referenceSpec('requester', (t) => t.requesterId, ['current_user'])),
  organization_id: fieldCondition(referenceSpec('organization', (t) => t.organizationId, [])),
};

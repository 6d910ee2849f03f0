import type { RuleTicket } from '../model';
import { type ConditionHandler, problem, unknownOperator } from './condition-handler';
import { parseCount } from './values';

/** `reopens` and `replies`: counts on the ticket compared with is, is_not, less_than, greater_than. */

const OPERATORS = ['is', 'is_not', 'less_than', 'greater_than'];

const countCondition =
  (label: string, read: (t: RuleTicket) => number): ConditionHandler =>
  (condition, { ticket }) => {
    const actual = read(ticket);
    const detail = `the ticket has ${actual} ${label}`;
    if (!OPERATORS.includes(condition.operator)) return unknownOperator(condition, OPERATORS);
    const parsed = parseCount(condition.value);
    if ('problem' in parsed) return problem(parsed.problem, detail);
    const n = parsed.value;
    switch (condition.operator) {
      case 'is':
        return { matched: actual === n, detail };
      case 'is_not':
        return { matched: actual !== n, detail };
      case 'less_than':
        return { matched: actual < n, detail };
      default:
        return { matched: actual > n, detail };
    }
  };

export const countConditions: Record<string, ConditionHandler> = {
  reopens: countCondition('reopens', (t) => t.reopens ?? 0),
  replies: countCondition('agent replies', (t) => t.replies ?? 0),
};

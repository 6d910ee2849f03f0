import { scheduleFor, type Condition, type Schedule } from '@mailroom/rules-domain';
import type { AutomationTicket } from '../model';
import { businessMillisBetween } from './business-time';

/**
 * Zendesk's automation time conditions (reference §2.2), by their API field names. Each reads one
 * instant of the ticket; `until_due_date` counts forward to it, every other one back from it.
 *
 * `HOLD` (Hours since on-hold): the reference names the condition but not its API field; `HOLD`
 * follows the pattern of the other status fields (`NEW`, `OPEN`, `PENDING`, `SOLVED`, `CLOSED`).
 */
export const TIME_FIELDS = {
  NEW: 'created_at',
  OPEN: 'open_at',
  PENDING: 'pending_at',
  HOLD: 'hold_at',
  SOLVED: 'solved_at',
  CLOSED: 'closed_at',
  assigned_at: 'assigned_at',
  updated_at: 'updated_at',
  requester_updated_at: 'requester_updated_at',
  assignee_updated_at: 'assignee_updated_at',
  due_date: 'due_at',
  until_due_date: 'due_at',
} as const satisfies Record<string, keyof AutomationTicket>;

export type TimeField = keyof typeof TIME_FIELDS;
export type TimeColumn = (typeof TIME_FIELDS)[TimeField];

export const TIME_OPERATORS = [
  'is',
  'less_than',
  'greater_than',
  'is_business_hours',
  'less_than_business_hours',
  'greater_than_business_hours',
] as const;

export type TimeOperator = (typeof TIME_OPERATORS)[number];
export type Comparison = 'is' | 'less_than' | 'greater_than';

export const isTimeField = (field: unknown): field is TimeField => typeof field === 'string' && Object.hasOwn(TIME_FIELDS, field);
export const isTimeOperator = (operator: unknown): operator is TimeOperator => (TIME_OPERATORS as readonly unknown[]).includes(operator);
export const isTimeCondition = (c: { field?: unknown }): boolean => isTimeField(c?.field);

/** The comparison and the clock of an operator: `greater_than_business_hours` → greater_than over business hours. */
export const splitOperator = (operator: TimeOperator): { comparison: Comparison; business: boolean } => {
  switch (operator) {
    case 'is':
    case 'less_than':
    case 'greater_than':
      return { comparison: operator, business: false };
    case 'is_business_hours':
      return { comparison: 'is', business: true };
    case 'less_than_business_hours':
      return { comparison: 'less_than', business: true };
    case 'greater_than_business_hours':
      return { comparison: 'greater_than', business: true };
    default: {
      const _exhaustive: never = operator;
      return _exhaustive;
    }
  }
};

/** Zendesk takes whole numbers only, written as numbers or digits. */
export const parseHours = (raw: unknown): number | undefined => {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return raw;
  if (typeof raw === 'string' && /^\d{1,9}$/.test(raw.trim())) return Number(raw.trim());
  return undefined;
};

/** What is wrong with a time condition as written, or null. */
export const timeConditionProblem = (condition: Condition): string | null => {
  if (!isTimeOperator(condition.operator)) {
    return `operator "${String(condition.operator)}" is not supported for ${condition.field} (use ${TIME_OPERATORS.join(', ')})`;
  }
  if (parseHours(condition.value) === undefined) return `${condition.field} needs a whole number of hours, not ${JSON.stringify(condition.value ?? null)}`;
  return null;
};

const HOUR = 3_600_000;

/**
 * Whole hours as Zendesk counts them (reference §2.1, "Using the 'Hours since' condition"):
 * only whole hours count and the first run after the event counts as 0 hours — the hours are
 * the elapsed time rounded down. Solved at 9:15, a run at 10:10 sees 0 hours, 11:10 sees 1,
 * 12:10 sees 2; so `is 2` holds from 11:15 to 12:14:59, `greater_than 96` from 97 hours on,
 * `less_than 24` until 23:59:59 after the event.
 *
 * A "since" field has no value before its instant (a clock behind the log), and "until due
 * date" none once the due date has passed (then "since due date" counts): no value, no match.
 */
export const wholeHours = (fromMs: number, toMs: number): number | undefined => (toMs < fromMs ? undefined : Math.floor((toMs - fromMs) / HOUR));

export interface TimeVerdict {
  matched: boolean;
  /** The hours the ticket had, for the explanation; undefined when it had no value. */
  hours?: number;
  problem?: string;
}

export interface TimeContext {
  now: Date;
  /** The account's schedules; the first is the default for a ticket without one of its own. */
  schedules?: readonly Schedule[];
}

const instantOf = (raw: string | null | undefined): number | undefined => {
  if (raw === null || raw === undefined) return undefined;
  const t = Date.parse(raw);
  return Number.isNaN(t) ? undefined : t;
};

/** The ticket's hours for a time field, on the calendar or in business hours. */
export const hoursFor = (
  field: TimeField,
  ticket: AutomationTicket,
  business: boolean,
  ctx: TimeContext,
): { hours: number | undefined } | { problem: string } => {
  const at = instantOf(ticket[TIME_FIELDS[field]]);
  const now = ctx.now.getTime();
  if (at === undefined) return { hours: undefined };
  const [from, to] = field === 'until_due_date' ? [now, at] : [at, now];
  if (!business) return { hours: wholeHours(from, to) };
  if (to < from) return { hours: undefined };
  const schedule = scheduleFor(ticket.schedule_id, ctx.schedules);
  if (!schedule) return { problem: 'no business-hours schedule is set up' };
  try {
    return { hours: Math.floor(businessMillisBetween(schedule, from, to) / HOUR) };
  } catch {
    return { problem: `schedule ${schedule.id} has an unknown time zone "${schedule.time_zone}"` };
  }
};

export const compareHours = (comparison: Comparison, actual: number, wanted: number): boolean => {
  switch (comparison) {
    case 'is':
      return actual === wanted;
    case 'less_than':
      return actual < wanted;
    case 'greater_than':
      return actual > wanted;
    default: {
      const _exhaustive: never = comparison;
      return _exhaustive;
    }
  }
};

/** One time condition against a ticket at `ctx.now`. A condition that cannot be read is false, with the reason. */
export const evaluateTimeCondition = (condition: Condition, ticket: AutomationTicket, ctx: TimeContext): TimeVerdict => {
  if (!isTimeField(condition.field)) return { matched: false, problem: `${String(condition.field)} is not a time condition` };
  const wrong = timeConditionProblem(condition);
  if (wrong) return { matched: false, problem: wrong };
  const { comparison, business } = splitOperator(condition.operator as TimeOperator);
  const wanted = parseHours(condition.value)!;
  const hours = hoursFor(condition.field, ticket, business, ctx);
  if ('problem' in hours) return { matched: false, problem: hours.problem };
  if (hours.hours === undefined) return { matched: false };
  return { matched: compareHours(comparison, hours.hours, wanted), hours: hours.hours };
};

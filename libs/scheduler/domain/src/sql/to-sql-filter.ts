import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from '@mailroom/contracts';
import type { Condition } from '@mailroom/rules-domain';
import { MAX_AUTOMATION_UPDATES } from '../cycle/run-automation-cycle';
import type { Automation } from '../model';
import { CLOSE_SOLVED_AUTOMATION } from '../standard-automations/standard-automations';
import { TIME_FIELDS, isTimeField, isTimeOperator, parseHours, splitOperator } from '../time/time-conditions';

/**
 * An automation's conditions as a SQL WHERE fragment over the scheduler's ticket table, so a tick
 * reads only the tickets that can match among a million. Pure string building: values travel as
 * `$n` parameters, column names come from a fixed list (the read model's keys, see
 * `AutomationTicket`), nothing from the automation is spliced into the text.
 *
 * What is pushed down: the calendar time conditions (exactly), the business-hours ones as the
 * calendar bound they imply (business hours never outnumber calendar hours), and `is` / `is_not`
 * / `less_than` / `greater_than` on status, type, priority, group, assignee and requester. The
 * rest — tags, satisfaction, custom fields, business hours themselves — is `residual`: the
 * in-memory re-check (`recheckAutomation`) decides, and always runs before an update is sent.
 *
 * The time cut-offs follow from Zendesk's whole hours (floor of the elapsed time), for a field
 * at instant t and a tick at `now`, with h = one hour:
 *   is n           n·h ≤ now − t < (n+1)·h   →  now − (n+1)·h < t ≤ now − n·h
 *   less_than n    0 ≤ now − t < n·h         →  now − n·h < t ≤ now
 *   greater_than n now − t ≥ (n+1)·h         →  t ≤ now − (n+1)·h
 * and for `until_due_date` (hours = floor((due − now)/h), only while due ≥ now) the mirror image.
 */

export interface SqlFilter {
  where: string;
  params: unknown[];
  /** Conditions the fragment does not decide exactly (left to the in-memory re-check). */
  residual: { group: 'all' | 'any'; index: number; condition: Condition }[];
}

export interface SqlFilterOptions {
  /** The number of the first placeholder (`$1` by default), to append to a larger query. */
  firstParam?: number;
  /** A table alias to qualify the columns with (`t` → `t.status`). */
  alias?: string;
  closeAutomationId?: string;
}

const HOUR = 3_600_000;

type Predicate = string | undefined;

class Builder {
  readonly params: unknown[] = [];
  constructor(
    private readonly first: number,
    private readonly alias: string | undefined,
  ) {}
  col(name: string): string {
    return this.alias ? `${this.alias}.${name}` : name;
  }
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.first + this.params.length - 1}`;
  }
  at(ms: number): string {
    return this.param(new Date(ms).toISOString());
  }
}

const timePredicate = (b: Builder, c: Condition, now: number): Predicate => {
  if (!isTimeField(c.field) || !isTimeOperator(c.operator)) return undefined;
  const n = parseHours(c.value);
  if (n === undefined) return undefined;
  const col = b.col(TIME_FIELDS[c.field]);
  const { comparison, business } = splitOperator(c.operator);
  if (c.field === 'until_due_date') {
    if (business) {
      // Business hours until ≤ calendar hours until: a lower bound on the due date only.
      const lower = comparison === 'greater_than' ? n + 1 : comparison === 'is' ? n : 0;
      return `${col} >= ${b.at(now + lower * HOUR)}`;
    }
    switch (comparison) {
      case 'is':
        return `${col} >= ${b.at(now + n * HOUR)} AND ${col} < ${b.at(now + (n + 1) * HOUR)}`;
      case 'less_than':
        return `${col} >= ${b.at(now)} AND ${col} < ${b.at(now + n * HOUR)}`;
      case 'greater_than':
        return `${col} >= ${b.at(now + (n + 1) * HOUR)}`;
    }
  }
  if (business) {
    const least = comparison === 'greater_than' ? n + 1 : comparison === 'is' ? n : 0;
    return `${col} <= ${b.at(now - least * HOUR)}`;
  }
  switch (comparison) {
    case 'is':
      return `${col} > ${b.at(now - (n + 1) * HOUR)} AND ${col} <= ${b.at(now - n * HOUR)}`;
    case 'less_than':
      return `${col} > ${b.at(now - n * HOUR)} AND ${col} <= ${b.at(now)}`;
    case 'greater_than':
      return `${col} <= ${b.at(now - (n + 1) * HOUR)}`;
  }
  return undefined;
};

/** Whether a time predicate decides its condition exactly (calendar hours) or only narrows it. */
const exactTime = (c: Condition): boolean => isTimeOperator(c.operator) && !splitOperator(c.operator).business;

/** A list column compared with a set of allowed values (null among them meaning "no value"). */
const oneOf = (b: Builder, col: string, allowed: readonly (string | null)[]): string => {
  const values = allowed.filter((v): v is string => v !== null);
  const withNull = allowed.includes(null);
  if (values.length === 0) return withNull ? `${col} IS NULL` : 'FALSE';
  const inList = `${col} = ANY(${b.param(values)}::text[])`;
  return withNull ? `(${col} IS NULL OR ${inList})` : inList;
};

/** status, priority, type: the values a condition allows, as the trigger engine ranks them. */
const enumPredicate = (b: Builder, c: Condition, values: readonly string[], nullable: boolean, ordered: boolean): Predicate => {
  const raw = typeof c.value === 'string' ? c.value.trim().toLowerCase() : c.value === null ? '' : undefined;
  if (raw === undefined) return undefined;
  const wanted: string | null = raw === '' ? null : raw;
  if (wanted === null && !nullable) return undefined;
  if (wanted !== null && !values.includes(wanted)) return undefined;
  const domain: (string | null)[] = nullable ? [null, ...values] : [...values];
  const rank = (v: string | null) => (v === null ? -1 : values.indexOf(v));
  const col = b.col(c.field);
  switch (c.operator) {
    case 'is':
      return oneOf(b, col, [wanted]);
    case 'is_not':
      return oneOf(b, col, domain.filter((v) => v !== wanted));
    case 'less_than':
    case 'greater_than':
      if (!ordered || wanted === null) return undefined;
      return oneOf(b, col, domain.filter((v) => (c.operator === 'less_than' ? rank(v) < rank(wanted) : rank(v) > rank(wanted))));
    default:
      return undefined;
  }
};

const idOf = (raw: unknown): number | undefined => {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) return raw;
  if (typeof raw === 'string' && /^\d{1,15}$/.test(raw.trim()) && Number(raw.trim()) > 0) return Number(raw.trim());
  return undefined;
};

/** group_id, assignee_id, requester_id: "" for none, an id, or a keyword of the trigger engine. */
const referencePredicate = (b: Builder, c: Condition): Predicate => {
  if (c.operator !== 'is' && c.operator !== 'is_not') return undefined;
  const is = c.operator === 'is';
  const col = b.col(c.field);
  // No user makes an automation's update: `current_user` is nobody, equal to no one.
  if (c.value === 'current_user' && (c.field === 'assignee_id' || c.field === 'requester_id')) return is ? 'FALSE' : 'TRUE';
  if (c.value === 'requester_id' && c.field === 'assignee_id') {
    return is ? `${col} = ${b.col('requester_id')}` : `${col} IS DISTINCT FROM ${b.col('requester_id')}`;
  }
  if (c.value === '' || c.value === null) return is ? `${col} IS NULL` : `${col} IS NOT NULL`;
  const id = idOf(c.value);
  if (id === undefined) return undefined;
  return is ? `${col} = ${b.param(id)}` : `${col} IS DISTINCT FROM ${b.param(id)}`;
};

const fieldPredicate = (b: Builder, c: Condition, now: number): { sql: string; exact: boolean } | undefined => {
  if (isTimeField(c.field)) {
    const sql = timePredicate(b, c, now);
    return sql === undefined ? undefined : { sql, exact: exactTime(c) };
  }
  let sql: Predicate;
  switch (c.field) {
    case 'status':
      sql = enumPredicate(b, c, TICKET_STATUSES, false, true);
      break;
    case 'priority':
      sql = enumPredicate(b, c, TICKET_PRIORITIES, true, true);
      break;
    case 'type':
      sql = enumPredicate(b, c, TICKET_TYPES, true, false);
      break;
    case 'group_id':
    case 'assignee_id':
    case 'requester_id':
      sql = referencePredicate(b, c);
      break;
    default:
      sql = undefined;
  }
  return sql === undefined ? undefined : { sql, exact: true };
};

export const toSqlFilter = (automation: Pick<Automation, 'id' | 'conditions'>, now: Date, options: SqlFilterOptions = {}): SqlFilter => {
  const b = new Builder(options.firstParam ?? 1, options.alias);
  const at = now.getTime();
  const parts: string[] = [];
  const residual: SqlFilter['residual'] = [];

  // Automations never run on closed tickets; only the standard close passes the 100-updates limit.
  parts.push(`${b.col('status')} <> ${b.param('closed')}`);
  if (automation.id !== (options.closeAutomationId ?? CLOSE_SOLVED_AUTOMATION.id)) {
    parts.push(`${b.col('automation_updates')} < ${b.param(MAX_AUTOMATION_UPDATES)}`);
  }

  (automation.conditions?.all ?? []).forEach((condition, index) => {
    const p = fieldPredicate(b, condition, at);
    if (p) parts.push(p.sql);
    if (!p || !p.exact) residual.push({ group: 'all', index, condition });
  });

  const any = automation.conditions?.any ?? [];
  if (any.length) {
    // Pushed down only whole: one condition left out would wrongly narrow an OR.
    const mark = b.params.length;
    const predicates = any.map((c) => fieldPredicate(b, c, at));
    if (predicates.every((p) => p !== undefined)) parts.push(`(${predicates.map((p) => p!.sql).join(' OR ')})`);
    // The ANY placeholders were numbered last: dropping them leaves every other number as it is.
    else b.params.splice(mark);
    any.forEach((condition, index) => {
      if (!predicates.every((p) => p?.exact)) residual.push({ group: 'any', index, condition });
    });
  }
  return { where: parts.join(' AND '), params: b.params, residual };
};

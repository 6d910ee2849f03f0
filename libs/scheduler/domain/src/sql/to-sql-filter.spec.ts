import { automationConditionsHold } from '../conditions/evaluate-automation';
import type { AutomationTicket } from '../model';
import { CLOSE_SOLVED_AUTOMATION } from '../standard-automations/standard-automations';
import { HOUR, NOW, automationOf, directory, hoursAfter, hoursBefore, ticketOf } from '../testing/fixtures';
import { TIME_FIELDS, type TimeField } from '../time/time-conditions';
import { toSqlFilter } from './to-sql-filter';

const timed = (field: string, operator: string, value: unknown) =>
  automationOf({ id: 'a', conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }, { field, operator, value }], any: [] }, actions: [{ field: 'priority', value: 'high' }] });

describe('toSqlFilter: the scan a tick runs, as text and parameters', () => {
  it('always leaves closed tickets and tickets at the 100-updates limit out', () => {
    expect(toSqlFilter(timed('NEW', 'greater_than', 2), NOW)).toEqual({
      where: 'status <> $1 AND automation_updates < $2 AND status = ANY($3::text[]) AND created_at <= $4',
      params: ['closed', 100, ['open'], hoursBefore(3)],
      residual: [],
    });
  });

  it('lets the standard close pass the limit', () => {
    expect(toSqlFilter({ ...CLOSE_SOLVED_AUTOMATION }, NOW)).toEqual({
      where: 'status <> $1 AND status = ANY($2::text[]) AND solved_at <= $3',
      params: ['closed', ['solved'], hoursBefore(97)],
      residual: [],
    });
  });

  it.each([
    ['is', 24, 'pending_at > $4 AND pending_at <= $5', [hoursBefore(25), hoursBefore(24)]],
    ['less_than', 24, 'pending_at > $4 AND pending_at <= $5', [hoursBefore(24), hoursBefore(0)]],
    ['greater_than', 24, 'pending_at <= $4', [hoursBefore(25)]],
  ])('PENDING %s %d: whole-hour cut-offs', (operator, n, where, cutoffs) => {
    const f = toSqlFilter(timed('PENDING', operator, n), NOW);
    expect(f.where).toBe(`status <> $1 AND automation_updates < $2 AND status = ANY($3::text[]) AND ${where}`);
    expect(f.params.slice(3)).toEqual(cutoffs);
  });

  it.each([
    ['is', 3, 'due_at >= $4 AND due_at < $5', [hoursAfter(3), hoursAfter(4)]],
    ['less_than', 3, 'due_at >= $4 AND due_at < $5', [hoursAfter(0), hoursAfter(3)]],
    ['greater_than', 3, 'due_at >= $4', [hoursAfter(4)]],
  ])('until_due_date %s %d counts forward', (operator, n, where, cutoffs) => {
    const f = toSqlFilter(timed('until_due_date', operator, n), NOW);
    expect(f.where.endsWith(where)).toBe(true);
    expect(f.params.slice(3)).toEqual(cutoffs);
  });

  it('business hours push down the calendar bound they imply and stay residual', () => {
    const f = toSqlFilter(timed('SOLVED', 'greater_than_business_hours', 8), NOW);
    expect(f.where.endsWith('solved_at <= $4')).toBe(true);
    expect(f.params[3]).toBe(hoursBefore(9));
    expect(f.residual.map((r) => r.condition.field)).toEqual(['SOLVED']);
  });

  it('pushes status, priority, type, group, assignee and requester; tags stay residual', () => {
    const a = automationOf({
      id: 'x',
      conditions: {
        all: [
          { field: 'status', operator: 'less_than', value: 'solved' },
          { field: 'priority', operator: 'less_than', value: 'high' },
          { field: 'type', operator: 'is_not', value: 'task' },
          { field: 'group_id', operator: 'is', value: '' },
          { field: 'assignee_id', operator: 'is', value: 'requester_id' },
          { field: 'requester_id', operator: 'is_not', value: 12 },
          { field: 'current_tags', operator: 'includes', value: 'vip' },
        ],
        any: [],
      },
      actions: [],
    });
    const f = toSqlFilter(a, NOW, { alias: 't', firstParam: 3 });
    expect(f.where).toBe(
      't.status <> $3 AND t.automation_updates < $4 AND t.status = ANY($5::text[]) AND (t.priority IS NULL OR t.priority = ANY($6::text[])) AND (t.type IS NULL OR t.type = ANY($7::text[])) AND t.group_id IS NULL AND t.assignee_id = t.requester_id AND t.requester_id IS DISTINCT FROM $8',
    );
    expect(f.params).toEqual(['closed', 100, ['new', 'open', 'pending', 'hold'], ['low', 'normal'], ['question', 'incident', 'problem'], 12]);
    expect(f.residual.map((r) => r.condition.field)).toEqual(['current_tags']);
  });

  it('an ANY list goes down whole or not at all', () => {
    const any = (conditions: { field: string; operator: string; value: unknown }[]) =>
      toSqlFilter(automationOf({ id: 'y', conditions: { all: [{ field: 'NEW', operator: 'greater_than', value: 1 }], any: conditions }, actions: [] }), NOW);
    expect(any([{ field: 'priority', operator: 'is', value: 'high' }, { field: 'priority', operator: 'is', value: 'urgent' }]).where).toBe(
      'status <> $1 AND automation_updates < $2 AND created_at <= $3 AND (priority = ANY($4::text[]) OR priority = ANY($5::text[]))',
    );
    const mixed = any([{ field: 'priority', operator: 'is', value: 'high' }, { field: 'current_tags', operator: 'includes', value: 'vip' }]);
    expect(mixed.where).toBe('status <> $1 AND automation_updates < $2 AND created_at <= $3');
    expect(mixed.params).toHaveLength(3);
    expect(mixed.residual.map((r) => r.group)).toEqual(['any', 'any']);
  });
});

/**
 * The cut-offs agree with the in-memory evaluator: the fragments of calendar time conditions are
 * conjunctions of `column op $n`, read here by a few lines that stand in for PostgreSQL.
 */
describe('the time cut-offs agree with the in-memory evaluator on random tickets', () => {
  const evalSql = (where: string, params: unknown[], ticket: AutomationTicket): boolean =>
    where.split(' AND ').every((part) => {
      const m = /^(\w+) (<=|<|>=|>|<>) \$(\d+)$/.exec(part);
      const any = /^status = ANY\(\$(\d+)::text\[\]\)$/.exec(part);
      if (any) return (params[Number(any[1]) - 1] as string[]).includes(ticket.status);
      if (!m) throw new Error(`unexpected ${part}`);
      const left = (ticket as unknown as Record<string, unknown>)[m[1]];
      const right = params[Number(m[3]) - 1];
      if (left === null || left === undefined) return false;
      const [a, b] = typeof left === 'string' ? [Date.parse(left), Date.parse(right as string)] : [left as number, right as number];
      switch (m[2]) {
        case '<=': return a <= b;
        case '<': return a < b;
        case '>=': return a >= b;
        case '>': return a > b;
        default: return a !== b;
      }
    });

  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

  it.each(Object.keys(TIME_FIELDS) as TimeField[])('%s', (field) => {
    for (let i = 0; i < 300; i++) {
      const operator = ['is', 'less_than', 'greater_than'][Math.floor(random() * 3)];
      const n = Math.floor(random() * 6);
      // Around the boundaries: whole hours, a second either side, or no value at all.
      const offset = (Math.floor(random() * 16) - 8) * HOUR + [0, -1000, 1000][Math.floor(random() * 3)];
      const value = random() < 0.1 ? null : new Date(NOW.getTime() + offset).toISOString();
      const column = TIME_FIELDS[field];
      // created_at and updated_at always have a value.
      const ticket = ticketOf({ [column]: value ?? (column === 'created_at' || column === 'updated_at' ? hoursBefore(1) : null) });
      const automation = timed(field, operator, n);
      const { where, params } = toSqlFilter(automation, NOW);
      expect({ operator, n, value, sql: evalSql(where, params, ticket) }).toEqual({ operator, n, value, sql: automationConditionsHold(automation, ticket, { now: NOW, directory }) });
    }
  });
});

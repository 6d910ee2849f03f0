import type { Schedule } from '@mailroom/rules-domain';
import type { AutomationTicket } from '../model';
import { HOUR, NOW, officeHours, ticketOf } from '../testing/fixtures';
import { businessMillisBetween } from './business-time';
import { TIME_FIELDS, evaluateTimeCondition, type TimeField } from './time-conditions';

const at = (ms: number) => new Date(ms).toISOString();
const SECOND = 1000;

const SINCE_FIELDS = (Object.keys(TIME_FIELDS) as TimeField[]).filter((f) => f !== 'until_due_date');

/** A ticket whose `field` happened `elapsedMs` before NOW. */
const since = (field: TimeField, elapsedMs: number): AutomationTicket => ticketOf({ [TIME_FIELDS[field]]: at(NOW.getTime() - elapsedMs) });
const holds = (field: string, operator: string, value: unknown, ticket: AutomationTicket, schedules?: Schedule[], now = NOW) =>
  evaluateTimeCondition({ field, operator, value }, ticket, { now, schedules }).matched;

describe('hours-since conditions count whole hours as Zendesk does (floor of the elapsed time)', () => {
  describe.each(SINCE_FIELDS)('%s', (field) => {
    it('is 2: from exactly 2 hours to just before 3, not a second earlier or later', () => {
      expect(holds(field, 'is', 2, since(field, 2 * HOUR - SECOND))).toBe(false);
      expect(holds(field, 'is', 2, since(field, 2 * HOUR))).toBe(true);
      expect(holds(field, 'is', '2', since(field, 3 * HOUR - SECOND))).toBe(true);
      expect(holds(field, 'is', 2, since(field, 3 * HOUR))).toBe(false);
    });

    it('less_than 24: until 23:59:59 after the event; the first run (0 hours) counts', () => {
      expect(holds(field, 'less_than', 24, since(field, 0))).toBe(true);
      expect(holds(field, 'less_than', 24, since(field, 24 * HOUR - SECOND))).toBe(true);
      expect(holds(field, 'less_than', 24, since(field, 24 * HOUR))).toBe(false);
    });

    it('greater_than 96: only once 97 whole hours have passed', () => {
      expect(holds(field, 'greater_than', 96, since(field, 96 * HOUR))).toBe(false);
      expect(holds(field, 'greater_than', 96, since(field, 97 * HOUR - SECOND))).toBe(false);
      expect(holds(field, 'greater_than', 96, since(field, 97 * HOUR))).toBe(true);
    });

    it('never holds when the ticket has no such time, nor for a time after the clock', () => {
      const none = ticketOf({ [TIME_FIELDS[field]]: null });
      const column = TIME_FIELDS[field];
      if (column !== 'created_at' && column !== 'updated_at') {
        for (const op of ['is', 'less_than', 'greater_than']) expect(holds(field, op, 0, none)).toBe(false);
      }
      expect(holds(field, 'less_than', 5, since(field, -HOUR))).toBe(false);
    });
  });

  it('the reference example: solved 9:15, runs at 10:10 (0 h), 11:10 (1 h), 12:10 (2 h: "is 2" fires)', () => {
    const ticket = ticketOf({ solved_at: '2026-01-05T09:15:00Z' });
    const run = (hhmm: string) => holds('SOLVED', 'is', 2, ticket, undefined, new Date(`2026-01-05T${hhmm}:00Z`));
    expect([run('10:10'), run('11:10'), run('12:10')]).toEqual([false, false, true]);
  });
});

describe('hours until due date counts down to the due instant (noon of the due day)', () => {
  const due = (inMs: number) => ticketOf({ type: 'task', due_at: at(NOW.getTime() + inMs) });

  it('is 3: from exactly 3 hours ahead to just under 4', () => {
    expect(holds('until_due_date', 'is', 3, due(3 * HOUR - SECOND))).toBe(false);
    expect(holds('until_due_date', 'is', 3, due(3 * HOUR))).toBe(true);
    expect(holds('until_due_date', 'is', 3, due(4 * HOUR - SECOND))).toBe(true);
    expect(holds('until_due_date', 'is', 3, due(4 * HOUR))).toBe(false);
  });

  it('less_than and greater_than at the hour boundaries; nothing once the due date has passed', () => {
    expect(holds('until_due_date', 'less_than', 24, due(24 * HOUR - SECOND))).toBe(true);
    expect(holds('until_due_date', 'less_than', 24, due(24 * HOUR))).toBe(false);
    expect(holds('until_due_date', 'greater_than', 24, due(25 * HOUR - SECOND))).toBe(false);
    expect(holds('until_due_date', 'greater_than', 24, due(25 * HOUR))).toBe(true);
    expect(holds('until_due_date', 'less_than', 24, due(-SECOND))).toBe(false);
    expect(holds('due_date', 'is', 0, due(-SECOND))).toBe(true);
  });
});

describe('business-hours variants count only the schedule\'s hours', () => {
  const utc = officeHours(1, 'UTC');

  it('given a ticket solved Friday 16:00 and a run Monday 10:00, when counted in business hours, then 2 hours (calendar 66)', () => {
    // NOW is Monday 2026-01-05 10:00 UTC.
    const ticket = ticketOf({ solved_at: '2026-01-02T16:00:00Z' });
    expect(holds('SOLVED', 'is_business_hours', 2, ticket, [utc])).toBe(true);
    expect(holds('SOLVED', 'greater_than_business_hours', 1, ticket, [utc])).toBe(true);
    expect(holds('SOLVED', 'greater_than_business_hours', 2, ticket, [utc])).toBe(false);
    expect(holds('SOLVED', 'less_than_business_hours', 3, ticket, [utc])).toBe(true);
    expect(holds('SOLVED', 'is', 66, ticket)).toBe(true);
  });

  it('a holiday counts as outside business hours', () => {
    const withHoliday = officeHours(1, 'UTC', [{ name: 'Closed Friday', start_date: '2026-01-02', end_date: '2026-01-02' }]);
    const ticket = ticketOf({ solved_at: '2026-01-02T10:00:00Z' });
    expect(holds('SOLVED', 'is_business_hours', 1, ticket, [withHoliday])).toBe(true);
    expect(holds('SOLVED', 'is_business_hours', 8, ticket, [utc])).toBe(true);
  });

  it('the ticket\'s own schedule wins over the default (first) one, in its own time zone', () => {
    const tokyo = officeHours(2, 'Asia/Tokyo');
    // Monday 10:00 UTC = 19:00 Tokyo; since Monday 00:00 UTC (09:00 Tokyo) Tokyo had its whole day: 8 hours.
    const ticket = ticketOf({ schedule_id: 2, solved_at: '2026-01-05T00:00:00Z' });
    expect(holds('SOLVED', 'is_business_hours', 8, ticket, [utc, tokyo])).toBe(true);
    expect(holds('SOLVED', 'is_business_hours', 1, { ...ticket, schedule_id: null }, [utc, tokyo])).toBe(true);
  });

  it('hours until due date in business hours', () => {
    // Due Tuesday 12:00 UTC: Monday 10-17 (7 h) + Tuesday 9-12 (3 h) = 10 business hours.
    const ticket = ticketOf({ type: 'task', due_at: '2026-01-06T12:00:00Z' });
    expect(holds('until_due_date', 'is_business_hours', 10, ticket, [utc])).toBe(true);
    expect(holds('until_due_date', 'is', 26, ticket)).toBe(true);
  });

  it('without a schedule the condition cannot be judged and is false with a reason', () => {
    const verdict = evaluateTimeCondition({ field: 'SOLVED', operator: 'is_business_hours', value: 1 }, ticketOf({ solved_at: '2026-01-05T09:00:00Z' }), { now: NOW });
    expect(verdict).toEqual({ matched: false, problem: 'no business-hours schedule is set up' });
  });

  it('a daylight-saving change inside the span is walked in real time', () => {
    const always: Schedule = { id: 3, time_zone: 'Europe/Paris', intervals: [{ start_time: 0, end_time: 7 * 1440 }], holidays: [] };
    // Paris moves to summer time on Sunday 29 March 2026: 48 real hours are 48 business hours.
    expect(businessMillisBetween(always, Date.parse('2026-03-28T12:00:00Z'), Date.parse('2026-03-30T12:00:00Z'))).toBe(48 * HOUR);
    const paris = officeHours(4, 'Europe/Paris');
    // Friday 16:00 CET (15:00Z) to Monday 10:00 CEST (08:00Z): Friday 16-17 and Monday 9-10.
    expect(businessMillisBetween(paris, Date.parse('2026-03-27T15:00:00Z'), Date.parse('2026-03-30T08:00:00Z'))).toBe(2 * HOUR);
  });
});

describe('a time condition as written', () => {
  it('refuses an operator it does not have and a value that is not whole hours', () => {
    const t = ticketOf({ solved_at: '2026-01-05T09:00:00Z' });
    expect(evaluateTimeCondition({ field: 'SOLVED', operator: 'is_not', value: 1 }, t, { now: NOW }).problem).toMatch(/not supported/);
    expect(evaluateTimeCondition({ field: 'SOLVED', operator: 'is', value: 1.5 }, t, { now: NOW }).problem).toMatch(/whole number/);
    expect(evaluateTimeCondition({ field: 'SOLVED', operator: 'is', value: '-1' }, t, { now: NOW }).problem).toMatch(/whole number/);
  });
});

import type { Schedule } from '@mailroom/rules-domain';

/**
 * What the business-hours API accepts, checked without I/O. A schedule is Zendesk's shape: a name,
 * an IANA time zone, weekly intervals in minutes from Sunday 00:00 local time (end exclusive) and
 * holidays as whole local days. Refusals are values: the field and a sentence for the 422.
 */

export type Refusal = { field: string; description: string };
export type Checked<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const refuse = <T>(field: string, description: string): Checked<T> => ({ ok: false, refusal: { field, description } });

export const WEEK_MINUTES = 7 * 24 * 60;

/** Zendesk's default for a new schedule: Monday to Friday, 09:00–17:00. */
export const DEFAULT_WORKWEEK: Schedule['intervals'] = [1, 2, 3, 4, 5].map((day) => ({ start_time: day * 1440 + 540, end_time: day * 1440 + 1020 }));

export type Holiday = { id: number; name: string; start_date: string; end_date: string };
/** A stored schedule: the rules domain's Schedule with named holidays that have ids. */
export type StoredSchedule = Omit<Schedule, 'name' | 'holidays'> & { name: string; holidays: Holiday[] };

const knownTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const cleanName = (raw: unknown): string | null => {
  if (typeof raw !== 'string') return null;
  const name = raw.replace(/\s+/g, ' ').trim();
  return name && name.length <= 255 ? name : null;
};

/** `{name, time_zone}` of a new schedule (both required) or of a change (either). */
export const checkScheduleFields = (raw: Record<string, unknown>, partial: boolean): Checked<{ name?: string; time_zone?: string }> => {
  const out: { name?: string; time_zone?: string } = {};
  if (raw.name !== undefined || !partial) {
    const name = cleanName(raw.name);
    if (!name) return refuse('name', 'Name: cannot be blank');
    out.name = name;
  }
  if (raw.time_zone !== undefined || !partial) {
    if (typeof raw.time_zone !== 'string' || !knownTimeZone(raw.time_zone)) {
      return refuse('time_zone', `Time zone: ${JSON.stringify(raw.time_zone ?? null)} is not an IANA time zone (e.g. "Europe/Paris")`);
    }
    out.time_zone = raw.time_zone;
  }
  return ok(out);
};

/** Weekly intervals: whole minutes within the week, start before end, none overlapping; sorted. */
export const checkIntervals = (raw: unknown): Checked<Schedule['intervals']> => {
  if (!Array.isArray(raw)) return refuse('intervals', 'Intervals: must be a list of {start_time, end_time}');
  const intervals: Schedule['intervals'] = [];
  for (const [i, item] of raw.entries()) {
    const r = item as Record<string, unknown> | null;
    const start = r?.start_time;
    const end = r?.end_time;
    if (!Number.isInteger(start) || !Number.isInteger(end)) return refuse('intervals', `Intervals (#${i + 1}): start_time and end_time must be whole minutes`);
    const s = start as number;
    const e = end as number;
    if (s < 0 || e > WEEK_MINUTES || s >= e) return refuse('intervals', `Intervals (#${i + 1}): needs 0 <= start_time < end_time <= ${WEEK_MINUTES}`);
    intervals.push({ start_time: s, end_time: e });
  }
  intervals.sort((a, b) => a.start_time - b.start_time);
  for (let i = 1; i < intervals.length; i++) {
    if (intervals[i].start_time < intervals[i - 1].end_time) return refuse('intervals', 'Intervals: may not overlap');
  }
  return ok(intervals);
};

const isDate = (raw: unknown): raw is string => {
  if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw)) return false;
  const d = new Date(`${raw}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === raw;
};

/** A holiday's `{name, start_date, end_date}` (all required when new); both dates inclusive. */
export const checkHoliday = (raw: Record<string, unknown>, current?: Omit<Holiday, 'id'>): Checked<Omit<Holiday, 'id'>> => {
  const name = raw.name === undefined && current ? current.name : cleanName(raw.name);
  if (!name) return refuse('name', 'Name: cannot be blank');
  const start = raw.start_date === undefined && current ? current.start_date : raw.start_date;
  const end = raw.end_date === undefined && current ? current.end_date : raw.end_date;
  if (!isDate(start)) return refuse('start_date', 'Start date: must be a date as YYYY-MM-DD');
  if (!isDate(end)) return refuse('end_date', 'End date: must be a date as YYYY-MM-DD');
  if (end < start) return refuse('end_date', 'End date: cannot be before the start date');
  return ok({ name, start_date: start, end_date: end });
};

import type { Schedule } from '../model';

/**
 * Business hours without I/O: the instant is given, the schedule's time zone is applied with Intl
 * (tz data ships with Node), so the same inputs always give the same answer.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for a time zone Intl does not know; callers report it.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
};

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export interface LocalTime {
  /** YYYY-MM-DD in the time zone. */
  date: string;
  /** Minutes since Sunday 00:00 in the time zone, as Zendesk's schedule intervals count them. */
  weekMinute: number;
}

const localTimes = new Map<string, LocalTime>();

export const localTime = (instant: Date, timeZone: string): LocalTime => {
  // One update asks the same question of many triggers: remember the last answers.
  const key = `${timeZone}\u0000${instant.getTime()}`;
  const known = localTimes.get(key);
  if (known) return known;
  const local = computeLocalTime(instant, timeZone);
  if (localTimes.size >= 512) localTimes.clear();
  localTimes.set(key, local);
  return local;
};

const computeLocalTime = (instant: Date, timeZone: string): LocalTime => {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  const day = WEEKDAYS.indexOf(parts.weekday);
  const hour = Number(parts.hour) % 24;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekMinute: day * 1440 + hour * 60 + Number(parts.minute) };
};

export type BusinessHoursVerdict =
  | { within: boolean; reason: string; holiday?: string }
  | { problem: string };

const hhmm = (weekMinute: number): string => {
  const m = weekMinute % 1440;
  return `${WEEKDAYS[Math.floor(weekMinute / 1440)]} ${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

/** Whether an instant falls inside a schedule's weekly hours and outside its holidays. */
export const withinSchedule = (schedule: Schedule, instant: Date): BusinessHoursVerdict => {
  if (Number.isNaN(instant.getTime())) return { problem: 'the clock gave no valid time' };
  let local: LocalTime;
  try {
    local = localTime(instant, schedule.time_zone);
  } catch {
    return { problem: `schedule ${schedule.id} has an unknown time zone "${schedule.time_zone}"` };
  }
  const at = `${local.date} ${hhmm(local.weekMinute)} ${schedule.time_zone}`;
  const holiday = (schedule.holidays ?? []).find((h) => h.start_date <= local.date && local.date <= h.end_date);
  if (holiday) {
    return { within: false, reason: `${at} is a holiday${holiday.name ? ` (${holiday.name})` : ''}`, holiday: holiday.name ?? '' };
  }
  const within = (schedule.intervals ?? []).some((i) => i.start_time <= local.weekMinute && local.weekMinute < i.end_time);
  return { within, reason: `${at} is ${within ? 'within' : 'outside'} business hours of schedule ${schedule.id}` };
};

/** The schedule that applies to a ticket: its own, else the account's default (the first). */
export const scheduleFor = (
  scheduleId: number | null | undefined,
  schedules: readonly Schedule[] | undefined,
): Schedule | undefined => {
  if (!schedules || schedules.length === 0) return undefined;
  if (scheduleId !== null && scheduleId !== undefined) {
    const own = schedules.find((s) => s.id === scheduleId);
    if (own) return own;
  }
  return schedules[0];
};

/** `{day, from: 'HH:MM', to: 'HH:MM'}` → Zendesk's week-minute interval; for tests and seeds. */
export const weeklyInterval = (day: number, from: string, to: string): { start_time: number; end_time: number } => {
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return { start_time: day * 1440 + minutes(from), end_time: day * 1440 + minutes(to) };
};

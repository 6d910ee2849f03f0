import { localTime, type Schedule } from '@mailroom/rules-domain';

/**
 * Business time between two instants under a schedule: the minutes that fall inside its weekly
 * intervals and outside its holidays, in the schedule's time zone. Pure: the instants are given
 * and the time zone is applied with Intl, as the trigger engine's business-hours conditions do.
 *
 * The walk goes from one boundary to the next (an interval's start or end, local midnight), so a
 * month costs about a hundred steps. A step assumes the local clock moves with UTC; where the
 * UTC offset differs at its two ends (a daylight-saving change inside it), the step is cut to the
 * next quarter hour of UTC, since every offset — and so every change of offset — falls on one.
 */

const MINUTE = 60_000;
const QUARTER_HOUR = 15 * MINUTE;
const DAY_MINUTES = 1440;

const offsetMinutes = (instant: number, timeZone: string): number => {
  const local = localTime(new Date(instant), timeZone);
  const wall = Date.parse(`${local.date}T00:00:00Z`) + (local.weekMinute % DAY_MINUTES) * MINUTE;
  return Math.round((wall - Math.floor(instant / MINUTE) * MINUTE) / MINUTE);
};

/** Business milliseconds in [from, to); 0 when `to` is not after `from`. Throws RangeError on an unknown time zone. */
export const businessMillisBetween = (schedule: Schedule, from: number, to: number): number => {
  let total = 0;
  let t = from;
  while (t < to) {
    const local = localTime(new Date(t), schedule.time_zone);
    // Seconds inside the current minute: the local minute ends where the UTC minute does.
    const intoMinute = t - Math.floor(t / MINUTE) * MINUTE;
    const dayMinute = local.weekMinute % DAY_MINUTES;
    const holiday = (schedule.holidays ?? []).some((h) => h.start_date <= local.date && local.date <= h.end_date);
    let within = false;
    let minutesAhead = DAY_MINUTES - dayMinute; // to local midnight, where a holiday may start or end
    if (!holiday) {
      for (const i of schedule.intervals ?? []) {
        if (i.start_time <= local.weekMinute && local.weekMinute < i.end_time) {
          within = true;
          minutesAhead = Math.min(minutesAhead, i.end_time - local.weekMinute);
        } else if (i.start_time > local.weekMinute) {
          minutesAhead = Math.min(minutesAhead, i.start_time - local.weekMinute);
        }
      }
      // Intervals that abut (17:00-24:00, 00:00-09:00 next day) are walked one after the other.
    }
    let step = minutesAhead * MINUTE - intoMinute;
    if (offsetMinutes(t, schedule.time_zone) !== offsetMinutes(t + step, schedule.time_zone)) {
      step = Math.min(step, QUARTER_HOUR - (t % QUARTER_HOUR));
    }
    step = Math.max(1, Math.min(step, to - t));
    if (within) total += step;
    t += step;
  }
  return total;
};

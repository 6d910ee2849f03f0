import type { Schedule } from '../model';
import { localTime, scheduleFor, weeklyInterval, withinSchedule } from './business-hours';

describe('business hours', () => {
  it('count week minutes from Sunday midnight in the schedule\'s time zone', () => {
    expect(weeklyInterval(1, '09:00', '17:30')).toEqual({ start_time: 1980, end_time: 2490 });
    // Monday 2026-11-23 14:05 UTC is 09:05 in New York (EST, UTC-5).
    expect(localTime(new Date('2026-11-23T14:05:00Z'), 'America/New_York')).toEqual({ date: '2026-11-23', weekMinute: 1440 + 9 * 60 + 5 });
    // Saturday 23:30 UTC is already Sunday 08:30 in Tokyo: the week wraps to minute 510.
    expect(localTime(new Date('2026-11-28T23:30:00Z'), 'Asia/Tokyo')).toEqual({ date: '2026-11-29', weekMinute: 510 });
  });

  it('follow daylight saving time', () => {
    const ny: Schedule = { id: 1, time_zone: 'America/New_York', intervals: [weeklyInterval(1, '09:00', '10:00')], holidays: [] };
    // 13:30 UTC on a Monday is 09:30 in summer (EDT) and 08:30 in winter (EST).
    expect(withinSchedule(ny, new Date('2026-07-06T13:30:00Z'))).toMatchObject({ within: true });
    expect(withinSchedule(ny, new Date('2026-11-23T13:30:00Z'))).toMatchObject({ within: false });
  });

  it('treat the end of an interval as outside, and holidays spanning days as outside', () => {
    const utc: Schedule = {
      id: 2,
      time_zone: 'UTC',
      intervals: [weeklyInterval(1, '09:00', '17:00'), weeklyInterval(2, '09:00', '17:00')],
      holidays: [{ name: 'Retreat', start_date: '2026-11-30', end_date: '2026-12-01' }],
    };
    expect(withinSchedule(utc, new Date('2026-11-23T16:59:00Z'))).toMatchObject({ within: true });
    expect(withinSchedule(utc, new Date('2026-11-23T17:00:00Z'))).toMatchObject({ within: false });
    expect(withinSchedule(utc, new Date('2026-12-01T10:00:00Z'))).toMatchObject({ within: false, holiday: 'Retreat' });
    expect(withinSchedule(utc, new Date('2026-12-08T10:00:00Z'))).toMatchObject({ within: true });
  });

  it('report an unknown time zone instead of throwing, and pick the ticket\'s schedule or the default', () => {
    const bad: Schedule = { id: 3, time_zone: 'Mars/Olympus', intervals: [], holidays: [] };
    expect(withinSchedule(bad, new Date())).toEqual({ problem: 'schedule 3 has an unknown time zone "Mars/Olympus"' });
    const a = { ...bad, id: 10 };
    const b = { ...bad, id: 11 };
    expect(scheduleFor(11, [a, b])).toBe(b);
    expect(scheduleFor(null, [a, b])).toBe(a);
    expect(scheduleFor(99, [a, b])).toBe(a);
    expect(scheduleFor(11, [])).toBeUndefined();
  });
});

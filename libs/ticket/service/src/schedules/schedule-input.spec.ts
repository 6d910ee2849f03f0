import { checkHoliday, checkIntervals, checkScheduleFields, DEFAULT_WORKWEEK } from './schedule-input';

describe('business-hours schedule input', () => {
  it('needs a name and an IANA time zone for a new schedule, either one for a change', () => {
    expect(checkScheduleFields({ name: ' Paris  office ', time_zone: 'Europe/Paris' }, false)).toEqual({ ok: true, value: { name: 'Paris office', time_zone: 'Europe/Paris' } });
    expect(checkScheduleFields({ time_zone: 'Europe/Paris' }, false)).toMatchObject({ ok: false, refusal: { field: 'name' } });
    expect(checkScheduleFields({ name: 'X', time_zone: 'Mars/Olympus' }, false)).toMatchObject({ ok: false, refusal: { field: 'time_zone' } });
    expect(checkScheduleFields({ time_zone: 'Asia/Kolkata' }, true)).toEqual({ ok: true, value: { time_zone: 'Asia/Kolkata' } });
  });

  it('keeps weekly intervals inside the week, sorted, and refuses overlaps and empty ones', () => {
    expect(checkIntervals([{ start_time: 2000, end_time: 2100 }, { start_time: 600, end_time: 700 }])).toEqual({
      ok: true,
      value: [{ start_time: 600, end_time: 700 }, { start_time: 2000, end_time: 2100 }],
    });
    expect(checkIntervals([{ start_time: 600, end_time: 700 }, { start_time: 650, end_time: 800 }])).toMatchObject({ ok: false, refusal: { description: 'Intervals: may not overlap' } });
    expect(checkIntervals([{ start_time: 700, end_time: 700 }]).ok).toBe(false);
    expect(checkIntervals([{ start_time: 0, end_time: 10081 }]).ok).toBe(false);
    expect(checkIntervals([{ start_time: '1', end_time: 5 }]).ok).toBe(false);
    expect(checkIntervals('9 to 5').ok).toBe(false);
    expect(checkIntervals([]).ok).toBe(true);
  });

  it('defaults a new schedule to Monday–Friday 09:00–17:00', () => {
    expect(DEFAULT_WORKWEEK[0]).toEqual({ start_time: 1980, end_time: 2460 });
    expect(DEFAULT_WORKWEEK).toHaveLength(5);
  });

  it('takes holidays as real dates, end not before start, and merges a change into the current one', () => {
    expect(checkHoliday({ name: 'Christmas', start_date: '2026-12-25', end_date: '2026-12-26' })).toEqual({ ok: true, value: { name: 'Christmas', start_date: '2026-12-25', end_date: '2026-12-26' } });
    expect(checkHoliday({ name: 'Nope', start_date: '2026-02-30', end_date: '2026-03-01' })).toMatchObject({ ok: false, refusal: { field: 'start_date' } });
    expect(checkHoliday({ name: 'Backwards', start_date: '2026-12-26', end_date: '2026-12-25' })).toMatchObject({ ok: false, refusal: { field: 'end_date' } });
    expect(checkHoliday({ start_date: '2026-12-24' }, { name: 'Christmas', start_date: '2026-12-25', end_date: '2026-12-26' })).toEqual({
      ok: true,
      value: { name: 'Christmas', start_date: '2026-12-24', end_date: '2026-12-26' },
    });
  });
});

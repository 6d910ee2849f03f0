import type { Actor, ScheduleEvent } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { checkHoliday, checkIntervals, checkScheduleFields, DEFAULT_WORKWEEK, type Checked, type Holiday, type StoredSchedule } from './schedule-input';

/**
 * Business-hours schedules: rules.schedules is the state of the `schedules` stream, each change
 * an event (`schedule.created` / `schedule.updated` with the whole schedule after it /
 * `schedule.deleted`) appended in the same transaction as the row. The rules service reads the
 * table on every ticket update, so a change applies to the next update on every replica.
 */
export const SCHEDULES_STREAM = 'schedules';
const STREAM_TYPE = 'schedules';
// One writer at a time: holidays live inside the schedule's row.
const SCHEDULES_LOCK = 7_013_001;

export interface ScheduleRecord {
  schedule: StoredSchedule;
  createdAt: string;
  updatedAt: string;
}

type Result<T> = Checked<T> | { ok: false; notFound: true };
const missing = { ok: false as const, notFound: true as const };

export class ScheduleStore {
  constructor(private readonly store: EventStore = new EventStore()) {}

  async list(db: Db): Promise<ScheduleRecord[]> {
    const rows = await db.query<{ data: StoredSchedule; created_at: Date; updated_at: Date }>(`SELECT data, created_at, updated_at FROM rules.schedules ORDER BY id`);
    return rows.map(toRecord);
  }

  async byId(db: Db, id: number): Promise<ScheduleRecord | null> {
    const rows = await db.query<{ data: StoredSchedule; created_at: Date; updated_at: Date }>(`SELECT data, created_at, updated_at FROM rules.schedules WHERE id = $1`, [id]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async create(tx: Db, raw: Record<string, unknown>, actor: Actor, now: string): Promise<Result<ScheduleRecord>> {
    const fields = checkScheduleFields(raw, false);
    if (!fields.ok) return fields;
    let intervals = DEFAULT_WORKWEEK;
    if (raw.intervals !== undefined) {
      const checked = checkIntervals(raw.intervals);
      if (!checked.ok) return checked;
      intervals = checked.value;
    }
    await this.lock(tx);
    const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval('rules.schedule_ids') AS id`);
    const schedule: StoredSchedule = { id: Number(id), name: fields.value.name!, time_zone: fields.value.time_zone!, intervals, holidays: [] };
    await tx.query(`INSERT INTO rules.schedules (id, data, created_at, updated_at) VALUES ($1, $2, $3, $3)`, [schedule.id, JSON.stringify(schedule), now]);
    await this.append(tx, { type: 'schedule.created', data: { schedule, createdAt: now } }, actor, now);
    return { ok: true, value: { schedule, createdAt: now, updatedAt: now } };
  }

  /** Name and time zone (`PUT /schedules/{id}`). */
  async update(tx: Db, id: number, raw: Record<string, unknown>, actor: Actor, now: string): Promise<Result<ScheduleRecord>> {
    const fields = checkScheduleFields(raw, true);
    if (!fields.ok) return fields;
    return this.change(tx, id, actor, now, (s) => ({ ok: true, value: { ...s, ...fields.value } }), Object.keys(fields.value));
  }

  /** The weekly hours (`PUT /schedules/{id}/workweek`), replaced as a whole. */
  async setWorkweek(tx: Db, id: number, raw: unknown, actor: Actor, now: string): Promise<Result<ScheduleRecord>> {
    const intervals = checkIntervals(raw);
    if (!intervals.ok) return intervals;
    return this.change(tx, id, actor, now, (s) => ({ ok: true, value: { ...s, intervals: intervals.value } }), ['intervals']);
  }

  async addHoliday(tx: Db, id: number, raw: Record<string, unknown>, actor: Actor, now: string): Promise<Result<{ record: ScheduleRecord; holiday: Holiday }>> {
    const checked = checkHoliday(raw);
    if (!checked.ok) return checked;
    await this.lock(tx);
    const [{ id: holidayId }] = await tx.query<{ id: string }>(`SELECT nextval('rules.schedule_holiday_ids') AS id`);
    const holiday: Holiday = { id: Number(holidayId), ...checked.value };
    const r = await this.change(tx, id, actor, now, (s) => ({ ok: true, value: { ...s, holidays: [...s.holidays, holiday] } }), ['holidays']);
    return r.ok ? { ok: true, value: { record: r.value, holiday } } : r;
  }

  async updateHoliday(tx: Db, id: number, holidayId: number, raw: Record<string, unknown>, actor: Actor, now: string): Promise<Result<{ record: ScheduleRecord; holiday: Holiday }>> {
    let updated: Holiday | undefined;
    const r = await this.change(tx, id, actor, now, (s) => {
      const current = s.holidays.find((h) => h.id === holidayId);
      if (!current) return missing;
      const checked = checkHoliday(raw, current);
      if (!checked.ok) return checked;
      updated = { id: holidayId, ...checked.value };
      return { ok: true, value: { ...s, holidays: s.holidays.map((h) => (h.id === holidayId ? updated! : h)) } };
    }, ['holidays']);
    return r.ok ? { ok: true, value: { record: r.value, holiday: updated! } } : r;
  }

  async deleteHoliday(tx: Db, id: number, holidayId: number, actor: Actor, now: string): Promise<Result<ScheduleRecord>> {
    return this.change(tx, id, actor, now, (s) => (s.holidays.some((h) => h.id === holidayId) ? { ok: true, value: { ...s, holidays: s.holidays.filter((h) => h.id !== holidayId) } } : missing), ['holidays']);
  }

  async delete(tx: Db, id: number, actor: Actor, now: string): Promise<Result<null>> {
    await this.lock(tx);
    const rows = await tx.query(`DELETE FROM rules.schedules WHERE id = $1 RETURNING id`, [id]);
    if (rows.length === 0) return missing;
    await this.append(tx, { type: 'schedule.deleted', data: { scheduleId: id, deletedAt: now } }, actor, now);
    return { ok: true, value: null };
  }

  private async change(
    tx: Db,
    id: number,
    actor: Actor,
    now: string,
    edit: (s: StoredSchedule) => Result<StoredSchedule>,
    changed: string[],
  ): Promise<Result<ScheduleRecord>> {
    await this.lock(tx);
    const rows = await tx.query<{ data: StoredSchedule; created_at: Date }>(`SELECT data, created_at FROM rules.schedules WHERE id = $1`, [id]);
    if (rows.length === 0) return missing;
    const next = edit(rows[0].data);
    if (!next.ok) return next;
    await tx.query(`UPDATE rules.schedules SET data = $2, updated_at = $3 WHERE id = $1`, [id, JSON.stringify(next.value), now]);
    await this.append(tx, { type: 'schedule.updated', data: { scheduleId: id, schedule: next.value, changed, updatedAt: now } }, actor, now);
    return { ok: true, value: { schedule: next.value, createdAt: new Date(rows[0].created_at).toISOString(), updatedAt: now } };
  }

  private async lock(tx: Db): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(${SCHEDULES_LOCK})`);
  }

  private async append(tx: Db, event: ScheduleEvent, actor: Actor, now: string): Promise<void> {
    await this.store.append(tx, SCHEDULES_STREAM, STREAM_TYPE, 'any', [event], { actor, occurredAt: now });
  }
}

const toRecord = (r: { data: StoredSchedule; created_at: Date; updated_at: Date }): ScheduleRecord => ({
  schedule: r.data,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

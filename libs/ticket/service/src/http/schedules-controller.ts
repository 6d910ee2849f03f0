import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import type { Actor } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { Checked, Holiday } from '../schedules/schedule-input';
import { ScheduleStore, type ScheduleRecord } from '../schedules/schedule-store';
import { ApiError, AuthGuard, invalid, notFound, pathId, requireAdmin, requireAgent } from '@mailroom/http';
import type { AuthedRequest } from './authenticator';

/** The schedules API's dependencies: the table the rules service reads, and the clock. */
export class SchedulesApi {
  constructor(
    readonly db: Db,
    readonly baseUrl: string,
    readonly store: ScheduleStore = new ScheduleStore(),
    readonly clock: () => Date = () => new Date(),
  ) {}

  scheduleJson(r: ScheduleRecord): Record<string, unknown> {
    const s = r.schedule;
    return {
      url: `${this.baseUrl}/api/v2/business_hours/schedules/${s.id}.json`,
      id: s.id,
      name: s.name,
      time_zone: s.time_zone,
      intervals: s.intervals,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    };
  }

  holidayJson(scheduleId: number, h: Holiday): Record<string, unknown> {
    return { url: `${this.baseUrl}/api/v2/business_hours/schedules/${scheduleId}/holidays/${h.id}.json`, id: h.id, name: h.name, start_date: h.start_date, end_date: h.end_date };
  }

  /** One change in one transaction (row and event together); refusals become Zendesk's 404/422. */
  async change<T>(work: (tx: Db, now: string) => Promise<Checked<T> | { ok: false; notFound: true }>): Promise<T> {
    const r = await this.db.transaction((tx) => work(tx, this.clock().toISOString()));
    if (r.ok) return r.value;
    if ('notFound' in r) throw notFound();
    throw invalid(r.refusal.field, r.refusal.description);
  }
}

const adminActor = (req: AuthedRequest): Actor => ({ userId: requireAdmin(req.user).id, role: 'admin' });

const payload = (body: unknown, key: string): Record<string, unknown> => {
  const inner = (body as Record<string, unknown> | null)?.[key];
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new ApiError(400, { error: 'InvalidRequest', description: `the body needs a "${key}" object` });
  return inner as Record<string, unknown>;
};

/**
 * `/api/v2/business_hours/schedules` (Zendesk's Schedules API): schedules with a time zone, weekly
 * hours (`PUT …/workweek`) and holidays (`…/holidays`). Agents read, admins change. The first
 * schedule (lowest id) is the account's default, used by `in_business_hours` conditions for
 * tickets without a schedule of their own. Time zones are IANA names (`Europe/Paris`), not
 * Zendesk's Rails names.
 */
@Controller('api/v2/business_hours/schedules')
@UseGuards(AuthGuard)
export class SchedulesController {
  constructor(private readonly api: SchedulesApi) {}

  @Get()
  async list(@Req() req: AuthedRequest) {
    requireAgent(req.user);
    return { schedules: (await this.api.store.list(this.api.db)).map((r) => this.api.scheduleJson(r)) };
  }

  @Post()
  @HttpCode(201)
  async create(@Req() req: AuthedRequest, @Body() body: unknown) {
    const actor = adminActor(req);
    const input = payload(body, 'schedule');
    return { schedule: this.api.scheduleJson(await this.api.change((tx, now) => this.api.store.create(tx, input, actor, now))) };
  }

  @Get(':id')
  async show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    const r = await this.api.store.byId(this.api.db, pathId(id));
    if (!r) throw notFound();
    return { schedule: this.api.scheduleJson(r) };
  }

  @Put(':id')
  async update(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    const actor = adminActor(req);
    const input = payload(body, 'schedule');
    return { schedule: this.api.scheduleJson(await this.api.change((tx, now) => this.api.store.update(tx, pathId(id), input, actor, now))) };
  }

  @Put(':id/workweek')
  async workweek(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    const actor = adminActor(req);
    const input = payload(body, 'workweek');
    const r = await this.api.change((tx, now) => this.api.store.setWorkweek(tx, pathId(id), input.intervals, actor, now));
    return { workweek: { intervals: r.schedule.intervals } };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Req() req: AuthedRequest, @Param('id') id: string) {
    const actor = adminActor(req);
    await this.api.change((tx, now) => this.api.store.delete(tx, pathId(id), actor, now));
  }

  @Get(':id/holidays')
  async holidays(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    const r = await this.api.store.byId(this.api.db, pathId(id));
    if (!r) throw notFound();
    return { holidays: r.schedule.holidays.map((h) => this.api.holidayJson(r.schedule.id, h)) };
  }

  @Post(':id/holidays')
  @HttpCode(201)
  async addHoliday(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    const actor = adminActor(req);
    const input = payload(body, 'holiday');
    const r = await this.api.change((tx, now) => this.api.store.addHoliday(tx, pathId(id), input, actor, now));
    return { holiday: this.api.holidayJson(r.record.schedule.id, r.holiday) };
  }

  @Get(':id/holidays/:holidayId')
  async showHoliday(@Req() req: AuthedRequest, @Param('id') id: string, @Param('holidayId') holidayId: string) {
    requireAgent(req.user);
    const r = await this.api.store.byId(this.api.db, pathId(id));
    const h = r?.schedule.holidays.find((x) => x.id === pathId(holidayId));
    if (!r || !h) throw notFound();
    return { holiday: this.api.holidayJson(r.schedule.id, h) };
  }

  @Put(':id/holidays/:holidayId')
  async updateHoliday(@Req() req: AuthedRequest, @Param('id') id: string, @Param('holidayId') holidayId: string, @Body() body: unknown) {
    const actor = adminActor(req);
    const input = payload(body, 'holiday');
    const r = await this.api.change((tx, now) => this.api.store.updateHoliday(tx, pathId(id), pathId(holidayId), input, actor, now));
    return { holiday: this.api.holidayJson(r.record.schedule.id, r.holiday) };
  }

  @Delete(':id/holidays/:holidayId')
  @HttpCode(204)
  async deleteHoliday(@Req() req: AuthedRequest, @Param('id') id: string, @Param('holidayId') holidayId: string) {
    const actor = adminActor(req);
    await this.api.change((tx, now) => this.api.store.deleteHoliday(tx, pathId(id), pathId(holidayId), actor, now));
  }
}

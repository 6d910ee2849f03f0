import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { Actor } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { ApiError, AuthGuard, notFound, requireAdmin, requireAgent, type AuthedRequest } from '@mailroom/http';
import { recordInvalid } from '@mailroom/scheduler-domain';
import { AutomationStore, type AutomationFilter, type AutomationRecord, type AutomationResult, type AutomationSort } from '../automations/automation-store';
import { simulateAutomations } from '../simulate/automation-simulation';
import { automationSimulationJson, parseAutomationSimulation } from './automation-simulation';

class Refused extends Error {
  constructor(readonly result: AutomationResult<unknown>) {
    super('refused');
  }
}

/** The automations API's dependencies: the scheduler's table and stream, links, the clock. */
export class AutomationsApi {
  constructor(
    readonly db: Db,
    readonly baseUrl: string,
    readonly store: AutomationStore = new AutomationStore(),
    readonly clock: () => Date = () => new Date(),
  ) {}

  /** Zendesk's automation shape; Mailroom's own ids are numeric, the standard automations keep readable ids. */
  automationJson(r: AutomationRecord): Record<string, unknown> {
    const a = r.automation;
    return {
      url: `${this.baseUrl}/api/v2/automations/${a.id}.json`,
      id: /^\d{1,15}$/.test(a.id) ? Number(a.id) : a.id,
      title: a.title,
      raw_title: a.title,
      active: a.active,
      position: a.position,
      conditions: a.conditions,
      actions: a.actions,
      default: a.default,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    };
  }

  /** Runs a change in one transaction (row and event together) and maps a refusal to Zendesk's errors. */
  async change<T>(work: (tx: Db, now: string) => Promise<AutomationResult<T>>): Promise<T> {
    // A refusal rolls the whole transaction back: update_many and destroy_many are all or nothing.
    const result = await this.db
      .transaction(async (tx) => {
        const r = await work(tx, this.clock().toISOString());
        if (!r.ok) throw new Refused(r);
        return r;
      })
      .catch((err: unknown) => {
        if (err instanceof Refused) return err.result as AutomationResult<T>;
        throw err;
      });
    if (!result.ok) {
      if (result.refusal.kind === 'not_found') throw notFound();
      throw new ApiError(422, recordInvalid(result.refusal.problems) as unknown as Record<string, unknown>);
    }
    return result.value;
  }
}

/** Zendesk: agents may read business rules, admins change them. */
const admin = (req: AuthedRequest): Actor => ({ userId: requireAdmin(req.user).id, role: 'admin' });

const payload = (body: unknown): Record<string, unknown> => {
  const inner = (body as Record<string, unknown> | null)?.automation;
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new ApiError(400, { error: 'InvalidRequest', description: 'the body needs an "automation" object' });
  return inner as Record<string, unknown>;
};

const SORTS: Record<string, AutomationSort> = { position: 'position', alphabetical: 'alphabetical', created_at: 'created_at', updated_at: 'updated_at' };

const listFilter = (q: Record<string, unknown>): AutomationFilter => {
  const active = q.active === 'true' ? true : q.active === 'false' ? false : undefined;
  const sort = typeof q.sort_by === 'string' ? SORTS[q.sort_by] : undefined;
  if (q.sort_by !== undefined && !sort) throw new ApiError(400, { error: 'InvalidRequest', description: `sort_by must be one of ${Object.keys(SORTS).join(', ')}` });
  return { active, sort, descending: q.sort_order === 'desc' };
};

/**
 * `/api/v2/automations` (Zendesk's Automations API): list, active, search, show, create, update,
 * update_many, delete, destroy_many. Every change writes scheduler.automations and an
 * `automation.*` event in one transaction. Validation is the scheduler domain's; the standard
 * close refuses deletion and deactivation as Zendesk does.
 */
@Controller('api/v2/automations')
@UseGuards(AuthGuard)
export class AutomationsController {
  constructor(private readonly api: AutomationsApi) {}

  /** One page holding them all (Zendesk allows 500 active automations); the cursor keys say so too. */
  private async listBody(filter: AutomationFilter) {
    const all = await this.api.store.list(this.api.db, filter);
    return {
      automations: all.map((r) => this.api.automationJson(r)),
      next_page: null,
      previous_page: null,
      count: all.length,
      meta: { has_more: false, after_cursor: null, before_cursor: null },
      links: { next: null, prev: null },
    };
  }

  @Get()
  async list(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    return this.listBody(listFilter(q));
  }

  @Get('active')
  async active(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    return this.listBody({ ...listFilter(q), active: true });
  }

  @Get('search')
  async search(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    if (typeof q.query !== 'string' || q.query.trim() === '') throw new ApiError(400, { error: 'InvalidRequest', description: 'query is required' });
    return this.listBody({ ...listFilter(q), query: q.query });
  }

  /**
   * `POST /api/v2/automations/simulate.json`: what a proposed change to the automations would have
   * done over a window of hourly cycles (see README). Admins only. One READ ONLY transaction: it
   * cannot write, send a command or email anyone, whatever the cycle decides.
   */
  @Post('simulate')
  @HttpCode(200)
  async simulate(@Req() req: AuthedRequest, @Body() body: unknown) {
    requireAdmin(req.user);
    const parsed = parseAutomationSimulation(body);
    const result = await this.api.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      return simulateAutomations(tx, parsed);
    });
    if (!result.ok) throw new ApiError(422, recordInvalid(result.problems) as unknown as Record<string, unknown>);
    return automationSimulationJson(result.value);
  }

  @Put('update_many')
  async updateMany(@Req() req: AuthedRequest, @Body() body: unknown) {
    const actor = admin(req);
    const items = (body as { automations?: unknown } | null)?.automations;
    const value = await this.api.change((tx, now) => this.api.store.updateMany(tx, items, actor, now));
    return { automations: value.map((r) => this.api.automationJson(r)) };
  }

  @Delete('destroy_many')
  @HttpCode(204)
  async destroyMany(@Req() req: AuthedRequest, @Query('ids') ids: unknown) {
    const actor = admin(req);
    const list = typeof ids === 'string' ? ids.split(',').map((s) => s.trim()).filter(Boolean) : [];
    await this.api.change((tx, now) => this.api.store.deleteMany(tx, list, actor, now));
  }

  @Get(':id')
  async show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    const r = await this.api.store.byId(this.api.db, id);
    if (!r) throw notFound();
    return { automation: this.api.automationJson(r) };
  }

  @Post()
  @HttpCode(201)
  async create(@Req() req: AuthedRequest, @Body() body: unknown) {
    const actor = admin(req);
    const input = payload(body);
    const value = await this.api.change((tx, now) => this.api.store.create(tx, input, actor, now));
    return { automation: this.api.automationJson(value) };
  }

  @Put(':id')
  async update(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    const actor = admin(req);
    const input = payload(body);
    const value = await this.api.change((tx, now) => this.api.store.update(tx, id, input, actor, now));
    return { automation: this.api.automationJson(value) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Req() req: AuthedRequest, @Param('id') id: string) {
    const actor = admin(req);
    await this.api.change((tx, now) => this.api.store.delete(tx, id, actor, now));
  }
}

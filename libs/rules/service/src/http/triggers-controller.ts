import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { Actor } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { ApiError, AuthGuard, notFound, requireAgent, type ApiUser, type AuthedRequest } from '@mailroom/http';
import { readExplanation, type UpdateExplanation } from '../explanations';
import { TriggerStore, type CategoryRecord, type TriggerRecord, type TriggerResult, type TriggerSort } from '../triggers/trigger-store';

class Refused extends Error {
  constructor(readonly result: TriggerResult<unknown>) {
    super('refused');
  }
}

/** The triggers API's dependencies: the table and stream the rules service reads, links, the clock. */
export class TriggersApi {
  constructor(
    readonly db: Db,
    readonly baseUrl: string,
    readonly store: TriggerStore = new TriggerStore(),
    readonly clock: () => Date = () => new Date(),
  ) {}

  /** Zendesk's trigger shape; Mailroom's own ids are numeric, the standard triggers keep readable ids. */
  triggerJson(r: TriggerRecord): Record<string, unknown> {
    const t = r.trigger;
    return {
      url: `${this.baseUrl}/api/v2/triggers/${t.id}.json`,
      id: /^\d{1,15}$/.test(t.id) ? Number(t.id) : t.id,
      title: t.title,
      raw_title: t.title,
      active: t.active,
      position: t.position,
      category_id: t.category_id,
      description: t.description,
      conditions: t.conditions,
      actions: t.actions,
      default: t.id.startsWith('std-'),
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    };
  }

  categoryJson(r: CategoryRecord): Record<string, unknown> {
    return { id: r.category.id, name: r.category.name, position: r.category.position, created_at: r.createdAt, updated_at: r.updatedAt };
  }

  /** Runs a change in one transaction (row and event together) and maps a refusal to Zendesk's errors. */
  async change<T>(work: (tx: Db, now: string) => Promise<TriggerResult<T>>): Promise<{ value: T; warnings: string[] }> {
    // A refusal rolls the whole transaction back: update_many and destroy_many are all or nothing.
    const result = await this.db
      .transaction(async (tx) => {
        const r = await work(tx, this.clock().toISOString());
        if (!r.ok) throw new Refused(r);
        return r;
      })
      .catch((err: unknown) => {
        if (err instanceof Refused) return err.result as TriggerResult<T>;
        throw err;
      });
    if (!result.ok) {
      if (result.refusal.kind === 'not_found') throw notFound();
      throw new ApiError(422, {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: { base: result.refusal.problems.map((p) => ({ description: p.description, error: 'InvalidValue', field: p.path })) },
      });
    }
    return { value: result.value, warnings: result.warnings };
  }
}

/** Zendesk: agents may read business rules, admins change them. */
const requireAdmin = (user: ApiUser | undefined): Actor => {
  const u = requireAgent(user);
  if (u.role !== 'admin') throw new ApiError(403, { error: 'Forbidden', description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.' });
  return { userId: u.id, role: 'admin' };
};

const payload = (body: unknown, key: string): Record<string, unknown> => {
  const inner = (body as Record<string, unknown> | null)?.[key];
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new ApiError(400, { error: 'InvalidRequest', description: `the body needs a "${key}" object` });
  return inner as Record<string, unknown>;
};

const SORTS: Record<string, TriggerSort> = { position: 'position', alphabetical: 'alphabetical', created_at: 'created_at', updated_at: 'updated_at' };

const listFilter = (q: Record<string, unknown>) => {
  const active = q.active === 'true' ? true : q.active === 'false' ? false : undefined;
  const sort = typeof q.sort_by === 'string' ? SORTS[q.sort_by] : undefined;
  if (q.sort_by !== undefined && !sort) throw new ApiError(400, { error: 'InvalidRequest', description: `sort_by must be one of ${Object.keys(SORTS).join(', ')}` });
  const categoryId = typeof q.category_id === 'string' && q.category_id !== '' ? q.category_id : undefined;
  return { active, sort, descending: q.sort_order === 'desc', categoryId };
};

const withWarnings = (body: Record<string, unknown>, warnings: string[]): Record<string, unknown> =>
  warnings.length === 0 ? body : { ...body, warning: warnings.join(' '), ...(warnings.length > 1 ? { warnings } : {}) };

/**
 * `/api/v2/triggers` (Zendesk's Triggers API): list, active, search, show, create, update,
 * update_many, delete, destroy_many. Every change writes rules.triggers and a `trigger.*` event in
 * one transaction; the rules service reads the table on each ticket update, so the change applies
 * to the very next update on every replica. Turning off or deleting a trigger that emails people
 * answers with a `warning` (also recorded on the event).
 */
@Controller('api/v2/triggers')
@UseGuards(AuthGuard)
export class TriggersController {
  constructor(private readonly api: TriggersApi) {}

  private async listBody(filter: Parameters<TriggerStore['list']>[1]) {
    const all = await this.api.store.list(this.api.db, filter);
    return { triggers: all.map((r) => this.api.triggerJson(r)), next_page: null, previous_page: null, count: all.length };
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

  @Put('update_many')
  async updateMany(@Req() req: AuthedRequest, @Body() body: unknown) {
    const actor = requireAdmin(req.user);
    const items = (body as { triggers?: unknown } | null)?.triggers;
    const { value, warnings } = await this.api.change((tx, now) => this.api.store.updateMany(tx, items, actor, now));
    return withWarnings({ triggers: value.map((r) => this.api.triggerJson(r)) }, warnings);
  }

  @Delete('destroy_many')
  async destroyMany(@Req() req: AuthedRequest, @Query('ids') ids: unknown, @Res({ passthrough: true }) res: Response) {
    const actor = requireAdmin(req.user);
    const list = typeof ids === 'string' ? ids.split(',').map((s) => s.trim()).filter(Boolean) : [];
    const { warnings } = await this.api.change((tx, now) => this.api.store.deleteMany(tx, list, actor, now));
    return this.deleted(res, warnings);
  }

  @Get(':id')
  async show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    const r = await this.api.store.byId(this.api.db, id);
    if (!r) throw notFound();
    return { trigger: this.api.triggerJson(r) };
  }

  @Post()
  @HttpCode(201)
  async create(@Req() req: AuthedRequest, @Body() body: unknown) {
    const actor = requireAdmin(req.user);
    const input = payload(body, 'trigger');
    const { value } = await this.api.change((tx, now) => this.api.store.create(tx, input, actor, now));
    return { trigger: this.api.triggerJson(value) };
  }

  @Put(':id')
  async update(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    const actor = requireAdmin(req.user);
    const input = payload(body, 'trigger');
    const { value, warnings } = await this.api.change((tx, now) => this.api.store.update(tx, id, input, actor, now));
    return withWarnings({ trigger: this.api.triggerJson(value) }, warnings);
  }

  @Delete(':id')
  async remove(@Req() req: AuthedRequest, @Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    const actor = requireAdmin(req.user);
    const { warnings } = await this.api.change((tx, now) => this.api.store.delete(tx, id, actor, now));
    return this.deleted(res, warnings);
  }

  /** 204 as in Zendesk, unless there is a warning to give: then 200 with it. */
  private deleted(res: Response, warnings: string[]) {
    if (warnings.length === 0) {
      res.status(204);
      return undefined;
    }
    res.status(200);
    return withWarnings({}, warnings);
  }
}

/**
 * `/api/v2/trigger_categories`: list, show, create, update (PATCH), delete, and `jobs` for moving
 * categories and triggers at once. Category order is run order: every trigger of a category runs
 * before those of the next one.
 */
@Controller('api/v2/trigger_categories')
@UseGuards(AuthGuard)
export class TriggerCategoriesController {
  constructor(private readonly api: TriggersApi) {}

  @Get()
  async list(@Req() req: AuthedRequest) {
    requireAgent(req.user);
    const all = await this.api.store.listCategories(this.api.db);
    return { trigger_categories: all.map((c) => this.api.categoryJson(c)), meta: { has_more: false, after_cursor: null, before_cursor: null }, links: { next: null, prev: null } };
  }

  @Post('jobs')
  @HttpCode(200)
  async jobs(@Req() req: AuthedRequest, @Body() body: unknown) {
    const actor = requireAdmin(req.user);
    const job = payload(body, 'job');
    if (job.action !== 'patch') throw new ApiError(400, { error: 'InvalidRequest', description: 'job.action must be "patch"' });
    const items = (job.items ?? {}) as { trigger_categories?: unknown; triggers?: unknown };
    const { value, warnings } = await this.api.change((tx, now) => this.api.store.patchPositions(tx, items, actor, now));
    return withWarnings(
      { status: 'complete', results: { trigger_categories: value.categories.map((c) => this.api.categoryJson(c)), triggers: value.triggers.map((t) => this.api.triggerJson(t)) } },
      warnings,
    );
  }

  @Get(':id')
  async show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    const c = await this.api.store.categoryById(this.api.db, id);
    if (!c) throw notFound();
    return { trigger_category: this.api.categoryJson(c) };
  }

  @Post()
  @HttpCode(201)
  async create(@Req() req: AuthedRequest, @Body() body: unknown) {
    const actor = requireAdmin(req.user);
    const input = payload(body, 'trigger_category');
    const { value } = await this.api.change((tx, now) => this.api.store.createCategory(tx, input, actor, now));
    return { trigger_category: this.api.categoryJson(value) };
  }

  @Patch(':id')
  async update(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    const actor = requireAdmin(req.user);
    const input = payload(body, 'trigger_category');
    const { value } = await this.api.change((tx, now) => this.api.store.updateCategory(tx, id, input, actor, now));
    return { trigger_category: this.api.categoryJson(value) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Req() req: AuthedRequest, @Param('id') id: string) {
    const actor = requireAdmin(req.user);
    await this.api.change((tx, now) => this.api.store.deleteCategory(tx, id, actor, now));
  }
}

const explanationJson = (ticketId: number, auditId: number, e: UpdateExplanation) => ({
  ticket_id: ticketId,
  audit_id: auditId,
  update_id: e.updateId,
  evaluated_at: e.evaluatedAt,
  passes: e.passes,
  capped: e.capped,
  system_rules: e.systemRules,
  triggers: e.triggers.map((t) => ({
    id: /^\d{1,15}$/.test(t.triggerId) ? Number(t.triggerId) : t.triggerId,
    title: t.title,
    matched: t.matched,
    fired: t.fired,
    fired_order: t.firedOrder,
    ...(t.skipped ? { skipped: t.skipped } : {}),
    conditions: t.conditions.map((c) => ({
      group: c.group,
      index: c.index,
      field: c.condition.field,
      operator: c.condition.operator,
      value: c.condition.value ?? null,
      result: c.matched,
      ...(c.detail !== undefined ? { detail: c.detail } : {}),
      ...(c.problem !== undefined ? { problem: c.problem } : {}),
    })),
    actions: t.actions.map((a) => ({
      field: a.action.field,
      value: a.action.value,
      outcome: a.outcome,
      ...(a.note ? { note: a.note } : {}),
      ...(a.notification ? { recipients: a.notification.recipientIds, suppressed: a.notification.suppressed.map((s) => ({ user_id: s.userId, reason: s.reason })) } : {}),
    })),
  })),
});

/**
 * `GET /api/v2/tickets/{id}/audits/{audit_id}/explanation` (Mailroom's extension): for the update
 * behind an audit, every active trigger with each condition's result, whether it fired and what
 * its actions did — why a notification was or was not sent.
 */
@Controller('api/v2/tickets')
@UseGuards(AuthGuard)
export class TriggerExplanationController {
  constructor(private readonly api: TriggersApi) {}

  @Get(':ticketId/audits/:auditId/explanation')
  async explanation(@Req() req: AuthedRequest, @Param('ticketId') ticketIdRaw: string, @Param('auditId') auditIdRaw: string) {
    requireAgent(req.user);
    const ticketId = Number(ticketIdRaw);
    const auditId = Number(auditIdRaw);
    if (!Number.isSafeInteger(ticketId) || !Number.isSafeInteger(auditId)) throw notFound();
    const rows = await this.api.db.query<{ update_id: string }>(`SELECT update_id FROM ticket.audits WHERE id = $1 AND ticket_id = $2`, [auditId, ticketId]);
    if (!rows[0]) throw notFound();
    const e = await readExplanation(this.api.db, rows[0].update_id);
    if (!e) throw new ApiError(404, { error: 'RecordNotFound', description: 'Triggers have not run on this update (yet): rules updates, delivery records and updates of closed tickets have no trigger cycle' });
    return { explanation: explanationJson(ticketId, auditId, e) };
  }
}

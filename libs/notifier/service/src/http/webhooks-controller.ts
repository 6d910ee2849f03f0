import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { Actor } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { ExpectedVersionConflict } from '@mailroom/event-store';
import { ApiError, AuthGuard, invalid, notFound, requireAgent, type ApiUser, type AuthedRequest } from '@mailroom/http';
import { webhookJson, type WebhookRecord } from '@mailroom/notifier-domain';
import { type WebhookResult, Webhooks } from '../webhooks/webhooks-store';

/** Webhooks for the HTTP layer: the notifier's table and events, the clock, links. */
export class WebhooksApi {
  constructor(
    readonly db: Db,
    readonly webhooks: Webhooks,
    readonly baseUrl: string,
    readonly clock: () => Date = () => new Date(),
  ) {}

  async change(work: (tx: Db, now: string) => Promise<WebhookResult>): Promise<WebhookRecord> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.db.transaction((tx) => work(tx, this.clock().toISOString()));
        if (!result.ok) {
          if (result.refusal.field === null) throw notFound();
          throw invalid(result.refusal.field, result.refusal.description);
        }
        return result.webhook;
      } catch (err) {
        if (!(err instanceof ExpectedVersionConflict) || attempt >= 4) throw err;
      }
    }
  }
}

/** Zendesk's Webhooks API is for admins only. */
const requireAdmin = (user: ApiUser | undefined): Actor => {
  const u = requireAgent(user);
  if (u.role !== 'admin') throw new ApiError(403, { error: 'Forbidden', description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.' });
  return { userId: u.id, role: 'admin' };
};

const payload = (body: unknown): Record<string, unknown> => {
  const inner = (body as { webhook?: unknown } | null)?.webhook;
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new ApiError(400, { error: 'InvalidRequest', description: 'the body needs a "webhook" object' });
  return inner as Record<string, unknown>;
};

/** `page[size]` and friends, whether the query parser nested them or not. */
const nested = (q: Record<string, unknown>, outer: string, inner: string): unknown => q[`${outer}[${inner}]`] ?? (q[outer] as Record<string, unknown> | undefined)?.[inner];

/**
 * `/api/v2/webhooks` (Zendesk's Webhooks API): list (cursor pages, filter by name or status),
 * show, create, update (PATCH and PUT answer 204 as Zendesk does), delete, and the signing
 * secret (show, reset). Webhooks connect to triggers and automations (`notification_webhook`);
 * credentials are accepted but never shown again.
 */
@Controller('api/v2/webhooks')
@UseGuards(AuthGuard)
export class WebhooksController {
  constructor(private readonly api: WebhooksApi) {}

  @Get()
  async list(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAdmin(req.user);
    const size = Math.min(100, Math.max(1, Number(nested(q, 'page', 'size') ?? 100) || 100));
    const after = nested(q, 'page', 'after');
    const nameContains = String(nested(q, 'filter', 'name_contains') ?? '').toLowerCase();
    const status = nested(q, 'filter', 'status');
    const all = (await this.api.webhooks.list(this.api.db)).filter(
      (w) => (!nameContains || w.name.toLowerCase().includes(nameContains)) && (status === undefined || w.status === status),
    );
    const from = typeof after === 'string' ? all.findIndex((w) => w.id > after) : 0;
    const page = from < 0 ? [] : all.slice(from, from + size);
    const hasMore = from >= 0 && from + size < all.length;
    const last = page[page.length - 1]?.id ?? null;
    const first = page[0]?.id ?? null;
    return {
      webhooks: page.map(webhookJson),
      meta: { has_more: hasMore, after_cursor: last, before_cursor: first },
      links: {
        next: hasMore && last ? `${this.api.baseUrl}/api/v2/webhooks?page[size]=${size}&page[after]=${last}` : null,
        prev: null,
      },
    };
  }

  @Get(':id')
  async show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAdmin(req.user);
    const w = await this.api.webhooks.byId(this.api.db, id);
    if (!w) throw notFound();
    return { webhook: webhookJson(w) };
  }

  @Post()
  @HttpCode(201)
  async create(@Req() req: AuthedRequest, @Body() body: unknown) {
    const actor = requireAdmin(req.user);
    const input = payload(body);
    const w = await this.api.change((tx, now) => this.api.webhooks.create(tx, input, actor, now));
    return { webhook: webhookJson(w) };
  }

  @Patch(':id')
  @HttpCode(204)
  async patch(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    const actor = requireAdmin(req.user);
    const input = payload(body);
    await this.api.change((tx, now) => this.api.webhooks.update(tx, id, input, actor, now));
  }

  @Put(':id')
  @HttpCode(204)
  async put(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    return this.patch(req, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Req() req: AuthedRequest, @Param('id') id: string) {
    const actor = requireAdmin(req.user);
    await this.api.change((tx, now) => this.api.webhooks.delete(tx, id, actor, now));
  }

  @Get(':id/signing_secret')
  async signingSecret(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAdmin(req.user);
    const w = await this.api.webhooks.byId(this.api.db, id);
    if (!w) throw notFound();
    return { signing_secret: { algorithm: 'SHA256', secret: w.signingSecret } };
  }

  @Post(':id/signing_secret')
  @HttpCode(201)
  async resetSigningSecret(@Req() req: AuthedRequest, @Param('id') id: string) {
    const actor = requireAdmin(req.user);
    const w = await this.api.change((tx, now) => this.api.webhooks.resetSigningSecret(tx, id, actor, now));
    return { signing_secret: { algorithm: 'SHA256', secret: w.signingSecret } };
  }
}

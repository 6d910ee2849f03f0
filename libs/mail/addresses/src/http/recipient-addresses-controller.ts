import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { Actor } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { ExpectedVersionConflict } from '@mailroom/event-store';
import { ApiError, AuthGuard, invalid, notFound, parsePage, pathId as addressId, requireAgent, type ApiUser, type AuthedRequest } from '@mailroom/http';
import type { DbAddressBook } from '../address-book';
import { type RecipientAddressRecord, type RecipientAddressResult, RecipientAddresses } from '../recipient-addresses';

/** Support addresses for the HTTP layer: the table, the book to refresh after a change, links. */
export class RecipientAddressesApi {
  constructor(
    readonly db: Db,
    readonly addresses: RecipientAddresses,
    readonly book: DbAddressBook,
    readonly baseUrl: string,
    readonly clock: () => Date = () => new Date(),
  ) {}

  json(r: RecipientAddressRecord): Record<string, unknown> {
    // Mail reaches Mailroom's own SMTP server directly; forwarding, SPF and CNAME checks are not
    // made, so their statuses are reported as unknown.
    return {
      url: `${this.baseUrl}/api/v2/recipient_addresses/${r.id}.json`,
      id: r.id,
      brand_id: null,
      default: r.isDefault,
      email: r.email,
      name: r.name,
      forwarding_status: 'unknown',
      spf_status: 'unknown',
      cname_status: 'unknown',
      domain_verification_status: 'unknown',
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    };
  }

  /** Runs a change; two admins changing addresses at once: the later one re-reads and decides again. */
  async change(work: (tx: Db, now: string) => Promise<RecipientAddressResult>): Promise<RecipientAddressRecord> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.db.transaction((tx) => work(tx, this.clock().toISOString()));
        if (!result.ok) {
          if (result.refusal.kind === 'not_found') throw notFound();
          throw invalid(result.refusal.field, result.refusal.description);
        }
        await this.book.refresh();
        return result.address;
      } catch (err) {
        if (!(err instanceof ExpectedVersionConflict) || attempt >= 4) throw err;
      }
    }
  }
}

/** Zendesk lets admins manage support addresses; agents may read them. */
const requireAdmin = (user: ApiUser | undefined): Actor => {
  const u = requireAgent(user);
  if (u.role !== 'admin') throw new ApiError(403, { error: 'Forbidden', description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.' });
  return { userId: u.id, role: 'admin' };
};

const payload = (body: unknown): Record<string, unknown> => {
  const inner = (body as { recipient_address?: unknown } | null)?.recipient_address;
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new ApiError(400, { error: 'InvalidRequest', description: 'the body needs a "recipient_address" object' });
  return inner as Record<string, unknown>;
};

/**
 * `/api/v2/recipient_addresses` (Zendesk's Support Addresses API): list, show, create, update,
 * delete. Changes apply to receiving (ingest) and sending (ticket, notifier) within about a second
 * on every replica, without a restart. `PUT …/verify` is not offered: there is no forwarding to verify.
 */
@Controller('api/v2/recipient_addresses')
@UseGuards(AuthGuard)
export class RecipientAddressesController {
  constructor(private readonly api: RecipientAddressesApi) {}

  @Get()
  async list(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    const p = parsePage(q);
    const all = await this.api.addresses.list(this.api.db);
    const link = (page: number) => `${this.api.baseUrl}/api/v2/recipient_addresses.json?page=${page}&per_page=${p.perPage}`;
    return {
      recipient_addresses: all.slice((p.page - 1) * p.perPage, p.page * p.perPage).map((r) => this.api.json(r)),
      next_page: p.page * p.perPage < all.length ? link(p.page + 1) : null,
      previous_page: p.page > 1 ? link(p.page - 1) : null,
      count: all.length,
    };
  }

  @Get(':id')
  async show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    const r = await this.api.addresses.byId(this.api.db, addressId(id));
    if (!r) throw notFound();
    return { recipient_address: this.api.json(r) };
  }

  @Post()
  @HttpCode(201)
  async create(@Req() req: AuthedRequest, @Body() body: unknown) {
    const actor = requireAdmin(req.user);
    const input = payload(body);
    const r = await this.api.change((tx, now) => this.api.addresses.create(tx, input, actor, now));
    return { recipient_address: this.api.json(r) };
  }

  @Put(':id')
  async update(@Req() req: AuthedRequest, @Param('id') id: string, @Body() body: unknown) {
    const actor = requireAdmin(req.user);
    const input = payload(body);
    const r = await this.api.change((tx, now) => this.api.addresses.update(tx, addressId(id), input, actor, now));
    return { recipient_address: this.api.json(r) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Req() req: AuthedRequest, @Param('id') id: string) {
    const actor = requireAdmin(req.user);
    await this.api.change((tx, now) => this.api.addresses.delete(tx, addressId(id), actor, now));
  }
}

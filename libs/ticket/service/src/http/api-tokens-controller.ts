import { randomBytes } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { Db } from '@mailroom/database';
import type { Logger } from '@mailroom/observability';
import { ApiError, AuthGuard, invalid, notFound, parsePage, pathId, requireAdmin } from '@mailroom/http';
import { sha256, type AuthedRequest } from './authenticator';
import type { UserRecord } from '../users/users';

interface TokenRow {
  id: string;
  description: string;
  created_at: Date;
}

/** 40 characters from 240 random bits, like Zendesk's tokens; only its SHA-256 is kept. */
export const newApiToken = (): string => randomBytes(30).toString('base64url');

/**
 * The account's API tokens (`email/token:TOKEN` basic auth), managed by admins in Zendesk's shape.
 * The token itself is shown once, in the answer to its creation; after that only its hash exists.
 * Revoking keeps the row (marked) so that a seeded token stays revoked across restarts.
 */
export class ApiTokensApi {
  constructor(
    private readonly db: Db,
    private readonly baseUrl: string,
    private readonly log: Pick<Logger, 'info'>,
  ) {}

  private json(r: TokenRow, token?: string): Record<string, unknown> {
    const at = r.created_at.toISOString();
    return {
      url: `${this.baseUrl}/api/v2/api_tokens/${r.id}.json`,
      id: Number(r.id),
      description: r.description,
      active: true,
      ...(token === undefined ? {} : { token }),
      created_at: at,
      updated_at: at,
    };
  }

  async list(page: number, perPage: number): Promise<Record<string, unknown>> {
    const rows = await this.db.query<TokenRow>(
      `SELECT id, description, created_at FROM ticket.api_tokens WHERE kind = 'api' AND revoked_at IS NULL ORDER BY id LIMIT $1 OFFSET $2`,
      [perPage, (page - 1) * perPage],
    );
    const [{ n }] = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.api_tokens WHERE kind = 'api' AND revoked_at IS NULL`);
    const link = (p: number) => `${this.baseUrl}/api/v2/api_tokens.json?page=${p}&per_page=${perPage}`;
    return { api_tokens: rows.map((r) => this.json(r)), next_page: page * perPage < Number(n) ? link(page + 1) : null, previous_page: page > 1 ? link(page - 1) : null, count: Number(n) };
  }

  async show(id: number): Promise<Record<string, unknown>> {
    const rows = await this.db.query<TokenRow>(`SELECT id, description, created_at FROM ticket.api_tokens WHERE id = $1 AND kind = 'api' AND revoked_at IS NULL`, [id]);
    if (!rows.length) throw notFound();
    return { api_token: this.json(rows[0]) };
  }

  async create(body: unknown, by: UserRecord): Promise<Record<string, unknown>> {
    const input = (body as { api_token?: unknown } | null)?.api_token;
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw new ApiError(400, { error: 'InvalidRequest', description: 'The body must be {"api_token": {...}}' });
    const description = (input as { description?: unknown }).description ?? '';
    if (typeof description !== 'string' || description.length > 255) throw invalid('description', 'Description: must be text of at most 255 characters');
    const token = newApiToken();
    const [row] = await this.db.query<TokenRow>(
      `INSERT INTO ticket.api_tokens (token_sha256, kind, description, created_by) VALUES ($1, 'api', $2, $3) RETURNING id, description, created_at`,
      [sha256(token), description, by.id],
    );
    this.log.info('API token created', { token_id: Number(row.id), by: by.id });
    return { api_token: this.json(row, token) };
  }

  async revoke(id: number, by: UserRecord): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows = await tx.query<{ token_sha256: string; seeded: boolean }>(
        `UPDATE ticket.api_tokens SET revoked_at = now() WHERE id = $1 AND kind = 'api' AND revoked_at IS NULL RETURNING token_sha256, seeded`,
        [id],
      );
      if (!rows.length) throw notFound();
      // The seeded token is also the admin's bearer token: revoking it revokes both.
      if (rows[0].seeded) await tx.query(`UPDATE ticket.api_tokens SET revoked_at = now() WHERE kind = 'oauth' AND seeded AND token_sha256 = $1 AND revoked_at IS NULL`, [rows[0].token_sha256]);
    });
    this.log.info('API token revoked', { token_id: id, by: by.id });
  }
}

/** `/api/v2/api_tokens` (Zendesk v2): admins only. */
@Controller('api/v2/api_tokens')
@UseGuards(AuthGuard)
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensApi) {}

  @Get()
  list(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAdmin(req.user);
    const p = parsePage(q);
    return this.tokens.list(p.page, p.perPage);
  }

  @Post()
  @HttpCode(201)
  create(@Req() req: AuthedRequest, @Body() body: unknown) {
    return this.tokens.create(body, requireAdmin(req.user));
  }

  @Get(':id')
  show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAdmin(req.user);
    return this.tokens.show(pathId(id));
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Req() req: AuthedRequest, @Param('id') id: string) {
    await this.tokens.revoke(pathId(id), requireAdmin(req.user));
  }
}

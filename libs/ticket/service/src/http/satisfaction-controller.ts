import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Db } from '@mailroom/database';
import { satisfactionTokenTicket, verifySatisfactionToken } from '@mailroom/notifier-domain';
import { TicketCommandError, type TicketCommands } from '../commands/ticket-commands';
import { currentAccountSettings } from '../account/account-settings-store';
import { ratingFormPage, refusalPage, thankYouPage } from '../satisfaction/satisfaction-page';
import type { SatisfactionRatingRow } from '../satisfaction/satisfaction-read-model';
import { ApiError, AuthGuard, notFound, parsePage, requireAgent } from '@mailroom/http';
import type { AuthedRequest } from './authenticator';

/** What the rating page needs: the ticket's commands, the secret the notifier signs links with, the clock. */
export class SatisfactionApi {
  constructor(
    readonly db: Db,
    readonly commands: TicketCommands,
    readonly secret: string,
    readonly baseUrl: string,
    readonly accountName: string,
    readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Checks a rating link: ratings on, a token signed for this ticket's current requester, at most
   * 28 days old, the ticket not closed. The answer is a reason a person can read, or the ticket.
   */
  async check(token: string): Promise<{ ok: true; ticketId: number; requesterId: number; subject: string } | { ok: false; status: number; message: string }> {
    const ticketId = satisfactionTokenTicket(token);
    const invalid = { ok: false as const, status: 404, message: 'This link is not valid. Please use the link from your most recent email.' };
    if (ticketId === null) return invalid;
    if (!(await currentAccountSettings(this.db)).customerSatisfaction) return { ok: false, status: 403, message: 'Satisfaction ratings are turned off for this help desk.' };
    const { state } = await this.commands.load(this.db, ticketId);
    if (!state.exists) return invalid;
    const check = verifySatisfactionToken(token, state.requesterId, this.secret, this.clock());
    if (!check.ok) return check.reason === 'expired' ? { ok: false, status: 410, message: 'This link has expired: ratings are taken for 28 days after the survey was sent.' } : invalid;
    if (state.status === 'closed') return { ok: false, status: 410, message: 'This request is closed and can no longer be rated.' };
    return { ok: true, ticketId, requesterId: state.requesterId, subject: state.subject };
  }

  ratingJson(r: SatisfactionRatingRow): Record<string, unknown> {
    return {
      url: `${this.baseUrl}/api/v2/satisfaction_ratings/${r.id}.json`,
      id: Number(r.id),
      assignee_id: r.assignee_id === null ? null : Number(r.assignee_id),
      group_id: r.group_id === null ? null : Number(r.group_id),
      requester_id: Number(r.requester_id),
      ticket_id: Number(r.ticket_id),
      score: r.score,
      comment: r.comment,
      reason: null,
      reason_id: null,
      created_at: new Date(r.created_at).toISOString(),
      updated_at: new Date(r.updated_at).toISOString(),
    };
  }
}

const SCORE = (v: unknown): 'good' | 'bad' | null => (v === 'good' || v === 'bad' ? v : null);

const sendHtml = (res: Response, status: number, html: string) => {
  // No script and no framing: the page is a form and nothing else.
  res.status(status).set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'", 'Referrer-Policy': 'no-referrer' }).send(html);
};

/**
 * The requester's rating page, outside /api/v2 and without login: the token in the URL is the
 * capability (an HMAC under MAILROOM_SECRET of ticket, requester and issue time). That is also its
 * CSRF protection: a form posted from elsewhere must know the token, which only the requester's
 * mail holds. The form posts `score` and `comment` to the link's own URL.
 */
@Controller('satisfaction')
export class SatisfactionPageController {
  constructor(private readonly api: SatisfactionApi) {}

  @Get(':token')
  async show(@Param('token') token: string, @Query('score') score: unknown, @Req() req: Request, @Res() res: Response) {
    const link = await this.api.check(token);
    if (!link.ok) return sendHtml(res, link.status, refusalPage(this.api.accountName, link.message));
    const { state } = await this.api.commands.load(this.api.db, link.ticketId);
    const current = state.satisfaction;
    const chosen = SCORE(score) ?? (current && (current.score === 'good' || current.score === 'bad') ? current.score : null);
    sendHtml(res, 200, ratingFormPage({ accountName: this.api.accountName, ticketId: link.ticketId, subject: link.subject, action: req.originalUrl, score: chosen, comment: current?.comment ?? '' }));
  }

  @Post(':token')
  @HttpCode(200)
  async rate(@Param('token') token: string, @Body() body: Record<string, unknown> | undefined, @Req() req: Request, @Res() res: Response) {
    const link = await this.api.check(token);
    if (!link.ok) return sendHtml(res, link.status, refusalPage(this.api.accountName, link.message));
    const score = SCORE(body?.score);
    const comment = typeof body?.comment === 'string' ? body.comment : '';
    if (!score) {
      return sendHtml(res, 422, ratingFormPage({ accountName: this.api.accountName, ticketId: link.ticketId, subject: link.subject, action: req.originalUrl, score: null, comment }));
    }
    try {
      await this.api.commands.inTransaction((tx) => this.api.commands.recordSatisfactionRating(tx, { ticketId: link.ticketId, requesterId: link.requesterId, score, comment: comment || null }));
    } catch (err) {
      if (!(err instanceof TicketCommandError)) throw err;
      return sendHtml(res, err.error.kind === 'closed' ? 410 : 422, refusalPage(this.api.accountName, err.message));
    }
    sendHtml(res, 200, thankYouPage(this.api.accountName, link.ticketId, score));
  }
}

/** Zendesk's `score` filter: a state, or `received` (good or bad) with or without a comment. */
const SCORE_FILTERS: Record<string, string> = {
  offered: `score = 'offered'`,
  unoffered: `FALSE`,
  received: `score IN ('good', 'bad')`,
  received_with_comment: `score IN ('good', 'bad') AND comment IS NOT NULL`,
  received_without_comment: `score IN ('good', 'bad') AND comment IS NULL`,
  good: `score = 'good'`,
  good_with_comment: `score = 'good' AND comment IS NOT NULL`,
  good_without_comment: `score = 'good' AND comment IS NULL`,
  bad: `score = 'bad'`,
  bad_with_comment: `score = 'bad' AND comment IS NOT NULL`,
  bad_without_comment: `score = 'bad' AND comment IS NULL`,
};

@Controller('api/v2')
@UseGuards(AuthGuard)
export class SatisfactionRatingsController {
  constructor(private readonly api: SatisfactionApi) {}

  @Get('satisfaction_ratings')
  async list(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    const p = parsePage(q);
    const filter = q.score === undefined ? 'TRUE' : SCORE_FILTERS[String(q.score)];
    if (!filter) throw new ApiError(400, { error: 'InvalidValue', description: `score must be one of ${Object.keys(SCORE_FILTERS).join(', ')}` });
    const rows = await this.api.db.query<SatisfactionRatingRow>(`SELECT * FROM ticket.satisfaction_ratings WHERE ${filter} ORDER BY id DESC LIMIT $1 OFFSET $2`, [p.perPage, (p.page - 1) * p.perPage]);
    const [{ n }] = await this.api.db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.satisfaction_ratings WHERE ${filter}`);
    const link = (page: number) => `${this.api.baseUrl}/api/v2/satisfaction_ratings.json?page=${page}&per_page=${p.perPage}${q.score !== undefined ? `&score=${encodeURIComponent(String(q.score))}` : ''}`;
    return {
      satisfaction_ratings: rows.map((r) => this.api.ratingJson(r)),
      next_page: p.page * p.perPage < Number(n) ? link(p.page + 1) : null,
      previous_page: p.page > 1 ? link(p.page - 1) : null,
      count: Number(n),
    };
  }

  @Get('satisfaction_ratings/:id')
  async show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    if (!/^[1-9][0-9]{0,14}$/.test(id)) throw notFound();
    const rows = await this.api.db.query<SatisfactionRatingRow>(`SELECT * FROM ticket.satisfaction_ratings WHERE id = $1`, [Number(id)]);
    if (!rows.length) throw notFound();
    return { satisfaction_rating: this.api.ratingJson(rows[0]) };
  }
}

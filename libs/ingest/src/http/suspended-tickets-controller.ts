import { Controller, Delete, Get, HttpCode, Param, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { deterministicUuid } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { AuthGuard, DbHandle, invalid, notFound, parsePage, pathId as suspendedId, requireAgent, type ApiUser, type AuthedRequest } from '@mailroom/http';
import { RECOVER_SUSPENDED_TICKET, SUSPENSION_CAUSES, isSuspensionCause, type RecoverSuspendedTicketV1 } from '@mailroom/mail-domain';
import { deleteSuspendedTickets } from '../suspension/retention';

interface SuspendedRow {
  id: string;
  mail_id: string;
  cause: string;
  cause_id: number;
  detail: string;
  subject: string | null;
  author_email: string | null;
  author_name: string | null;
  recipient: string | null;
  content: string | null;
  message_id: string | null;
  ticket_id: number | null;
  created_at: Date;
  updated_at: Date;
  recovered_at: Date | null;
  recovery_count: number;
}

const COLUMNS = `id, mail_id, cause, cause_id, detail, subject, author_email, author_name, recipient, content, message_id, ticket_id, created_at, updated_at, recovered_at, recovery_count`;

const SORTS: Record<string, string> = { author_email: 'author_email', cause: 'cause', created_at: 'created_at', subject: 'subject', id: 'id' };

/** `ids=1,2,3` of the bulk endpoints (Zendesk allows up to 100). */
const idList = (raw: unknown): number[] => {
  const ids = String(raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (ids.length === 0 || ids.length > 100 || ids.some((n) => !Number.isSafeInteger(n) || n < 1)) throw invalid('ids', 'ids: give 1 to 100 suspended ticket ids, comma separated');
  return [...new Set(ids)];
};

const urlOf = (req: AuthedRequest, id: string | number): string => `${req.protocol}://${req.get('host')}/api/v2/suspended_tickets/${id}.json`;

/** Zendesk's suspended ticket JSON (reference §6.2–6.3); `error_messages` carries Mailroom's specific reason. */
const toJson = (req: AuthedRequest, r: SuspendedRow): Record<string, unknown> => ({
  id: Number(r.id),
  url: urlOf(req, r.id),
  author: { id: null, name: r.author_name ?? r.author_email ?? '', email: r.author_email },
  subject: r.subject ?? '',
  content: r.content ?? '',
  cause: isSuspensionCause(r.cause) ? SUSPENSION_CAUSES[r.cause].text : r.cause,
  cause_id: r.cause_id,
  error_messages: [r.detail],
  message_id: r.message_id,
  ticket_id: r.ticket_id,
  recipient: r.recipient,
  brand_id: null,
  attachments: [],
  via: {
    channel: 'email',
    source: { from: { address: r.author_email, name: r.author_name }, to: { address: r.recipient, name: null }, rel: null },
  },
  created_at: new Date(r.created_at).toISOString(),
  updated_at: new Date(r.updated_at).toISOString(),
});

/**
 * The suspended tickets API (Zendesk v2 paths), ingest's part of the one API. The API host (the
 * ticket service's process) reads and deletes ingest's rows, but never parses mail — recovering
 * sends `ingest.recover_suspended_ticket` through the log, and the ingest service feeds the raw mail
 * through the normal flow again. So recover answers 202: the ticket or comment follows within
 * moments, and the suspended ticket leaves the list.
 */
@Controller('api/v2')
@UseGuards(AuthGuard)
export class SuspendedTicketsController {
  private readonly store = new EventStore();

  constructor(private readonly handle: DbHandle) {}

  private get db(): Db {
    return this.handle.db;
  }

  @Get('suspended_tickets')
  async list(@Req() req: AuthedRequest, @Query() q: Record<string, unknown>) {
    requireAgent(req.user);
    const p = parsePage(q);
    const sortBy = SORTS[String(q.sort_by ?? 'created_at')];
    if (!sortBy) throw invalid('sort_by', `sort_by: must be one of ${Object.keys(SORTS).join(', ')}`);
    const order = String(q.sort_order ?? 'desc').toLowerCase() === 'asc' ? 'ASC' : 'DESC';
    const rows = await this.db.query<SuspendedRow>(
      `SELECT ${COLUMNS} FROM ingest.suspended_tickets WHERE recovered_at IS NULL ORDER BY ${sortBy} ${order}, id ${order} LIMIT $1 OFFSET $2`,
      [p.perPage, (p.page - 1) * p.perPage],
    );
    const [{ n }] = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM ingest.suspended_tickets WHERE recovered_at IS NULL`);
    const count = Number(n);
    const link = (page: number) => `${req.protocol}://${req.get('host')}/api/v2/suspended_tickets.json?page=${page}&per_page=${p.perPage}`;
    return {
      suspended_tickets: rows.map((r) => toJson(req, r)),
      next_page: p.page * p.perPage < count ? link(p.page + 1) : null,
      previous_page: p.page > 1 ? link(p.page - 1) : null,
      count,
    };
  }

  @Put('suspended_tickets/recover_many')
  async recoverMany(@Req() req: AuthedRequest, @Query('ids') ids: unknown, @Res() res: Response) {
    const agent = requireAgent(req.user);
    const rows = await this.db.transaction(async (tx) => {
      const found: SuspendedRow[] = [];
      for (const id of idList(ids)) {
        const row = await this.recover(tx, id, agent);
        if (row) found.push(row);
      }
      return found;
    });
    res.status(202).json({ suspended_tickets: rows.map((r) => toJson(req, r)) });
  }

  @Delete('suspended_tickets/destroy_many')
  @HttpCode(204)
  async destroyMany(@Req() req: AuthedRequest, @Query('ids') ids: unknown) {
    requireAgent(req.user);
    await this.db.transaction((tx) => this.remove(tx, idList(ids)));
  }

  @Get('suspended_tickets/:id')
  async show(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    const [row] = await this.db.query<SuspendedRow>(`SELECT ${COLUMNS} FROM ingest.suspended_tickets WHERE id = $1 AND recovered_at IS NULL`, [suspendedId(id)]);
    if (!row) throw notFound();
    return { suspended_ticket: toJson(req, row) };
  }

  @Put('suspended_tickets/:id/recover')
  async recoverOne(@Req() req: AuthedRequest, @Param('id') id: string, @Res() res: Response) {
    const agent = requireAgent(req.user);
    const row = await this.db.transaction((tx) => this.recover(tx, suspendedId(id), agent));
    if (!row) throw notFound();
    res.status(202).json({ suspended_ticket: toJson(req, row) });
  }

  @Delete('suspended_tickets/:id')
  @HttpCode(204)
  async destroy(@Req() req: AuthedRequest, @Param('id') id: string) {
    requireAgent(req.user);
    const deleted = await this.db.transaction((tx) => this.remove(tx, [suspendedId(id)]));
    if (deleted === 0) throw notFound();
  }

  /**
   * Sends the recover command for one suspended ticket, once per suspension: the command id is
   * derived from the ticket and how often it was recovered before, so asking twice sends one
   * command. A ticket already recovered (or being recovered) is answered without a new command.
   */
  private async recover(tx: Db, id: number, agent: ApiUser): Promise<SuspendedRow | null> {
    const [row] = await tx.query<SuspendedRow>(`SELECT ${COLUMNS} FROM ingest.suspended_tickets WHERE id = $1`, [id]);
    if (!row) return null;
    if (row.recovered_at !== null) return row;
    const data: RecoverSuspendedTicketV1 = {
      suspendedTicketId: id,
      recoveryCount: row.recovery_count,
      agent: { id: agent.id, email: agent.email, name: agent.name },
      requestedAt: new Date().toISOString(),
    };
    const commandId = deterministicUuid('recover-suspended-ticket-command', id, row.recovery_count);
    await this.store.sendCommand(tx, { id: commandId, type: RECOVER_SUSPENDED_TICKET, data }, { correlationId: row.mail_id, actor: { userId: agent.id, role: agent.role } });
    return row;
  }

  /** Deletes suspended tickets for good: ingest's own statement, the one its retention purge runs. */
  private async remove(tx: Db, ids: number[]): Promise<number> {
    return (await deleteSuspendedTickets(tx, ids)).deleted.length;
  }
}


import {
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TYPES,
  type Actor,
  type TicketPriority,
  type TicketStatus,
  type TicketType,
  type Via,
} from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { ApiError, invalid, notFound, type Page } from '@mailroom/http';
import { Attachments } from '@mailroom/ingest';
import { defaultSupportAddress, matchSupportAddress, type SupportAddress } from '@mailroom/mail-domain';
import type { FieldChanges, NewComment } from '@mailroom/ticket-domain';
import { TicketCommands, TicketCommandError } from '../commands/ticket-commands';
import type { TicketRow } from '../read-model/ticket-projection';
import type { UserRecord } from '../users/users';

const API_VIA: Via = { channel: 'api', source: { from: {}, to: {}, rel: null }  };

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const textToHtml = (s: string): string => `<p>${escapeHtml(s).replace(/\n/g, '<br>')}</p>`;
const htmlToText = (s: string): string => s.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>/gi, '\n').replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').trim();

const oneOf = <T extends string>(field: string, v: unknown, allowed: readonly T[], nullable: boolean): T | null | undefined => {
  if (v === undefined) return undefined;
  if (v === null || v === '') {
    if (nullable) return null;
    throw invalid(field, `${field}: cannot be blank`);
  }
  if (typeof v !== 'string' || !allowed.includes(v.toLowerCase() as T)) throw invalid(field, `${field}: "${String(v)}" is not one of ${allowed.join(', ')}`);
  return v.toLowerCase() as T;
};

const idOrNull = (field: string, v: unknown): number | null | undefined => {
  if (v === undefined) return undefined;
  if (v === null || v === '') return null;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw invalid(field, `${field}: is not a valid id`);
  return n;
};

const tagList = (field: string, v: unknown): string[] | undefined => {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v) && v.every((t) => typeof t === 'string')) return v as string[];
  if (typeof v === 'string') return v.split(/[\s,]+/).filter(Boolean);
  throw invalid(field, `${field}: must be a list of strings`);
};

/**
 * The Zendesk v2 ticket and user endpoints over the command handler and the read models.
 * Request bodies are validated here, at the edge; the domain only sees well-formed commands.
 */
export class TicketApi {
  constructor(
    readonly db: Db,
    private readonly commands: TicketCommands,
    private readonly baseUrl: string,
    /** The support addresses now (they can change through /api/v2/recipient_addresses). */
    private readonly supportAddresses: () => readonly SupportAddress[],
  ) {}

  /**
   * The ticket's recipient: a support address (any case, plus-addressed, or a mailbox a wildcard
   * accepts), stored without its tag; the default one when none is given. Any other address is
   * refused: replies leave from the recipient, so it must be an address we receive mail at.
   */
  private recipientOf(raw: unknown): string | null {
    if (raw === undefined || raw === null || raw === '') return defaultSupportAddress(this.supportAddresses())?.address ?? null;
    if (typeof raw !== 'string') throw invalid('recipient', 'Recipient: must be text');
    const match = matchSupportAddress(raw, this.supportAddresses());
    if (!match) throw invalid('recipient', `Recipient: ${raw} is not a support address of this account`);
    return match.address.address;
  }

  private ticketJson(row: TicketRow): Record<string, unknown> {
    return {
      url: `${this.baseUrl}/api/v2/tickets/${row.id}.json`,
      ...row,
      custom_fields: [],
      fields: [],
      // Zendesk's ticket field: the rating's id, score and comment once the survey was offered.
      satisfaction_rating: row.satisfaction_rating ? { id: row.satisfaction_rating.id, score: row.satisfaction_rating.score, comment: row.satisfaction_rating.comment } : null,
      sharing_agreement_ids: [],
      followup_ids: [],
      has_incidents: false,
      allow_channelback: false,
      allow_attachments: true,
      from_messaging_channel: false,
      due_at: null,
      problem_id: null,
      forum_topic_id: null,
      brand_id: null,
    };
  }

  userJson(u: UserRecord): Record<string, unknown> {
    return { url: `${this.baseUrl}/api/v2/users/${u.id}.json`, ...u, organization_id: u.organization_id ?? null, time_zone: 'UTC', locale: 'en-US', tags: [], user_fields: {} };
  }

  private async ticketRow(db: Db, id: number): Promise<TicketRow> {
    const rows = await db.query<{ data: TicketRow }>(`SELECT data FROM ticket.tickets WHERE id = $1`, [id]);
    if (!rows.length) throw notFound();
    return rows[0].data;
  }

  async showTicket(id: number): Promise<Record<string, unknown>> {
    return { ticket: this.ticketJson(await this.ticketRow(this.db, id)) };
  }

  async listTickets(p: Page): Promise<Record<string, unknown>> {
    const rows = await this.db.query<{ data: TicketRow }>(`SELECT data FROM ticket.tickets ORDER BY id LIMIT $1 OFFSET $2`, [p.perPage, (p.page - 1) * p.perPage]);
    const [{ n }] = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.tickets`);
    return { tickets: rows.map((r) => this.ticketJson(r.data)), ...this.pageLinks('tickets', p, Number(n)) };
  }

  private pageLinks(path: string, p: Page, count: number): Record<string, unknown> {
    const link = (page: number) => `${this.baseUrl}/api/v2/${path}.json?page=${page}&per_page=${p.perPage}`;
    return { next_page: p.page * p.perPage < count ? link(p.page + 1) : null, previous_page: p.page > 1 ? link(p.page - 1) : null, count };
  }

  async listComments(ticketId: number, p: Page): Promise<Record<string, unknown>> {
    await this.ticketRow(this.db, ticketId);
    const rows = await this.db.query<{ data: Record<string, unknown>; audit_id: string }>(
      `SELECT data, audit_id FROM ticket.comments WHERE ticket_id = $1 ORDER BY id LIMIT $2 OFFSET $3`,
      [ticketId, p.perPage, (p.page - 1) * p.perPage],
    );
    const [{ n }] = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.comments WHERE ticket_id = $1`, [ticketId]);
    // Attachments in Zendesk's shape, with their content URLs (see @mailroom/ingest, http/attachments-controller.ts).
    const refs = rows.flatMap((r) => (Array.isArray(r.data.attachments) ? (r.data.attachments as { id: string }[]) : []));
    const shown = await new Attachments(this.db, this.baseUrl).forComments(refs);
    const withAttachments = (data: Record<string, unknown>) =>
      Array.isArray(data.attachments) ? { ...data, attachments: (data.attachments as { id: string }[]).map((a) => shown.get(a.id) ?? a) } : data;
    return { comments: rows.map((r) => ({ ...withAttachments(r.data), audit_id: Number(r.audit_id) })), ...this.pageLinks(`tickets/${ticketId}/comments`, p, Number(n)) };
  }

  async listAudits(ticketId: number, p: Page): Promise<Record<string, unknown>> {
    await this.ticketRow(this.db, ticketId);
    const rows = await this.db.query<{ data: Record<string, unknown> }>(
      `SELECT data FROM ticket.audits WHERE ticket_id = $1 ORDER BY id LIMIT $2 OFFSET $3`,
      [ticketId, p.perPage, (p.page - 1) * p.perPage],
    );
    const [{ n }] = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.audits WHERE ticket_id = $1`, [ticketId]);
    return { audits: rows.map((r) => r.data), ...this.pageLinks(`tickets/${ticketId}/audits`, p, Number(n)) };
  }

  private comment(tx: Db, raw: unknown, authorId: number, defaultPublic: boolean): Promise<NewComment | null> {
    if (raw === undefined || raw === null) return Promise.resolve(null);
    if (typeof raw !== 'object') throw invalid('comment', 'Comment: must be an object with a body');
    const c = raw as { body?: unknown; html_body?: unknown; public?: unknown };
    const body = typeof c.body === 'string' ? c.body : typeof c.html_body === 'string' ? htmlToText(c.html_body) : '';
    const htmlBody = typeof c.html_body === 'string' ? c.html_body : textToHtml(body);
    if (!body.trim()) throw invalid('comment', 'Comment: cannot be blank');
    return tx.query<{ id: string }>(`SELECT nextval('ticket.comment_ids') AS id`).then(([{ id }]) => ({
      commentId: Number(id),
      authorId,
      body,
      htmlBody,
      public: c.public === undefined ? defaultPublic : c.public !== false && c.public !== 'false',
      attachments: [],
    }));
  }

  private fieldChanges(t: Record<string, unknown>): FieldChanges {
    const changes: FieldChanges = {};
    if (t.subject !== undefined) {
      if (typeof t.subject !== 'string') throw invalid('subject', 'Subject: must be text');
      changes.subject = t.subject;
    }
    const status = oneOf<TicketStatus>('status', t.status, TICKET_STATUSES, false);
    if (status) changes.status = status;
    const priority = oneOf<TicketPriority>('priority', t.priority, TICKET_PRIORITIES, true);
    if (priority !== undefined) changes.priority = priority;
    const type = oneOf<TicketType>('type', t.type, TICKET_TYPES, true);
    if (type !== undefined) changes.type = type;
    const groupId = idOrNull('group_id', t.group_id);
    if (groupId !== undefined) changes.groupId = groupId;
    const assigneeId = idOrNull('assignee_id', t.assignee_id);
    if (assigneeId !== undefined) changes.assigneeId = assigneeId;
    const tags = tagList('tags', t.tags);
    if (tags) changes.tags = tags;
    const add = tagList('additional_tags', t.additional_tags);
    if (add) changes.addTags = add;
    const remove = tagList('remove_tags', t.remove_tags);
    if (remove) changes.removeTags = remove;
    return changes;
  }

  private async checkAssignee(tx: Db, assigneeId: number | null | undefined): Promise<void> {
    if (assigneeId === undefined || assigneeId === null) return;
    const u = await this.commands.users.byId(tx, assigneeId);
    if (!u || u.role === 'end_user') throw invalid('assignee_id', 'Assignee: is not an agent');
  }

  private ticketBody(body: unknown): Record<string, unknown> {
    const t = (body as { ticket?: unknown })?.ticket;
    if (!t || typeof t !== 'object' || Array.isArray(t)) throw new ApiError(400, { error: 'InvalidRequest', description: 'The body must be {"ticket": {...}}' });
    return t as Record<string, unknown>;
  }

  async createTicket(body: unknown, user: UserRecord): Promise<Record<string, unknown>> {
    const t = this.ticketBody(body);
    const actor: Actor = { userId: user.id, role: user.role };
    const result = await this.commands.inTransaction(async (tx) => {
      // Requester: an id, or {name, email} (created when unknown); the agent when missing (Zendesk's rule).
      let requester: UserRecord;
      if (t.requester_id !== undefined) {
        const id = idOrNull('requester_id', t.requester_id);
        const u = id ? await this.commands.users.byId(tx, id) : null;
        if (!u) throw invalid('requester_id', 'Requester: user does not exist');
        requester = u;
      } else if (t.requester && typeof t.requester === 'object') {
        const r = t.requester as { email?: unknown; name?: unknown };
        if (typeof r.email !== 'string') throw invalid('requester', 'Requester: needs an email');
        requester = await this.commands.users.findOrCreate(tx, { email: r.email, name: typeof r.name === 'string' ? r.name : null }, actor, new Date().toISOString());
      } else {
        requester = user;
      }
      const fields = this.fieldChanges(t);
      await this.checkAssignee(tx, fields.assigneeId);
      const comment = await this.comment(tx, t.comment ?? (t.description !== undefined ? { body: t.description } : undefined), user.id, true);
      if (!comment) throw invalid('comment', 'Comment: cannot be blank');
      const ccIds: number[] = [];
      for (const raw of [...((t.collaborator_ids as unknown[]) ?? []), ...((t.email_cc_ids as unknown[]) ?? [])]) {
        const id = idOrNull('collaborator_ids', raw);
        if (id && (await this.commands.users.byId(tx, id))) ccIds.push(id);
      }
      const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval('ticket.ticket_ids') AS id`);
      const ticketId = Number(id);
      const subject = typeof t.subject === 'string' && t.subject.trim() ? t.subject.trim() : comment.body.split('\n')[0].slice(0, 80);
      const recipient = this.recipientOf(t.recipient);
      return this.commands.execute(
        tx,
        ticketId,
        (_s, now) => ({
          type: 'CreateTicket',
          now,
          actor,
          via: API_VIA,
          ticketId,
          subject,
          requesterId: requester.id,
          submitterId: user.id,
          recipient,
          comment,
          ccIds,
          fields: { status: fields.status, priority: fields.priority, type: fields.type, groupId: fields.groupId, assigneeId: fields.assigneeId, tags: fields.tags ?? [] },
          externalId: typeof t.external_id === 'string' ? t.external_id : null,
          mail: null,
        }),
        { actor, via: API_VIA },
      );
    });
    return { ticket: this.ticketJson(await this.ticketRow(this.db, result.ticketId)), audit: await this.auditOf(result.updateId) };
  }

  async updateTicket(id: number, body: unknown, user: UserRecord): Promise<Record<string, unknown>> {
    const t = this.ticketBody(body);
    const actor: Actor = { userId: user.id, role: user.role };
    const result = await this.commands.inTransaction(async (tx) => {
      const fields = this.fieldChanges(t);
      await this.checkAssignee(tx, fields.assigneeId);
      const comment = await this.comment(tx, t.comment, user.id, true);
      return this.commands.execute(tx, id, (_s, now) => ({ type: 'UpdateTicket', now, actor, via: API_VIA, changes: fields, comment, mail: null }), { actor, via: API_VIA });
    });
    return { ticket: this.ticketJson(await this.ticketRow(this.db, id)), audit: await this.auditOf(result.updateId) };
  }

  private async auditOf(updateId: string | null): Promise<unknown> {
    if (!updateId) return null;
    const rows = await this.db.query<{ data: unknown }>(`SELECT data FROM ticket.audits WHERE update_id = $1`, [updateId]);
    return rows[0]?.data ?? null;
  }

  async showUser(id: number): Promise<Record<string, unknown>> {
    const u = await this.commands.users.byId(this.db, id);
    if (!u) throw notFound();
    return { user: this.userJson(u) };
  }

  async listUsers(p: Page, role?: string): Promise<Record<string, unknown>> {
    const { users, count } = await this.commands.users.list(this.db, p.page, p.perPage, role);
    return { users: users.map((u) => this.userJson(u)), ...this.pageLinks('users', p, count) };
  }

  async createUser(body: unknown, by: UserRecord): Promise<{ status: number; body: Record<string, unknown> }> {
    const u = (body as { user?: Record<string, unknown> })?.user;
    if (!u || typeof u !== 'object') throw new ApiError(400, { error: 'InvalidRequest', description: 'The body must be {"user": {...}}' });
    const role = oneOf('role', u.role ?? 'end-user', ['end-user', 'end_user', 'agent', 'admin'] as const, false)!;
    const normalRole = role === 'end-user' ? 'end_user' : role;
    if (normalRole === 'admin' && by.role !== 'admin') throw new ApiError(403, { error: 'Forbidden', description: 'Only admins can create admins' });
    if (u.email !== undefined && u.email !== null && typeof u.email !== 'string') throw invalid('email', 'Email: must be text');
    const { user, created } = await this.commands.inTransaction((tx) =>
      this.commands.users.create(tx, { name: typeof u.name === 'string' ? u.name : null, email: (u.email as string | undefined) ?? null, role: normalRole }, { userId: by.id, role: by.role }, new Date().toISOString()),
    );
    if (!created) throw invalid('email', `Email: ${user.email} is already being used by another user`);
    return { status: 201, body: { user: this.userJson(user) } };
  }
}

export { TicketCommandError };

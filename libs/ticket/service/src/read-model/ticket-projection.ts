import type { MailAuthentication, Message, TicketEvent, UserEvent, Via } from '@mailroom/contracts';
import { blankSnapshot, evolveTicketSnapshot, isRepeatedOffer, type TicketSnapshot } from '@mailroom/ticket-domain';
import { ratingRowOf, satisfactionAuditEvent, snapshotRatingOf, upsertRating, type SatisfactionRatingRow } from '../satisfaction/satisfaction-read-model';
import type { Db } from '@mailroom/database';

/**
 * The read models behind the API (tickets, comments, audits, users), in Zendesk's v2 shapes.
 * Applied inline by the command handler (read-your-writes) and by a log processor with its own
 * checkpoint (catch-up and rebuild). Both are safe together: a ticket row only takes its next
 * stream version, comments and audit events are keyed by ids from the log.
 */
export const TICKET_READ_MODEL = 'ticket-read-model';

export interface TicketRow {
  id: number;
  subject: string;
  raw_subject: string;
  description: string;
  status: string;
  priority: string | null;
  type: string | null;
  recipient: string | null;
  requester_id: number;
  submitter_id: number;
  assignee_id: number | null;
  group_id: number | null;
  organization_id: number | null;
  collaborator_ids: number[];
  email_cc_ids: number[];
  follower_ids: number[];
  tags: string[];
  external_id: string | null;
  via: Via;
  is_public: boolean;
  created_at: string;
  updated_at: string;
  /** Absent until the survey is offered (satisfaction-read-model.ts). */
  satisfaction_rating?: SatisfactionRatingRow;
}

/** The update an event belongs to, for audits: a rule's update belongs to the update that caused it. */
const auditKey = (m: Message): string => (m.metadata.via?.channel === 'rule' && m.metadata.causationId ? m.metadata.causationId : m.metadata.updateId ?? m.id);

/**
 * Applies events to the read models. The transaction that appends a ticket's or user's events
 * applies them itself (so the API answers with them at once); the read-model processor then
 * follows the log with `fromLog`, for whatever that missed and for rebuilds. Its replays are
 * nearly always of events applied already, and the row may still be locked by the writer of the
 * next change: a plain read of the committed version lets the replay pass without queueing behind
 * that lock (which used to hold up every ticket command behind the processor's batch, and the
 * processor behind them).
 */
export const applyToReadModel = async (tx: Db, messages: Message[], opts: { fromLog?: boolean } = {}): Promise<void> => {
  let events = messages.filter((m) => m.kind === 'event' && (m.type.startsWith('ticket.') || m.type.startsWith('user.')));
  if (opts.fromLog) events = await notAppliedYet(tx, events);
  // A ticket's events are folded together and written once (issue 8: set-based read-model writes);
  // each ticket's keep their log order, tickets and users are independent of one another.
  const tickets = new Map<number, Message[]>();
  for (const m of events) {
    if (m.type.startsWith('ticket.')) {
      const id = (m.data as { ticketId: number }).ticketId;
      const run = tickets.get(id);
      if (run) run.push(m);
      else tickets.set(id, [m]);
    } else await applyUserEvent(tx, m, { type: m.type, data: m.data } as UserEvent);
  }
  for (const run of tickets.values()) await applyTicketEvents(tx, run);
};

const idOf = (m: Message): number | undefined => (m.data as { ticketId?: number; userId?: number })[m.type.startsWith('ticket.') ? 'ticketId' : 'userId'];

/** The events whose version the read model does not have yet: one look-up per table for the whole batch. */
const notAppliedYet = async (tx: Db, events: Message[]): Promise<Message[]> => {
  const versions = async (table: 'ticket.tickets' | 'ticket.users', prefix: string) => {
    const ids = [...new Set(events.filter((m) => m.type.startsWith(prefix)).map(idOf).filter((id): id is number => typeof id === 'number'))];
    if (ids.length === 0) return new Map<number, number>();
    const rows = await tx.query<{ id: string; version: string }>(`SELECT id, version FROM ${table} WHERE id = ANY($1::bigint[])`, [ids]);
    return new Map(rows.map((r) => [Number(r.id), Number(r.version)]));
  };
  const tickets = await versions('ticket.tickets', 'ticket.');
  const users = await versions('ticket.users', 'user.');
  return events.filter((m) => {
    const id = idOf(m);
    if (typeof id !== 'number') return true;
    const version = (m.type.startsWith('ticket.') ? tickets : users).get(id);
    return version === undefined || version < m.streamVersion;
  });
};

/** A comment row as the read model keeps it (`audit_id` is set once its audit is written). */
export interface CommentRecord {
  id: number;
  ticket_id: number;
  audit_id: number;
  created_at: string;
  data: Record<string, unknown>;
}

/** An audit row: one per update (a rule's update joins the update that caused it). */
export interface AuditRecord {
  id: number;
  update_id: string;
  ticket_id: number;
  created_at: string;
  data: { events: Record<string, unknown>[] } & Record<string, unknown>;
}

/** The row of ticket.tickets a ticket snapshot is stored as (Zendesk's ticket in `data`). */
export const ticketRowOf = (s: TicketSnapshot): TicketRow => {
  const row: TicketRow = {
    id: s.id,
    subject: s.subject,
    raw_subject: s.subject,
    description: s.description,
    status: s.status,
    priority: s.priority,
    type: s.type,
    recipient: s.recipient,
    requester_id: s.requesterId,
    submitter_id: s.submitterId,
    assignee_id: s.assigneeId,
    group_id: s.groupId,
    organization_id: s.organizationId,
    collaborator_ids: s.ccIds,
    email_cc_ids: s.ccIds,
    follower_ids: [],
    tags: s.tags,
    external_id: s.externalId,
    via: s.via as Via,
    is_public: s.hasPublicComments,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
  if (s.satisfaction) row.satisfaction_rating = ratingRowOf(s);
  return row;
};

/** A stored row read back as the ticket's snapshot (what the row does not keep, blank: see `blankSnapshot`). */
export const snapshotOfTicketRow = (row: TicketRow): TicketSnapshot =>
  blankSnapshot({
    id: row.id,
    subject: row.subject,
    description: row.description,
    status: row.status as TicketSnapshot['status'],
    priority: row.priority as TicketSnapshot['priority'],
    type: row.type as TicketSnapshot['type'],
    recipient: row.recipient,
    requesterId: row.requester_id,
    submitterId: row.submitter_id,
    assigneeId: row.assignee_id,
    groupId: row.group_id,
    organizationId: row.organization_id ?? null,
    ccIds: row.email_cc_ids,
    tags: row.tags,
    externalId: row.external_id,
    via: row.via,
    hasPublicComments: row.is_public,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    satisfaction: row.satisfaction_rating ? snapshotRatingOf(row.satisfaction_rating) : null,
  });

/**
 * What one ticket event does to the read model, given the ticket before it (null: none yet): the
 * ticket after it (its snapshot's evolve: `ticketRowOf` makes the row), the comment it adds, the
 * audit events it records. Pure, so the live path (one event, row locked) and a rebuild (folding
 * the whole log in memory) share it. Null when the event does not apply (a creation over an
 * existing row, a change to a ticket never created).
 */
export const ticketEventEffect = (
  before: TicketSnapshot | null,
  m: Message,
  e: TicketEvent,
): { snapshot: TicketSnapshot; comment: CommentRecord | null; audit: AuditRecord | null } | null => {
  if (e.type === 'ticket.created' ? before !== null : before === null) return null;
  // The API's rating is made by the first offer and each rating: a repeated offer changes nothing.
  const snapshot = isRepeatedOffer(before, m) ? before! : evolveTicketSnapshot(before, m)!;
  const comment: CommentRecord | null =
    e.type === 'ticket.comment_added'
      ? {
          id: e.data.commentId,
          ticket_id: e.data.ticketId,
          audit_id: 0,
          created_at: e.data.createdAt,
          data: {
            id: e.data.commentId,
            type: 'Comment',
            author_id: e.data.authorId,
            body: e.data.body,
            html_body: e.data.htmlBody,
            plain_body: e.data.body,
            public: e.data.public,
            attachments: e.data.attachments.map((a) => ({ id: a.id, file_name: a.fileName, content_type: a.contentType, size: a.size, inline: a.inline })),
            via: e.data.via,
            metadata: commentMetadata(e.data),
            created_at: e.data.createdAt,
          },
        }
      : null;
  return { snapshot, comment, audit: auditOf(m, e) };
};

/**
 * Adds an update's next audit events to its audit, unless they are there already (a replay): the
 * rule the live path's `ON CONFLICT (update_id)` clause states in SQL.
 */
export const mergeAudit = (audit: AuditRecord, events: Record<string, unknown>[]): AuditRecord =>
  hasAuditEvents(audit, events) ? audit : { ...audit, data: { ...audit.data, events: [...audit.data.events, ...events] } };

/** `mergeAudit`'s replay rule: the audit has these events already. */
export const hasAuditEvents = (audit: AuditRecord, events: Record<string, unknown>[]): boolean => audit.data.events.some((x) => x.id === events[0].id);

/**
 * One ticket's events of a batch, in stream order: folded in memory from the row (read once, locked)
 * and written with one statement per table — the row, its new comments, each audit they add to, the
 * comments' audit ids. Only the next version of a ticket is taken: replays and the second writer do
 * nothing (a creation over an existing row leaves the row to the writer that made it).
 */
const applyTicketEvents = async (tx: Db, run: Message[]): Promise<void> => {
  const ticketId = (run[0].data as { ticketId: number }).ticketId;
  let current: { version: number; snapshot: TicketSnapshot } | null = null;
  let creating = false;
  let from = 0;
  const comments: CommentRecord[] = [];
  const audits = new Map<string, AuditRecord>();
  const commentAudits: { commentId: number; updateId: string }[] = [];
  const ratings: SatisfactionRatingRow[] = [];
  const take = (m: Message, e: TicketEvent, effect: NonNullable<ReturnType<typeof ticketEventEffect>>) => {
    current = { version: m.streamVersion, snapshot: effect.snapshot };
    if (effect.comment) comments.push(effect.comment);
    if (effect.audit) {
      const before = audits.get(effect.audit.update_id);
      audits.set(effect.audit.update_id, before ? mergeAudit(before, effect.audit.data.events) : effect.audit);
      if (effect.comment) commentAudits.push({ commentId: effect.comment.id, updateId: effect.audit.update_id });
    }
    if (e.type === 'ticket.satisfaction_offered' || e.type === 'ticket.satisfaction_rated') {
      const row = ticketRowOf(effect.snapshot);
      if (row.satisfaction_rating) ratings.push(row.satisfaction_rating);
    }
  };
  if (run[0].type === 'ticket.created') {
    const e = { type: run[0].type, data: run[0].data } as TicketEvent;
    take(run[0], e, ticketEventEffect(null, run[0], e)!);
    creating = true;
    from = 1;
  } else {
    const rows = await tx.query<{ version: string; data: TicketRow }>(`SELECT version, data FROM ticket.tickets WHERE id = $1 FOR UPDATE`, [ticketId]);
    if (rows.length === 0) return;
    current = { version: Number(rows[0].version), snapshot: snapshotOfTicketRow(rows[0].data) };
  }
  const start = current!.version;
  for (const m of run.slice(from)) {
    const now = current as { version: number; snapshot: TicketSnapshot } | null;
    if (!now || now.version + 1 !== m.streamVersion) continue;
    const e = { type: m.type, data: m.data } as TicketEvent;
    const effect = ticketEventEffect(now.snapshot, m, e);
    if (effect) take(m, e, effect);
  }
  const last = current as { version: number; snapshot: TicketSnapshot } | null;
  if (!last) return;
  const row = ticketRowOf(last.snapshot);
  if (creating) {
    const inserted = await tx.query(
      `INSERT INTO ticket.tickets (id, version, status, requester_id, assignee_id, group_id, created_at, updated_at, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [row.id, last.version, row.status, row.requester_id, row.assignee_id, row.group_id, row.created_at, row.updated_at, JSON.stringify(row)],
    );
    // Created meanwhile by another writer: the rest of the run goes on from its row.
    if (inserted.length === 0) {
      if (run.length > 1) await applyTicketEvents(tx, run.slice(1));
      return;
    }
  } else {
    if (last.version === start) return;
    await tx.query(
      `UPDATE ticket.tickets SET version = $2, status = $3, requester_id = $4, assignee_id = $5, group_id = $6, updated_at = $7, data = $8 WHERE id = $1`,
      [row.id, last.version, row.status, row.requester_id, row.assignee_id, row.group_id, row.updated_at, JSON.stringify(row)],
    );
  }
  if (comments.length) {
    await tx.query(
      `INSERT INTO ticket.comments (id, ticket_id, audit_id, created_at, data)
       SELECT id, ticket_id, 0, created_at, data FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::jsonb[]) AS c(id, ticket_id, created_at, data)
       ON CONFLICT (id) DO NOTHING`,
      [comments.map((c) => c.id), comments.map((c) => c.ticket_id), comments.map((c) => c.created_at), comments.map((c) => JSON.stringify(c.data))],
    );
  }
  for (const audit of audits.values()) await appendAudit(tx, audit);
  if (commentAudits.length) {
    await tx.query(
      `UPDATE ticket.comments c SET audit_id = a.id FROM unnest($1::bigint[], $2::uuid[]) AS x(comment_id, update_id) JOIN ticket.audits a ON a.update_id = x.update_id WHERE c.id = x.comment_id`,
      [commentAudits.map((x) => x.commentId), commentAudits.map((x) => x.updateId)],
    );
  }
  for (const rating of ratings) await upsertRating(tx, rating);
};

/**
 * Zendesk's comment metadata for a mail comment: `system` names the mail (`raw_email_identifier`
 * is its id in ingest.raw_mail), `mailroom` says what the comment's text left out of it and that
 * the whole mail is at `…/comments/{id}/original` (and `original.json`).
 */
const commentMetadata = (c: Extract<TicketEvent, { type: 'ticket.comment_added' }>['data']): Record<string, unknown> => {
  if (!c.mail) return { system: {}, custom: {} };
  return {
    system: mailSystemMetadata(c.mail),
    custom: {},
    mailroom: {
      reply_cut_by: c.extraction?.replyCutBy ?? null,
      full_text_available: true,
      // What SPF/DKIM/DMARC said of the From address, and Zendesk's spoofing flag when the mail
      // authenticated for another domain than From's.
      ...(c.mail.authentication ? { authentication: authenticationMetadata(c.mail.authentication), potential_spoofing: c.mail.authentication.potentialSpoofing } : {}),
    },
  };
};

const authenticationMetadata = (a: MailAuthentication): Record<string, unknown> => ({
  policy: a.policy,
  outcome: a.outcome,
  authenticated: a.authenticated,
  note: a.note,
  ...(a.results
    ? {
        source: a.results.source,
        ...(a.results.authservId ? { authserv_id: a.results.authservId } : {}),
        spf: a.results.spf,
        dkim: a.results.dkim,
        dmarc: a.results.dmarc,
        arc: a.results.arc,
        from_domain: a.results.fromDomain,
        aligned: a.results.aligned,
      }
    : {}),
});

const mailSystemMetadata = (mail: { mailId: string; messageId: string; recipients: string[]; supportAddress: string }): Record<string, unknown> => ({
  message_id: mail.messageId,
  raw_email_identifier: mail.mailId,
  recipients: mail.recipients,
  support_address: mail.supportAddress,
});

const FIELD_NAMES: Partial<Record<TicketEvent['type'], string>> = {
  'ticket.status_changed': 'status',
  'ticket.priority_changed': 'priority',
  'ticket.type_changed': 'type',
  'ticket.subject_changed': 'subject',
  'ticket.group_changed': 'group_id',
  'ticket.assignee_changed': 'assignee_id',
  'ticket.requester_changed': 'requester_id',
};

/** Zendesk audit events for one log event (reference §8.2), plus Mailroom's own delivery records. */
const auditEventsOf = (m: Message, e: TicketEvent): Record<string, unknown>[] => {
  const id = Number(m.globalPosition);
  const changedBy = (e.data as { rule?: { kind: string; id: string; title: string } }).rule;
  const ruleVia = changedBy
    ? { via: { channel: 'rule', source: { from: { id: changedBy.id, title: changedBy.title, deleted: false }, to: {}, rel: changedBy.kind } } }
    : m.metadata.via?.channel === 'rule'
      ? { via: m.metadata.via }
      : {};
  switch (e.type) {
    case 'ticket.created': {
      const d = e.data;
      const fields: [string, unknown][] = [
        ['subject', d.subject],
        ['status', d.status],
        ['priority', d.priority],
        ['type', d.type],
        ['requester_id', d.requesterId],
        ['assignee_id', d.assigneeId],
        ['group_id', d.groupId],
        ['tags', d.tags],
      ];
      return fields.filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0)).map(([field_name, value], i) => ({ id: id * 100 + i, type: 'Create', field_name, value }));
    }
    case 'ticket.comment_added':
      return [
        {
          id,
          type: 'Comment',
          comment_id: e.data.commentId,
          author_id: e.data.authorId,
          body: e.data.body,
          html_body: e.data.htmlBody,
          plain_body: e.data.body,
          public: e.data.public,
          attachments: e.data.attachments.map((a) => ({ id: a.id, file_name: a.fileName, content_type: a.contentType, size: a.size })),
          // A mail comment's audit names its mail and says how its sender was authenticated.
          ...(e.data.mail?.authentication ? { metadata: commentMetadata(e.data) } : {}),
        },
      ];
    case 'ticket.mail_command_refused':
      // Zendesk shows a mail command it could not apply as an error in the reply's audit.
      return [{ id, type: 'MailCommandError', comment_id: e.data.commentId, command: e.data.command, value: e.data.value, error: e.data.error }];
    case 'ticket.tags_changed':
      return [{ id, type: 'Change', field_name: 'tags', value: e.data.tags, previous_value: e.data.tags.filter((t) => !e.data.added.includes(t)).concat(e.data.removed), ...ruleVia }];
    case 'ticket.ccs_changed':
      return [{ id, type: 'EmailCcChange', previous_email_ccs: e.data.ccIds.filter((c) => !e.data.added.includes(c)), current_email_ccs: e.data.ccIds, ...ruleVia }];
    case 'ticket.trigger_fired':
      return [
        {
          id,
          // Zendesk's audit names the automation behind an automation's update (via rule, rel automation).
          type: e.data.kind === 'automation' ? 'AutomationFired' : 'TriggerFired',
          via: { channel: 'rule', source: { from: { id: e.data.triggerId, title: e.data.title, deleted: false }, rel: e.data.kind ?? 'trigger' } },
          actions: e.data.actions,
          ...(e.data.superseded ? { superseded: e.data.superseded } : {}),
        },
      ];
    case 'ticket.notification_requested':
      return [
        {
          id,
          type: 'Notification',
          notification_id: e.data.notificationId,
          via: { channel: 'rule', source: { from: { id: e.data.rule.id, title: e.data.rule.title, deleted: false }, rel: e.data.rule.kind } },
          subject: e.data.subject,
          body: e.data.body,
          recipients: e.data.recipientIds,
          suppressed: e.data.suppressed.map((s) => ({ user_id: s.userId, reason: s.reason })),
        },
      ];
    case 'ticket.notification_delivered':
      return [{ id, type: 'NotificationDelivery', notification_id: e.data.notificationId, status: 'delivered', recipients: e.data.to, message_id: e.data.messageId, relay_response: e.data.relayResponse, at: e.data.deliveredAt }];
    case 'ticket.notification_failed':
      return [{ id, type: 'NotificationDelivery', notification_id: e.data.notificationId, status: e.data.permanent ? 'failed' : 'retrying', recipients: e.data.to, error: e.data.error, at: e.data.failedAt }];
    case 'ticket.webhook_requested':
      // Zendesk's audit shows a webhook call as an External event naming the rule and the webhook.
      return [{ id, type: 'External', resource: 'webhook', webhook_id: e.data.webhookId, request_id: e.data.requestId, body: e.data.body, via: { channel: 'rule', source: { from: { id: e.data.rule.id, title: e.data.rule.title, deleted: false }, rel: e.data.rule.kind } } }];
    case 'ticket.webhook_delivered':
      return [{ id, type: 'WebhookDelivery', webhook_id: e.data.webhookId, request_id: e.data.requestId, status: 'delivered', endpoint: e.data.endpoint, status_code: e.data.statusCode, attempts: e.data.attempts, at: e.data.deliveredAt }];
    case 'ticket.delivery_bounced': {
      // Mailroom's audit event for a bounce (Zendesk shows a delivery-failure flag on the ticket).
      const d = e.data;
      return [
        {
          id,
          type: 'NotificationBounce',
          mail_id: d.mailId,
          recipient: d.address,
          user_id: d.userId,
          bounce: d.permanent ? 'hard' : 'soft',
          action: d.action,
          status: d.status,
          diagnostic: d.diagnostic,
          original_message_id: d.originalMessageId,
          undeliverable: d.undeliverable,
          at: d.bouncedAt,
        },
      ];
    }
    case 'ticket.satisfaction_offered':
    case 'ticket.satisfaction_rated':
      return [satisfactionAuditEvent(id, e, null)!];
    case 'ticket.webhook_failed':
      return [{ id, type: 'WebhookDelivery', webhook_id: e.data.webhookId, request_id: e.data.requestId, status: 'failed', endpoint: e.data.endpoint, status_code: e.data.statusCode, error: e.data.error, attempts: e.data.attempts, at: e.data.failedAt }];
    default: {
      const field = FIELD_NAMES[e.type];
      if (!field) return [];
      const d = e.data as { from: unknown; to: unknown };
      return [{ id, type: 'Change', field_name: field, value: d.to, previous_value: d.from, ...ruleVia }];
    }
  }
};

/** The audit an event's audit events open (or join, when its update has one already); null: nothing to record. */
const auditOf = (m: Message, e: TicketEvent): AuditRecord | null => {
  const events = auditEventsOf(m, e);
  if (events.length === 0) return null;
  return {
    id: Number(m.globalPosition),
    update_id: auditKey(m),
    ticket_id: e.data.ticketId,
    created_at: m.metadata.occurredAt,
    data: {
      id: Number(m.globalPosition),
      ticket_id: e.data.ticketId,
      created_at: m.metadata.occurredAt,
      author_id: m.metadata.actor?.userId ?? -1,
      via: m.metadata.via ?? null,
      metadata: { system: (e.type === 'ticket.created' || e.type === 'ticket.comment_added') && e.data.mail ? mailSystemMetadata(e.data.mail) : {}, custom: {} },
      events,
    },
  };
};

const appendAudit = async (tx: Db, audit: AuditRecord): Promise<void> => {
  const events = audit.data.events;
  // The SQL form of `mergeAudit`, safe against a concurrent writer of the same update.
  await tx.query(
    `INSERT INTO ticket.audits (id, update_id, ticket_id, created_at, data) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (update_id) DO UPDATE SET data = jsonb_set(ticket.audits.data, '{events}', (ticket.audits.data->'events') || $6::jsonb)
     WHERE NOT (ticket.audits.data->'events') @> $7::jsonb`,
    [audit.id, audit.update_id, audit.ticket_id, audit.created_at, JSON.stringify(audit.data), JSON.stringify(events), JSON.stringify([{ id: events[0].id }])],
  );
};

/** A user row as the read model keeps it: the columns beside the API shape in `data`. */
export interface UserReadRow {
  id: number;
  version: number;
  email: string | null;
  role: string;
  created_at: string;
  updated_at: string;
  data: Record<string, unknown>;
}

/**
 * A user's row after one of its events (pure; shared by the live path and the rebuild). Null when
 * the event does not apply: a creation over an existing row, a change to a user never created, or
 * a version the row has already (a late replay never undoes a later change).
 */
export const evolveUserRow = (row: UserReadRow | null, version: number, e: UserEvent): UserReadRow | null => {
  if (e.type === 'user.created') {
    if (row) return null;
    const d = e.data;
    const data = { id: d.userId, name: d.name, email: d.email, role: d.role, active: true, verified: false, created_at: d.createdAt, updated_at: d.createdAt, undeliverable: false, email_undeliverable_at: null, email_soft_bounces: 0, organization_id: d.organizationId ?? null };
    return { id: d.userId, version, email: d.email, role: d.role, created_at: d.createdAt, updated_at: d.createdAt, data };
  }
  if (!row || row.version >= version) return null;
  if (e.type === 'user.email_bounced') {
    // The count and the mark are the event's own: a replay gives the same row.
    const d = e.data;
    const at = d.undeliverable ? (row.data.email_undeliverable_at ?? d.bouncedAt) : null;
    return { ...row, version, data: { ...row.data, undeliverable: d.undeliverable, email_soft_bounces: d.softBounces, email_undeliverable_at: at } };
  }
  const d = e.data;
  const patch: Record<string, unknown> = { updated_at: d.updatedAt };
  if (d.name !== undefined) patch.name = d.name;
  if (d.email !== undefined) patch.email = d.email;
  if (d.role !== undefined) patch.role = d.role;
  if (d.undeliverable !== undefined) {
    patch.undeliverable = d.undeliverable;
    // Marked deliverable again: the soft bounces start from nothing.
    if (!d.undeliverable) Object.assign(patch, { email_undeliverable_at: null, email_soft_bounces: 0 });
    else patch.email_undeliverable_at = d.updatedAt;
  }
  if (d.organizationId !== undefined) patch.organization_id = d.organizationId;
  return { ...row, version, email: d.email ?? row.email, role: d.role ?? row.role, updated_at: d.updatedAt, data: { ...row.data, ...patch } };
};

const applyUserEvent = async (tx: Db, m: Message, e: UserEvent): Promise<void> => {
  if (e.type === 'user.created') {
    const row = evolveUserRow(null, m.streamVersion, e)!;
    await tx.query(
      `INSERT INTO ticket.users (id, version, email, role, created_at, updated_at, data) VALUES ($1, $2, $3, $4, $5, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [row.id, row.version, row.email, row.role, row.created_at, JSON.stringify(row.data)],
    );
    return;
  }
  // The change is applied in its own transaction and again when the processor follows the log:
  // only a version newer than the row's is taken, so a late replay never undoes a later change.
  const rows = await tx.query<{ version: string; email: string | null; role: string; created_at: Date; updated_at: Date; data: Record<string, unknown> }>(
    `SELECT version, email, role, created_at, updated_at, data FROM ticket.users WHERE id = $1 FOR UPDATE`,
    [e.data.userId],
  );
  const current = rows.length
    ? { id: e.data.userId, version: Number(rows[0].version), email: rows[0].email, role: rows[0].role, created_at: rows[0].created_at.toISOString(), updated_at: rows[0].updated_at.toISOString(), data: rows[0].data }
    : null;
  const next = evolveUserRow(current, m.streamVersion, e);
  if (!next) return;
  await tx.query(`UPDATE ticket.users SET version = $2, email = $3, role = $4, updated_at = $5, data = $6 WHERE id = $1`, [
    next.id,
    next.version,
    next.email,
    next.role,
    next.updated_at,
    JSON.stringify(next.data),
  ]);
};

/** Empties the read models, for a rebuild from the log. */
export const resetReadModel = async (tx: Db): Promise<void> => {
  await tx.query(`TRUNCATE ticket.tickets, ticket.comments, ticket.audits, ticket.users`);
};

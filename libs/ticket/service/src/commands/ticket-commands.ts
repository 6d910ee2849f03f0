import { randomUUID } from 'node:crypto';
import {
  ticketStreamId,
  type Actor,
  type AddCommentV1,
  type ApplyRuleActionsV1,
  type CreateTicketV1,
  type MailCommandChanges,
  type MailCommandRefusal,
  type Message,
  type PersonRef,
  type RecordBounceV1,
  type RecordDeliveriesV1,
  type RecordDeliveryV1,
  type RecordSatisfactionRatingV1,
  type RecordWebhookDeliveriesV1,
  type RecordWebhookDeliveryV1,
  type TicketEvent,
  type Via,
} from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore, ExpectedVersionConflict } from '@mailroom/event-store';
import { decide, evolve, followUpCommand, initialTicketState, type FieldChanges, type NewComment, type TicketCommand, type TicketError, type TicketState } from '@mailroom/ticket-domain';
import { applyToReadModel } from '../read-model/ticket-projection';
import { Users, type UserRecord } from '../users/users';

const COMMAND_OF_FIELD: Record<string, string> = { status: '#status', priority: '#priority', type: '#type', group_id: '#group', assignee_id: '#assignee', requester_id: '#requester', tags: '#tags' };
const FIELD_OF_ERROR: Record<string, keyof FieldChanges> = { status: 'status', priority: 'priority', type: 'type', group_id: 'groupId', assignee_id: 'assigneeId', requester_id: 'requesterId' };

/** A change the ticket refused (say, solving without an assignee), as the mail command that asked for it; all its changes were left out. */
const refusalOf = (error: TicketError, changes: FieldChanges): MailCommandRefusal => {
  const field = ('field' in error ? error.field : undefined) ?? '';
  const key = FIELD_OF_ERROR[field];
  const value = key !== undefined ? changes[key] : undefined;
  return { command: COMMAND_OF_FIELD[field] ?? 'mail commands', value: value === undefined || value === null ? null : String(value), error: `${error.message}; no change of this reply was made` };
};

export class TicketCommandError extends Error {
  constructor(readonly error: TicketError) {
    super(error.message);
  }
}

export interface CommandResult {
  ticketId: number;
  state: TicketState;
  events: Message[];
  /** The update id of the events written (null when the command changed nothing). */
  updateId: string | null;
}

type Meta = { actor: Actor; via: Via; causationId?: string; correlationId?: string; updateId?: string };

/**
 * The update whose rules asked for a notification or webhook call (the causation of the request
 * event): its outcome is recorded in that update's audit, as Zendesk shows it.
 */
/**
 * The group a mail command names, by id or by name; null when there is none. Names are looked up
 * by the key the groups service keeps unique (ticket.group_names: trimmed, any case), with the
 * spacing a mail client may have doubled made single.
 */
const groupNamed = async (tx: Db, ref: { id: number } | { name: string }): Promise<number | null> => {
  const rows =
    'id' in ref
      ? await tx.query<{ id: string }>(`SELECT id FROM ticket.groups WHERE id = $1 AND NOT deleted`, [ref.id])
      : await tx.query<{ id: string }>(`SELECT group_id AS id FROM ticket.group_names WHERE name_key = $1`, [ref.name.trim().replace(/\s+/g, ' ').toLowerCase()]);
  return rows.length ? Number(rows[0].id) : null;
};

const updateThatAsked = async (tx: Db, ticketId: number, type: 'ticket.notification_requested' | 'ticket.webhook_requested', key: 'notificationId' | 'requestId', value: string): Promise<string | null> => {
  const rows = await tx.query<{ update_id: string }>(
    `SELECT metadata->>'causationId' AS update_id FROM mailroom_events.messages WHERE stream_id = $1 AND type = $2 AND data->>$3 = $4 LIMIT 1`,
    [ticketStreamId(ticketId), type, key, value],
  );
  return rows[0]?.update_id ?? null;
};

/** How many tickets' states a process keeps (about 20 events of a few KB each per ticket). */
const KEPT_TICKETS = 5000;

const foldOnto = (from: { state: TicketState; version: number; history: Message[] }, messages: readonly Message[]) => {
  let state = from.state;
  for (const m of messages) {
    state = evolve(state, { type: m.type, data: m.data } as TicketEvent, { updateId: m.metadata.updateId, causationId: m.metadata.causationId, occurredAt: m.metadata.occurredAt });
  }
  return { state, version: messages.length ? messages[messages.length - 1].streamVersion : from.version, history: messages.length ? [...from.history, ...messages] : from.history };
};

/**
 * The ticket service's application layer: load the aggregate, decide, append with the expected
 * version, update the API's read model in the same transaction. A version conflict re-runs the
 * whole transaction, decide included (which is pure, so re-running is harmless).
 */
export class TicketCommands {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    readonly users: Users,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Tickets' states as this process last saw them (issue 8: commands from kept state rather than
   * re-reading the stream). An entry is only trusted once the log shows its last event still at its
   * version: `load` reads from that version on, one row when nothing changed, and folds what
   * another writer added since. An entry a rolled-back transaction left behind does not match
   * (event ids are new per append) and the stream is read whole.
   */
  private readonly kept = new Map<number, { state: TicketState; version: number; history: Message[] }>();

  async load(db: Db, ticketId: number): Promise<{ state: TicketState; version: number; history: Message[] }> {
    const streamId = ticketStreamId(ticketId);
    const known = this.kept.get(ticketId);
    if (known) {
      this.kept.delete(ticketId);
      const since = await this.store.readStream(db, streamId, known.version);
      if (since.length > 0 && since[0].streamVersion === known.version && since[0].id === known.history[known.history.length - 1].id) {
        return this.keep(ticketId, since.length === 1 ? known : foldOnto(known, since.slice(1)));
      }
    }
    const history = await this.store.readStream(db, streamId);
    const loaded = foldOnto({ state: initialTicketState(), version: 0, history: [] }, history);
    return loaded.version > 0 ? this.keep(ticketId, loaded) : loaded;
  }

  private keep<T extends { state: TicketState; version: number; history: Message[] }>(ticketId: number, entry: T): T {
    this.kept.set(ticketId, entry);
    // Least recently used first: a Map iterates in insertion order and `load` re-inserts.
    if (this.kept.size > KEPT_TICKETS) this.kept.delete(this.kept.keys().next().value!);
    return entry;
  }

  /** Runs `work` in a transaction, again on a version conflict (bounded). */
  async inTransaction<T>(work: (tx: Db) => Promise<T>, outer?: Db): Promise<T> {
    if (outer) return work(outer);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(work);
      } catch (err) {
        if (!(err instanceof ExpectedVersionConflict) || attempt >= 5) throw err;
      }
    }
  }

  /** Decides and appends one command on one ticket, in the given transaction. */
  async execute(tx: Db, ticketId: number, build: (state: TicketState, now: string, history: readonly Message[]) => TicketCommand, meta: Meta): Promise<CommandResult> {
    const { state, version, history } = await this.load(tx, ticketId);
    const now = this.clock().toISOString();
    const command = build(state, now, history);
    // Zendesk's ticket.organization_id: the requester's organization when the ticket is created.
    if (command.type === 'CreateTicket' && command.organizationId === undefined && !state.exists) {
      command.organizationId = (await this.users.byId(tx, command.requesterId))?.organization_id ?? null;
    }
    const decision = decide(command, state);
    if (!decision.ok) throw new TicketCommandError(decision.error);
    if (decision.events.length === 0) return { ticketId, state, events: [], updateId: null };
    const updateId = meta.updateId ?? randomUUID();
    const { messages } = await this.store.append(
      tx,
      ticketStreamId(ticketId),
      'ticket',
      version === 0 ? 'no_stream' : version,
      decision.events.map((e) => ({ type: e.type, data: e.data })),
      { actor: meta.actor, via: meta.via, causationId: meta.causationId, correlationId: meta.correlationId, updateId, occurredAt: now },
    );
    await applyToReadModel(tx, messages);
    const after = this.keep(ticketId, foldOnto({ state, version, history: history as Message[] }, messages));
    return { ticketId, state: after.state, events: messages, updateId };
  }

  async resolvePerson(tx: Db, ref: PersonRef, actor: Actor): Promise<UserRecord> {
    const now = this.clock().toISOString();
    if ('id' in ref) {
      const u = await this.users.byId(tx, ref.id);
      if (!u) throw new TicketCommandError({ kind: 'invalid', message: `Requester: user ${ref.id} does not exist`, field: 'requester_id' });
      return u;
    }
    return this.users.findOrCreate(tx, ref, actor, now);
  }

  /** CreateTicket from another service (ingest): idempotent by its creation key. */
  async createTicket(tx: Db, c: CreateTicketV1, meta: { causationId: string; correlationId?: string }): Promise<CommandResult | null> {
    const existing = await tx.query<{ ticket_id: string }>(`SELECT ticket_id FROM ticket.creation_keys WHERE key = $1`, [c.creationKey]);
    if (existing.length) return null;
    const systemActor: Actor = { userId: null, role: 'system' };
    const sender = await this.resolvePerson(tx, c.requester, systemActor);
    // An agent's mail commands on a new ticket (#requester opens it on a customer's behalf).
    const refused: MailCommandRefusal[] = [...(c.commandErrors ?? [])];
    const asked = await this.mailCommandChanges(tx, c.changes, sender, initialTicketState(), refused);
    const requesterId = asked.requesterId ?? sender.id;
    const ccs: number[] = [];
    for (const cc of c.ccs) {
      const id = (await this.resolvePerson(tx, cc, systemActor)).id;
      if (id !== requesterId && !ccs.includes(id)) ccs.push(id);
    }
    // The agent who opened it for someone else stays on it as a CC, as Zendesk does.
    if (requesterId !== sender.id && !ccs.includes(sender.id)) ccs.push(sender.id);
    const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval('ticket.ticket_ids') AS id`);
    const ticketId = Number(id);
    await tx.query(`INSERT INTO ticket.creation_keys (key, ticket_id) VALUES ($1, $2)`, [c.creationKey, ticketId]);
    const [{ id: commentId }] = await tx.query<{ id: string }>(`SELECT nextval('ticket.comment_ids') AS id`);
    const actor: Actor = { userId: sender.id, role: sender.role };
    const open = (commands: FieldChanges, errors: MailCommandRefusal[]) => {
      let tags = [...(c.tags ?? []), ...(commands.addTags ?? [])];
      if (commands.removeTags?.length) tags = tags.filter((t) => !commands.removeTags!.includes(t));
      return this.execute(
        tx,
        ticketId,
        (_s, now) => ({
          type: 'CreateTicket',
          now,
          actor,
          via: c.via,
          ticketId,
          subject: c.subject,
          requesterId,
          submitterId: sender.id,
          recipient: c.recipient,
          comment: { commentId: Number(commentId), authorId: sender.id, ...c.comment },
          ccIds: ccs,
          fields: {
            priority: commands.priority !== undefined ? commands.priority : (c.priority ?? null),
            type: commands.type !== undefined ? commands.type : (c.type ?? null),
            status: commands.status ?? c.status,
            tags,
            ...(commands.groupId !== undefined ? { groupId: commands.groupId } : {}),
            ...(commands.assigneeId !== undefined ? { assigneeId: commands.assigneeId } : {}),
          },
          mail: c.mail,
          ...(errors.length ? { commandErrors: errors } : {}),
        }),
        { actor, via: c.via, ...meta },
      );
    };
    try {
      return await open(asked, refused);
    } catch (err) {
      // Fields the ticket refuses (its system rules) never cost the mail its ticket: it opens
      // without the agent's field commands, and the audit says why.
      if (!(err instanceof TicketCommandError) || Object.keys(asked).length === 0) throw err;
      return open({}, [...refused, refusalOf(err.error, asked)]);
    }
  }

  /**
   * AddComment from another service (ingest): idempotent by its comment key. CCs the mail named
   * are added (48 at most on a ticket) and an agent's mail-command changes are made in the same
   * update as the comment. A comment for a closed ticket starts a follow-up instead: decided here,
   * on the ticket's state inside this transaction, so a reply racing the ticket's closing still
   * lands (a version conflict re-runs the transaction, which then sees the ticket closed).
   */
  async addComment(tx: Db, c: AddCommentV1, meta: { causationId: string; correlationId?: string }): Promise<CommandResult | null> {
    const existing = await tx.query(`SELECT 1 FROM ticket.comment_keys WHERE key = $1`, [c.commentKey]);
    if (existing.length) return null;
    const system: Actor = { userId: null, role: 'system' };
    const author = await this.resolvePerson(tx, c.author, system);
    const ccIds: number[] = [];
    for (const cc of c.ccs ?? []) {
      const user = await this.resolvePerson(tx, cc, system);
      if (user.id !== author.id && !ccIds.includes(user.id)) ccIds.push(user.id);
    }
    const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval('ticket.comment_ids') AS id`);
    const commentId = Number(id);
    const actor: Actor = { userId: author.id, role: author.role };
    const comment = { commentId, authorId: author.id, ...c.comment };
    const { state } = await this.load(tx, c.ticketId);
    // Refused mail commands go on the comment's audit (agents only: an end user's `#…` is text).
    const refused: MailCommandRefusal[] = author.role === 'agent' || author.role === 'admin' ? [...(c.commandErrors ?? [])] : [];
    const changes = await this.mailCommandChanges(tx, c.changes, author, state, refused);

    const update = (withChanges: FieldChanges, commandErrors: MailCommandRefusal[] = refused) =>
      this.execute(
        tx,
        c.ticketId,
        (_s, now) => ({ type: 'UpdateTicket', now, actor, via: c.via, changes: { ...withChanges, addCcIds: ccIds }, comment, mail: c.mail, ...(commandErrors.length ? { commandErrors } : {}) }),
        { actor, via: c.via, ...meta },
      );
    let result: CommandResult;
    try {
      if (state.status === 'closed') throw new TicketCommandError({ kind: 'closed', message: 'closed' });
      try {
        result = await update(changes);
      } catch (err) {
        // A mail command the system rules refuse must not cost the customer's comment.
        if (!(err instanceof TicketCommandError) || err.error.kind !== 'invalid' || Object.keys(changes).length === 0) throw err;
        result = await update({}, [...refused, refusalOf(err.error, changes)]);
      }
    } catch (err) {
      if (!(err instanceof TicketCommandError) || err.error.kind !== 'closed') throw err;
      result = await this.createFollowUp(tx, c, { comment, actor, ccIds, changes, refused }, meta);
    }
    await tx.query(`INSERT INTO ticket.comment_keys (key, ticket_id, comment_id) VALUES ($1, $2, $3)`, [c.commentKey, result.ticketId, commentId]);
    return result;
  }

  /** The follow-up for a reply to a closed ticket (reference §5.7), see {@link followUpCommand}. */
  private async createFollowUp(
    tx: Db,
    c: AddCommentV1,
    reply: { comment: NewComment; actor: Actor; ccIds: number[]; changes: FieldChanges; refused: MailCommandRefusal[] },
    meta: { causationId: string; correlationId?: string },
  ): Promise<CommandResult> {
    const { state: closed } = await this.load(tx, c.ticketId);
    const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval('ticket.ticket_ids') AS id`);
    const ticketId = Number(id);
    await tx.query(`INSERT INTO ticket.creation_keys (key, ticket_id) VALUES ($1, $2)`, [`follow-up:${c.commentKey}`, ticketId]);
    const build = (changes: FieldChanges, commandErrors = reply.refused) => (_s: TicketState, now: string) =>
      followUpCommand(closed, { ticketId, now, actor: reply.actor, comment: reply.comment, via: c.via, mail: c.mail, ccIds: reply.ccIds, changes, commandErrors });
    const via = build({})(closed, '').via;
    try {
      return await this.execute(tx, ticketId, build(reply.changes), { actor: reply.actor, via, ...meta });
    } catch (err) {
      if (!(err instanceof TicketCommandError) || err.error.kind !== 'invalid' || Object.keys(reply.changes).length === 0) throw err;
      return this.execute(tx, ticketId, build({}, [...reply.refused, refusalOf(err.error, reply.changes)]), { actor: reply.actor, via, ...meta });
    }
  }

  /**
   * Mail-command changes as ticket field changes, for agents and admins only (an end user's
   * `#status` line is just text). The assignee must be an agent; an unknown one is left out.
   * Solving without an assignee assigns the solving agent (Zendesk's "assign upon solve").
   */
  private async mailCommandChanges(tx: Db, asked: MailCommandChanges | undefined, author: UserRecord, state: TicketState, refused: MailCommandRefusal[]): Promise<FieldChanges> {
    if (!asked || (author.role !== 'agent' && author.role !== 'admin')) return {};
    const f: FieldChanges = {};
    if (asked.status !== undefined && asked.status !== 'new') f.status = asked.status;
    if (asked.priority !== undefined) f.priority = asked.priority;
    if (asked.type !== undefined) f.type = asked.type;
    const group = asked.group ?? (asked.groupId === undefined ? undefined : asked.groupId === null ? null : { id: asked.groupId });
    if (group === null) f.groupId = null;
    else if (group) {
      const found = await groupNamed(tx, group);
      if (found !== null) f.groupId = found;
      else refused.push({ command: '#group', value: 'id' in group ? String(group.id) : group.name, error: 'no such group' });
    }
    if (asked.addTags?.length) f.addTags = asked.addTags;
    if (asked.removeTags?.length) f.removeTags = asked.removeTags;
    if (asked.assignee === null) f.assigneeId = null;
    else if (asked.assignee) {
      const user = 'id' in asked.assignee ? await this.users.byId(tx, asked.assignee.id) : await this.users.byEmail(tx, asked.assignee.email);
      if (user && (user.role === 'agent' || user.role === 'admin')) f.assigneeId = user.id;
      else refused.push({ command: '#assignee', value: 'id' in asked.assignee ? String(asked.assignee.id) : asked.assignee.email, error: user ? 'the assignee must be an agent' : 'no such user' });
    }
    if (asked.requester) {
      // An unknown id is left out like an unknown assignee; an unknown address becomes an end user.
      const requester = await this.resolvePerson(tx, asked.requester, { userId: author.id, role: author.role }).catch((err) => {
        if (err instanceof TicketCommandError) return null;
        throw err;
      });
      if (requester) f.requesterId = requester.id;
    }
    const assignee = f.assigneeId !== undefined ? f.assigneeId : state.assigneeId;
    if ((f.status === 'solved' || f.status === 'closed') && assignee === null) f.assigneeId = author.id;
    return f;
  }

  /**
   * The rules' changes to a ticket: one update, or — an automation cycle's updates of one ticket,
   * sent as one command (`then`) — several, applied in the order they came, in the caller's one
   * transaction, each an update of its own. One result per update.
   */
  async applyRuleActions(tx: Db, c: ApplyRuleActionsV1, meta: { causationId: string }): Promise<CommandResult[]> {
    const { then: following = [], ...first } = c;
    const results = [await this.applyRuleUpdate(tx, first, meta)];
    for (const u of following) results.push(await this.applyRuleUpdate(tx, { ticketId: c.ticketId, basedOnVersion: c.basedOnVersion, ...u }, meta));
    return results;
  }

  private async applyRuleUpdate(tx: Db, c: Omit<ApplyRuleActionsV1, 'then'>, meta: { causationId: string }): Promise<CommandResult> {
    const actor: Actor = { userId: null, role: 'system' };
    const first = c.fired[0];
    const automation = first?.kind === 'automation';
    // The 28-day close is the system's, not a rule's: `via` system, so no trigger runs on it.
    const via: Via = c.systemClose
      ? { channel: 'system', source: { from: { title: 'Close solved tickets after 28 days' }, to: {}, rel: 'system_close' } }
      : { channel: 'rule', source: { from: { id: first?.id, title: first?.title }, to: {}, rel: first?.kind ?? 'trigger' } };
    return this.execute(
      tx,
      c.ticketId,
      // Reopened since the scheduler looked: no system close.
      (s, now, history) => (c.systemClose && s.status !== 'solved' ? { type: 'ApplyRuleActions', now, actor, via, updateId: c.updateId, changes: {}, fired: [] } : {
        type: 'ApplyRuleActions',
        now,
        actor,
        via,
        updateId: c.updateId,
        changes: {
          status: c.changes.status,
          priority: c.changes.priority,
          type: c.changes.type,
          groupId: c.changes.groupId,
          assigneeId: c.changes.assigneeId,
          addTags: c.changes.addTags,
          removeTags: c.changes.removeTags,
          // The `cc` action; custom fields and schedules have no ticket fields yet.
          addCcIds: c.changes.addCcIds,
        },
        fired: c.fired,
        satisfactionOffered: c.changes.satisfactionScore === 'offered',
        // What happened to the ticket since the rules looked at it (usually nothing).
        // An automation's update is not undone by the one an earlier automation made in the same cycle.
        later: history
          .filter((m) => m.streamVersion > c.basedOnVersion && !(automation && m.metadata.via?.source.rel === 'automation'))
          .map((m) => ({ type: m.type, data: m.data }) as TicketEvent),
      }),
      // The rules' update belongs to the update that caused it (audit and idempotency); an
      // automation's update is its own, under the id the scheduler derived, and the triggers'
      // reply to it joins its audit.
      { actor, via, causationId: c.updateId, correlationId: meta.causationId, ...(automation || c.systemClose ? { updateId: c.updateId } : {}) },
    );
  }

  async recordDelivery(tx: Db, c: RecordDeliveryV1, meta: { causationId: string }): Promise<CommandResult> {
    const actor: Actor = { userId: null, role: 'system' };
    const via: Via = { channel: 'system', source: { from: {}, to: {}, rel: 'notifier' } };
    const askedIn = await updateThatAsked(tx, c.ticketId, 'ticket.notification_requested', 'notificationId', c.notificationId);
    return this.execute(
      tx,
      c.ticketId,
      (_s, now) => ({ type: 'RecordDelivery', now, actor, via, notificationId: c.notificationId, outcome: c.outcome }),
      // Recorded in the audit of the update whose rule asked for the notification.
      { actor, via: { ...via, channel: 'rule' }, causationId: askedIn ?? meta.causationId },
    );
  }

  /**
   * A batch of outgoing mails' outcomes on one ticket, in the caller's one transaction. Each
   * outcome goes on the audit of the update whose rule asked for its notification (DESIGN §2.7),
   * so the batch is one update per asking update — usually exactly one: a pass of the sender holds
   * the mails one rules update queued. Outcomes the ticket already has are skipped by the decider.
   */
  async recordDeliveries(tx: Db, c: RecordDeliveriesV1, meta: { causationId: string }): Promise<CommandResult[]> {
    const actor: Actor = { userId: null, role: 'system' };
    const via: Via = { channel: 'rule', source: { from: {}, to: {}, rel: 'notifier' } };
    const ids = [...new Set(c.deliveries.map((d) => d.notificationId))];
    const asked = new Map(
      (
        await tx.query<{ notification_id: string; update_id: string }>(
          `SELECT DISTINCT ON (data->>'notificationId') data->>'notificationId' AS notification_id, metadata->>'causationId' AS update_id
           FROM mailroom_events.messages WHERE stream_id = $1 AND type = 'ticket.notification_requested' AND data->>'notificationId' = ANY($2::text[])`,
          [ticketStreamId(c.ticketId), ids],
        )
      ).map((r) => [r.notification_id, r.update_id ?? meta.causationId]),
    );
    const byUpdate = new Map<string, RecordDeliveriesV1['deliveries']>();
    for (const d of c.deliveries) {
      const updateId = asked.get(d.notificationId) ?? meta.causationId;
      byUpdate.set(updateId, [...(byUpdate.get(updateId) ?? []), d]);
    }
    const results: CommandResult[] = [];
    for (const [askedIn, deliveries] of byUpdate) {
      results.push(await this.execute(tx, c.ticketId, (_s, now) => ({ type: 'RecordDeliveries', now, actor, via, deliveries }), { actor, via, causationId: askedIn }));
    }
    return results;
  }

  /**
   * A bounce ingest read from a delivery report: the user with that email is marked (hard at once,
   * soft after ten, see bounces.ts in the ticket domain) and the ticket the bounced mail was about
   * records it on its audit. Runs once per command (the inbox); an unknown address or a ticket
   * that is gone records only what it can.
   */
  async recordBounce(tx: Db, c: RecordBounceV1, meta: { causationId: string; correlationId?: string }): Promise<CommandResult | null> {
    const actor: Actor = { userId: null, role: 'system' };
    const now = this.clock().toISOString();
    const user = await this.users.byEmail(tx, c.address);
    const bounce = { permanent: c.permanent, status: c.status, diagnostic: c.diagnostic, ticketId: c.ticketId, mailId: c.mailId, bouncedAt: c.bouncedAt };
    const marked = user?.email ? await this.users.recordBounce(tx, user, { ...bounce, originalMessageId: c.originalMessageId }, actor, now) : null;
    if (c.ticketId === null || !(await this.load(tx, c.ticketId)).state.exists) return null;
    const via: Via = { channel: 'system', source: { from: {}, to: { address: c.address }, rel: 'bounce' } };
    return this.execute(
      tx,
      c.ticketId,
      (_s, at) => ({
        type: 'RecordBounce',
        now: at,
        actor,
        via,
        mailId: c.mailId,
        address: c.address,
        userId: user?.id ?? null,
        action: c.action,
        status: c.status,
        diagnostic: c.diagnostic,
        permanent: c.permanent,
        originalMessageId: c.originalMessageId,
        undeliverable: marked?.undeliverable ?? false,
        bouncedAt: c.bouncedAt,
      }),
      { actor, via, ...meta },
    );
  }

  /**
   * The requester's rating from the rating page (whose link the page checked): an update by the
   * requester via web, so the triggers see `satisfaction_score` change.
   */
  async recordSatisfactionRating(tx: Db, c: RecordSatisfactionRatingV1, meta: { causationId?: string; correlationId?: string } = {}): Promise<CommandResult> {
    const actor: Actor = { userId: c.requesterId, role: 'end_user' };
    const via: Via = { channel: 'web', source: { from: {}, to: {}, rel: 'satisfaction' } };
    return this.execute(tx, c.ticketId, (_s, now) => ({ type: 'RecordSatisfactionRating', now, actor, via, requesterId: c.requesterId, score: c.score, comment: c.comment }), { actor, via, ...meta });
  }

  /** Webhook calls' final outcomes on one ticket: as {@link recordDeliveries}, one update per update that asked. */
  async recordWebhookDeliveries(tx: Db, c: RecordWebhookDeliveriesV1, meta: { causationId: string }): Promise<CommandResult[]> {
    const actor: Actor = { userId: null, role: 'system' };
    const via: Via = { channel: 'rule', source: { from: {}, to: {}, rel: 'notifier' } };
    const asked = new Map(
      (
        await tx.query<{ request_id: string; update_id: string | null }>(
          `SELECT DISTINCT ON (data->>'requestId') data->>'requestId' AS request_id, metadata->>'causationId' AS update_id
           FROM mailroom_events.messages WHERE stream_id = $1 AND type = 'ticket.webhook_requested' AND data->>'requestId' = ANY($2::text[])`,
          [ticketStreamId(c.ticketId), [...new Set(c.calls.map((w) => w.requestId))]],
        )
      ).map((r) => [r.request_id, r.update_id ?? meta.causationId]),
    );
    const byUpdate = new Map<string, RecordWebhookDeliveriesV1['calls']>();
    for (const w of c.calls) {
      const updateId = asked.get(w.requestId) ?? meta.causationId;
      byUpdate.set(updateId, [...(byUpdate.get(updateId) ?? []), w]);
    }
    const results: CommandResult[] = [];
    for (const [askedIn, calls] of byUpdate) {
      results.push(await this.execute(tx, c.ticketId, (_s, now) => ({ type: 'RecordWebhookDeliveries', now, actor, via, calls }), { actor, via, causationId: askedIn }));
    }
    return results;
  }

  async recordWebhookDelivery(tx: Db, c: RecordWebhookDeliveryV1, meta: { causationId: string }): Promise<CommandResult> {
    const actor: Actor = { userId: null, role: 'system' };
    const via: Via = { channel: 'rule', source: { from: {}, to: {}, rel: 'notifier' } };
    const askedIn = await updateThatAsked(tx, c.ticketId, 'ticket.webhook_requested', 'requestId', c.requestId);
    return this.execute(
      tx,
      c.ticketId,
      (_s, now) => ({ type: 'RecordWebhookDelivery', now, actor, via, requestId: c.requestId, webhookId: c.webhookId, endpoint: c.endpoint, outcome: c.outcome }),
      // Recorded in the audit of the update whose rule asked for the call.
      { actor, via, causationId: askedIn ?? meta.causationId },
    );
  }
}

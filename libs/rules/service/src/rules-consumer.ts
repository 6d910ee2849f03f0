import { deterministicUuid, IDENTITY_FIELDS, personPatchOf, RECORD_ONLY_TICKET_EVENTS, updateOf, type ApplyRuleActionsV1, type ConsumedUpdateKey, type Message, type TicketEvent, type Update } from '@mailroom/contracts';
import { mergeVersionedRow, type Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { eventsToApply, handleOnce, RetryLater, type HandlerMap, type QueueSpec, type UpdateHandler } from '@mailroom/messaging';
import { evaluateCompiled, type Directory, type Person, type RuleTicket, type RuleUpdate, type Schedule } from '@mailroom/rules-domain';
import { withGroups, type GroupMembers } from './directory/agent-groups';
import { recordEvaluation } from './explanations';
import { foldRuleTicket, toRuleUpdate } from './rule-ticket';
import { CompiledTriggers } from './triggers/compiled-triggers';

export const RULES_CONSUMER = 'rules.ticket-events';
/**
 * What rules act on: every ticket update that changes the ticket (a cycle runs on those made by
 * people, mail and the system; its own `rule_actions` only move its projection), users, groups and
 * memberships. Not the delivery records: nothing in them is a condition (eventsToApply skips their
 * versions).
 */
const RULES_KEYS: readonly ConsumedUpdateKey[] = [
  'ticket.created',
  'ticket.updated',
  'ticket.rule_actions',
  'user.created',
  'user.updated',
  'group.created',
  'group.updated',
  'group.deleted',
  'group_membership.created',
  'group_membership.deleted',
  'group_membership.default_changed',
];
export const RULES_QUEUE: QueueSpec = {
  name: RULES_CONSUMER,
  bindings: RULES_KEYS.map((pattern) => ({ exchange: 'updates', pattern })),
  retiredBindings: ['ticket.#', 'user.#', 'group.#', 'group_membership.#'].map((pattern) => ({ exchange: 'events', pattern })),
};

/** A later event arrived before an earlier one of the same ticket: try again after the earlier one. */
export class OutOfOrder extends RetryLater {}

interface Pending {
  before: RuleTicket | null;
  events: Message[];
}

/** Compiled trigger sets of callers that do not bring their own, one per database. */
const defaultTriggerSets = new WeakMap<Db, CompiledTriggers>();
const triggerSetsOf = (deps: RulesDeps): CompiledTriggers => {
  if (deps.triggers) return deps.triggers;
  let sets = defaultTriggerSets.get(deps.db);
  if (!sets) {
    sets = new CompiledTriggers(deps.store);
    defaultTriggerSets.set(deps.db, sets);
  }
  return sets;
};

export interface RulesDeps {
  db: Db;
  store: EventStore;
  /** The compiled triggers, kept across messages (the rules service passes one per process). */
  triggers?: CompiledTriggers;
}

/** Business-hours schedules (written by the ticket service's schedules API); the first is the default. */
const loadSchedules = async (db: Db): Promise<Schedule[]> =>
  (await db.query<{ data: Schedule }>(`SELECT data FROM rules.schedules ORDER BY id`)).map((r) => r.data);

const loadGroups = async (db: Db): Promise<Map<number, GroupMembers>> => {
  const rows = await db.query<{ id: string; members: string[]; default_members: string[] }>(`SELECT id, members, default_members FROM rules.groups WHERE NOT deleted`);
  return new Map(rows.map((r) => [Number(r.id), { members: r.members.map(Number), defaults: r.default_members.map(Number) }]));
};


/** Group and membership events as the ticket service writes them (one stream per group). */
interface GroupEventData {
  groupId: number;
  userId?: number;
  /** On `group_membership.created` and `.default_changed`: whether it is the user's default group. */
  isDefault?: boolean;
}

/**
 * The rules' own view of group members (for `notification_group`), applied in stream order per
 * group; a gap means an earlier event of the group is still on its way.
 */
const applyGroupEvent = async (tx: Db, m: Message): Promise<void> => {
  const d = m.data as GroupEventData;
  const rows = await tx.query<{ version: string }>(`SELECT version FROM rules.groups WHERE id = $1 FOR UPDATE`, [d.groupId]);
  const version = rows.length ? Number(rows[0].version) : 0;
  if (m.streamVersion <= version) return;
  if (m.streamVersion !== version + 1) throw new OutOfOrder(`group ${d.groupId}: got version ${m.streamVersion}, expected ${version + 1}`);
  await tx.query(`INSERT INTO rules.groups (id, version) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET version = $2`, [d.groupId, m.streamVersion]);
  if (m.type === 'group.deleted') await tx.query(`UPDATE rules.groups SET deleted = true, members = '{}' WHERE id = $1`, [d.groupId]);
  else if (m.type === 'group_membership.created' && typeof d.userId === 'number') {
    await tx.query(
      `UPDATE rules.groups SET members = array_append(array_remove(members, $2::bigint), $2::bigint),
         default_members = CASE WHEN $3 THEN array_append(array_remove(default_members, $2::bigint), $2::bigint) ELSE array_remove(default_members, $2::bigint) END
       WHERE id = $1`,
      [d.groupId, d.userId, d.isDefault === true],
    );
  } else if (m.type === 'group_membership.default_changed' && typeof d.userId === 'number') {
    await tx.query(
      `UPDATE rules.groups SET default_members = CASE WHEN $3 THEN array_append(array_remove(default_members, $2::bigint), $2::bigint) ELSE array_remove(default_members, $2::bigint) END WHERE id = $1`,
      [d.groupId, d.userId, d.isDefault === true],
    );
  } else if (m.type === 'group_membership.deleted' && typeof d.userId === 'number') {
    await tx.query(`UPDATE rules.groups SET members = array_remove(members, $2::bigint), default_members = array_remove(default_members, $2::bigint) WHERE id = $1`, [d.groupId, d.userId]);
  }
};

/**
 * The people one update can reach: every agent and admin (all_agents, groups, assignees) and the
 * users it names (requester, CCs, actor, those the triggers name by id). End users are most of the
 * table, so they are never loaded wholesale (an index keeps the staff part cheap).
 */
const loadPeople = async (db: Db, named: number[]): Promise<Map<number, Person>> => {
  const rows = await db.query<{ id: string; data: Person }>(
    `SELECT id, data FROM rules.users WHERE id = ANY($1::bigint[]) OR (data->>'role') IS DISTINCT FROM 'end_user'`,
    [named],
  );
  return new Map(rows.map((r) => [Number(r.id), r.data]));
};

const applyUserEvent = async (tx: Db, m: Message): Promise<void> => {
  const patch = personPatchOf(m, IDENTITY_FIELDS);
  if (patch) await mergeVersionedRow(tx, 'rules.users', patch.id, m.streamVersion, patch);
};

/**
 * Keeps the rules' own projection of tickets and users, and runs the trigger cycle once per
 * update. The outcome goes back to the ticket service as one `ticket.apply_rule_actions` command,
 * id derived from the update so it is sent once. One update: one transaction, one inbox row.
 */
export const handleRulesUpdate = async (deps: RulesDeps, update: Update): Promise<void> => {
  await handleOnce(deps.db, RULES_CONSUMER, update.id, async (tx) => {
    const kind = update.events[0].type;
    if (kind.startsWith('user.')) {
      for (const m of update.events) await applyUserEvent(tx, m);
      return;
    }
    if (kind.startsWith('group.') || kind.startsWith('group_membership.')) {
      for (const m of update.events) await applyGroupEvent(tx, m);
      return;
    }
    if (kind.startsWith('ticket.')) await applyTicketUpdate(deps, tx, update);
  });
};

/** One log event handed over as its own update (for tests that replay the log event by event). */
export const handleRulesMessage = (deps: RulesDeps, m: Message): Promise<void> => handleRulesUpdate(deps, updateOf([m]));

/** The rules' handler map: one projection and cycle for every key it binds. */
export const rulesHandlers = (deps: RulesDeps): HandlerMap => {
  const handle: UpdateHandler = (u) => handleRulesUpdate(deps, u);
  return { updates: RULES_KEYS.map((key) => [key, handle] as const) };
};

/**
 * Whether triggers run on an update (its events, the ticket before it). Rules' own updates, the
 * system's (the 28-day close) and delivery records do not start another cycle; an automation's
 * update is a ticket update like any other: triggers run on it. Shared with the what-if replay.
 */
export const runsTriggers = (events: readonly Message[], before: RuleTicket | null): boolean => {
  const via = events[0].metadata.via;
  if ((via?.channel === 'rule' && via.source.rel !== 'automation') || via?.channel === 'system') return false;
  if (!events.some((x) => !RECORD_ONLY_TICKET_EVENTS.has(x.type as TicketEvent['type']))) return false;
  // Triggers do not run on a ticket that was already closed.
  return before?.status !== 'closed';
};

/**
 * The directory one update is evaluated against, as the rules project it now: the people in reach
 * (see loadPeople), groups and schedules. `missing`: users the ticket names that are not projected yet.
 */
export const loadRuleDirectory = async (
  db: Db,
  ruleUpdate: RuleUpdate,
  namedUserIds: readonly number[],
): Promise<{ directory: Directory; schedules: Schedule[]; missing: number[] }> => {
  const next = ruleUpdate.after;
  const needed = [next.requesterId, ...next.ccIds, next.assigneeId, ruleUpdate.actor.userId].filter((id): id is number => typeof id === 'number');
  const groups = await loadGroups(db);
  const people = withGroups(await loadPeople(db, [...needed, ...(ruleUpdate.comment ? [ruleUpdate.comment.authorId] : []), ...namedUserIds]), groups);
  const schedules = await loadSchedules(db);
  const missing = needed.filter((id) => !people.has(id));
  const directory: Directory = {
    person: (id) => people.get(id),
    agents: () => [...people.values()].filter((p) => p.role !== 'end_user'),
    groupMembers: (groupId) => {
      const members = groups.get(groupId)?.members;
      // Members the rules have not seen yet are left out rather than guessed.
      return members?.map((id) => people.get(id)).filter((p): p is Person => p !== undefined && p.role !== 'end_user');
    },
  };
  return { directory, schedules, missing };
};

const applyTicketUpdate = async (deps: RulesDeps, tx: Db, update: Update): Promise<void> => {
  const triggerSets = triggerSetsOf(deps);
  const ticketId = (update.events[0].data as { ticketId: number }).ticketId;
  const rows = await tx.query<{ version: string; state: RuleTicket | null; pending: Pending | [] }>(
    `SELECT version, state, pending FROM rules.tickets WHERE id = $1 FOR UPDATE`,
    [ticketId],
  );
  const version = rows.length ? Number(rows[0].version) : 0;
  const fresh = await eventsToApply(tx, RULES_QUEUE, version, update);
  if (fresh.length === 0) return; // seen already
  const state = rows.length ? rows[0].state : null;
  const stored = rows.length ? rows[0].pending : [];
  // An update arrives whole; only one begun event by event (before updates travelled whole) has a rest pending.
  const continues = (fresh[0].metadata.updateIndex ?? 0) > 0 && !Array.isArray(stored);
  const pending: Pending = continues ? { before: stored.before, events: [...stored.events, ...fresh] } : { before: state, events: fresh };
  const next = foldRuleTicket(state, fresh);
  const m = fresh[fresh.length - 1];
  const complete = (m.metadata.updateIndex ?? 0) + 1 >= (m.metadata.updateSize ?? 1);
  await tx.query(
    `INSERT INTO rules.tickets (id, version, state, pending) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET version = $2, state = $3, pending = $4`,
    [ticketId, m.streamVersion, JSON.stringify(next), JSON.stringify(complete ? [] : pending)],
  );
  if (!complete || !next) return;
  const events = pending.events;
  if (!runsTriggers(events, pending.before)) return;
  const ruleUpdate = toRuleUpdate(events, pending.before, next);
  // Checked against the triggers' version on every update, so API changes apply at once.
  const triggers = await triggerSets.current(tx);
  const { ruleSet, namedUserIds } = triggers;
  // Users travel on their own streams: a ticket's requester may not have reached us yet.
  const { directory, schedules, missing } = await loadRuleDirectory(tx, ruleUpdate, namedUserIds);
  if (missing.length) throw new OutOfOrder(`ticket ${ticketId}: users ${missing.join(', ')} not projected yet`);
  const result = evaluateCompiled(ruleUpdate, ruleSet, directory, { schedules });
  await recordEvaluation(tx, { ticketId, update: ruleUpdate, result, triggers });
  if (result.fired.length === 0) return;
  const command: ApplyRuleActionsV1 = { ticketId, updateId: ruleUpdate.updateId, basedOnVersion: m.streamVersion, changes: result.changes, fired: result.fired };
  await deps.store.sendCommand(tx, { id: deterministicUuid('rules', ruleUpdate.updateId), type: 'ticket.apply_rule_actions', data: command }, { causationId: m.id, correlationId: m.metadata.correlationId });
};

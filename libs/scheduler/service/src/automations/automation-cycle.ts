import { deterministicUuid, type ApplyRuleActionsV1 } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import {
  CLOSE_SOLVED_AUTOMATION,
  orderAutomations,
  runAutomationCycle,
  SYSTEM_CLOSE,
  toSqlFilter,
  type Automation,
  type TicketCycleResult,
  type Directory,
  type Person,
  type Schedule,
} from '@mailroom/scheduler-domain';
import { fromDbRow, SCHEDULER_TICKET_COLUMNS, type SchedulerTicketRow } from '../scheduler-consumer';

/**
 * One automation cycle as of an instant (reference §2.1), over the scheduler's own read model:
 *
 *  1. one cycle at a time across replicas: a PostgreSQL advisory lock held by a transaction that
 *     stays open for the whole cycle (a crashed replica's connection drops, and the lock with it);
 *  2. the tickets any automation can touch, found with each automation's conditions compiled to
 *     indexed SQL (`toSqlFilter`) plus the 28-day close: their union, so a ticket that an earlier
 *     automation's change makes match a later one is among them (it matched the earlier one);
 *  3. once per cycle: the agents (whom automations may notify), the groups' agents (`rules.groups`,
 *     read only: `notification_group`) and the business-hours schedules (`rules.schedules`, read
 *     only), so the business-hours variants of the time conditions count;
 *  4. in batches: the rows read again in the batch's transaction (the re-check at update time),
 *     the domain's cycle run over them (position order, each automation seeing the changes of
 *     those before it), and each ticket's updates sent as one `ticket.apply_rule_actions` command
 *     through the log (the first update, the others in `then`, in the order they fired: the
 *     ticket service applies them in that order), all in that one transaction and the batch's
 *     commands in one append (`sendCommands`: one id look-up, one insert of their streams, one of
 *     their messages);
 *  5. exactly once: a command's id is derived from the cycle's instant and the ticket (the system
 *     close: the ticket and the instant it was solved), and the log refuses a message id twice;
 *     the ticket service also skips an automation update id it has applied. A cycle is recorded by its instant in scheduler.cycles; one cut short by a
 *     crash is finished first, at its own instant (the same ids), by the next cycle to run.
 */

/** The key of the cycle's advisory lock (any constant of the scheduler's own). */
export const CYCLE_LOCK_KEY = 7_358_209_001;
const BATCH_SIZE = 100;

export interface CycleReport {
  at: string;
  automations_run: number;
  tickets_matched: number;
  tickets_updated: number;
}

export type CycleOutcome =
  | { ran: true; cycle: CycleReport; updatesSent: number; resumed: string[] }
  /** Another cycle held the lock (the wall-clock tick does not wait for it). */
  | { ran: false; reason: 'busy' };

export interface CycleOptions {
  /** Wait for a cycle in progress elsewhere (the API and the CLI) rather than skip (the tick). */
  wait?: boolean;
  batchSize?: number;
  store?: EventStore;
  /** Filled with where the cycle's time went (the benchmark reads it); milliseconds, summed over batches. */
  profile?: CycleProfile;
}

export interface CycleProfile {
  /** The automations' SQL filters and their union. */
  matchMs: number;
  /** Reading the batches' rows and people again. */
  readMs: number;
  /** The domain's cycle over them (in memory). */
  decideMs: number;
  /** Appending the commands. */
  sendMs: number;
  /** Batch transactions (each: BEGIN, two reads, three appending statements, COMMIT). */
  batches: number;
}

export const emptyCycleProfile = (): CycleProfile => ({ matchMs: 0, readMs: 0, decideMs: 0, sendMs: 0, batches: 0 });

export const runCycle = async (db: Db, at: Date, options: CycleOptions = {}): Promise<CycleOutcome> =>
  db.transaction(async (lock) => {
    if (options.wait) await lock.query(`SELECT pg_advisory_xact_lock($1)`, [CYCLE_LOCK_KEY]);
    else {
      const [row] = await lock.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [CYCLE_LOCK_KEY]);
      if (!row.locked) return { ran: false, reason: 'busy' } as const;
    }
    const resumed: string[] = [];
    const unfinished = await db.query<{ at: Date }>(`SELECT at FROM scheduler.cycles WHERE finished_at IS NULL AND at <> $1 ORDER BY at`, [at.toISOString()]);
    for (const u of unfinished) {
      await cycleAt(db, u.at, options);
      resumed.push(u.at.toISOString());
    }
    const { report, updatesSent } = await cycleAt(db, at, options);
    return { ran: true, cycle: report, updatesSent, resumed } as const;
  });

/** A cycle already finished at this instant answers with what it did; otherwise it runs (again: sent commands are not sent twice). */
const cycleAt = async (db: Db, at: Date, options: CycleOptions): Promise<{ report: CycleReport; updatesSent: number }> => {
  const iso = at.toISOString();
  const [existing] = await db.query<{ finished_at: Date | null; result: { report: CycleReport; updatesSent: number } | null }>(
    `INSERT INTO scheduler.cycles (at, started_at) VALUES ($1, now()) ON CONFLICT (at) DO UPDATE SET at = EXCLUDED.at RETURNING finished_at, result`,
    [iso],
  );
  if (existing.finished_at && existing.result) return existing.result;
  const store = options.store ?? new EventStore();
  const automations = orderAutomations(await loadAutomations(db));
  const profile = options.profile;
  const mark = performance.now();
  const ids = await matchingTickets(db, automations, at);
  if (profile) profile.matchMs += performance.now() - mark;
  const staff = await loadStaff(db);
  const groups = groupsOfStaff(await loadGroupMembers(db), staff);
  const schedules = await loadSchedules(db);
  let updated = 0;
  let updatesSent = 0;
  const batchSize = options.batchSize ?? BATCH_SIZE;
  for (let i = 0; i < ids.length; i += batchSize) {
    const batch = ids.slice(i, i + batchSize);
    const sent = await db.transaction((tx) => runBatch(tx, store, batch, { automations, staff, groups, schedules }, at, profile));
    updated += sent.tickets;
    updatesSent += sent.updates;
  }
  const report: CycleReport = { at: iso, automations_run: automations.length, tickets_matched: ids.length, tickets_updated: updated };
  await db.query(`UPDATE scheduler.cycles SET finished_at = now(), result = $2 WHERE at = $1`, [iso, JSON.stringify({ report, updatesSent })]);
  await db.query(`INSERT INTO scheduler.clock (id, last_tick_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET last_tick_at = GREATEST(scheduler.clock.last_tick_at, $1)`, [iso]);
  return { report, updatesSent };
};

const loadAutomations = async (db: Db): Promise<Automation[]> =>
  (await db.query<{ data: Automation }>(`SELECT data FROM scheduler.automations WHERE active ORDER BY position, id`)).map((r) => r.data);

/** The tickets of the cycle: the union of every automation's SQL filter and the system close's, by id. */
export const matchingTickets = async (db: Db, automations: readonly Automation[], at: Date): Promise<number[]> => {
  const ids = new Set<number>();
  for (const automation of automations) {
    const filter = toSqlFilter(automation, at, { closeAutomationId: CLOSE_SOLVED_AUTOMATION.id });
    for (const r of await db.query<{ id: string }>(`SELECT id FROM scheduler.tickets WHERE ${filter.where}`, filter.params)) ids.add(Number(r.id));
  }
  const closeBefore = new Date(at.getTime() - SYSTEM_CLOSE.afterHours * 3_600_000).toISOString();
  for (const r of await db.query<{ id: string }>(`SELECT id FROM scheduler.tickets WHERE status = 'solved' AND solved_at <= $1`, [closeBefore])) ids.add(Number(r.id));
  return [...ids].sort((a, b) => a - b);
};

const personOf = (r: { id: string; data: Person }): [number, Person] => [
  Number(r.id),
  { ...r.data, name: r.data.name ?? '', email: r.data.email ?? null, role: r.data.role ?? 'end_user', id: Number(r.id) },
];

/** Every agent and admin (whom automations may notify beside a ticket's own people): read once per cycle. */
const loadStaff = async (db: Db): Promise<Map<number, Person>> =>
  new Map((await db.query<{ id: string; data: Person }>(`SELECT id, data FROM scheduler.users WHERE (data->>'role') IS DISTINCT FROM 'end_user'`)).map(personOf));

/**
 * The account's business-hours schedules, lowest id first (the default for a ticket without one):
 * the rules' table, written with its events by the schedules API, read here and never written.
 * Read once per cycle, so every batch judges business hours by the same schedules.
 */
export const loadSchedules = async (db: Db): Promise<Schedule[]> => (await db.query<{ data: Schedule }>(`SELECT data FROM rules.schedules ORDER BY id`)).map((r) => r.data);

/**
 * The account's groups and their members' ids (for `notification_group`, "email group"), deleted
 * groups left out: the rules' table, kept by the rules consumer from the group and
 * group_membership events for the triggers' own `notification_group`, read here and never written,
 * once per cycle (as `rules.schedules`). Read rather than projected a second time: the rules already
 * fold exactly these events in stream order per group (deletes included), a scheduler copy would
 * need its own table, four more bindings and handlers and a rebuild, and could disagree with the
 * triggers' view of the same group; one query a cycle is all this costs. The price is that the
 * scheduler reads the shape of a table the rules own (`id`, `members`, `deleted`).
 */
export const loadGroupMembers = async (db: Db): Promise<Map<number, number[]>> =>
  new Map((await db.query<{ id: string; members: string[] }>(`SELECT id, members FROM rules.groups WHERE NOT deleted`)).map((r) => [Number(r.id), r.members.map(Number)]));

/**
 * Each group's agents as the cycle's staff has them, in membership order: a member the scheduler
 * has not projected yet, or no longer an agent, is left out rather than guessed (as the rules do).
 * A group with no such member is known and empty ("nobody to notify"); an unknown one is absent.
 */
export const groupsOfStaff = (members: ReadonlyMap<number, readonly number[]>, staff: ReadonlyMap<number, Person>): Map<number, Person[]> =>
  new Map([...members].map(([groupId, ids]) => [groupId, ids.map((id) => staff.get(id)).filter((p): p is Person => p !== undefined && p.role !== 'end_user')]));

/** What a cycle reads once and every batch shares. */
interface CycleRules {
  automations: readonly Automation[];
  staff: ReadonlyMap<number, Person>;
  /** Each group's agents (`groupsOfStaff`). */
  groups: ReadonlyMap<number, readonly Person[]>;
  schedules: readonly Schedule[];
}

/** Who automations may notify: the batch's own people (its tickets'), then the cycle's staff and groups. */
export const cycleDirectory = (people: ReadonlyMap<number, Person>, staff: ReadonlyMap<number, Person>, groups: ReadonlyMap<number, readonly Person[]>): Directory => ({
  person: (id) => people.get(id) ?? staff.get(id),
  agents: () => [...staff.values()],
  groupMembers: (groupId) => {
    const members = groups.get(groupId);
    return members && [...members];
  },
});

/** The people of these tickets, read in the batch's transaction (by key), and the cycle's staff and groups: who automations may notify. */
const loadDirectory = async (tx: Db, rows: readonly SchedulerTicketRow[], { staff, groups }: Pick<CycleRules, 'staff' | 'groups'>): Promise<Directory> => {
  const named = [...new Set(rows.flatMap((r) => [r.requester_id, r.assignee_id, ...r.cc_ids]))].filter((id): id is number => typeof id === 'number' && !staff.has(id));
  const people = new Map(named.length ? (await tx.query<{ id: string; data: Person }>(`SELECT id, data FROM scheduler.users WHERE id = ANY($1::bigint[])`, [named])).map(personOf) : []);
  return cycleDirectory(people, staff, groups);
};

/**
 * The commands one ticket's updates of the cycle become, with their ids (the log's idempotency
 * keys). The automations' updates are one command, in the order they fired (the first, then
 * `then`), so they reach the ticket service in that order; its id is the cycle's instant and the
 * ticket: however a resumed cycle judges the ticket again, its automations fire once per instant.
 * The system close (alone: nothing fires on the closed ticket after it) keeps an id of the ticket
 * and the instant it was solved, so a lagging projection cannot close it twice either.
 */
export const commandsOf = (result: TicketCycleResult, row: SchedulerTicketRow, at: Date): { id: string; data: ApplyRuleActionsV1 }[] => {
  const commands: { id: string; data: ApplyRuleActionsV1 }[] = [];
  for (const u of result.updates.filter((x) => x.source.kind === 'system_close')) {
    commands.push({ id: deterministicUuid('system-close-command', row.id, row.solved_at ?? ''), data: { ticketId: row.id, updateId: u.updateId, basedOnVersion: row.version, changes: u.changes, fired: [], systemClose: true } });
  }
  const [first, ...rest] = result.updates.filter((x) => x.source.kind === 'automation');
  if (first) {
    const data: ApplyRuleActionsV1 = { ticketId: row.id, updateId: first.updateId, basedOnVersion: row.version, changes: first.changes, fired: first.fired ? [first.fired] : [] };
    if (rest.length) data.then = rest.map((u) => ({ updateId: u.updateId, changes: u.changes, fired: u.fired ? [u.fired] : [] }));
    commands.push({ id: deterministicUuid('automation-cycle-command', at.toISOString(), row.id), data });
  }
  return commands;
};

const runBatch = async (tx: Db, store: EventStore, ids: number[], { automations, staff, groups, schedules }: CycleRules, at: Date, profile?: CycleProfile): Promise<{ tickets: number; updates: number }> => {
  let mark = performance.now();
  const lap = (phase: 'readMs' | 'decideMs' | 'sendMs') => {
    const now = performance.now();
    if (profile) profile[phase] += now - mark;
    mark = now;
  };
  // Read again in the sending transaction: the re-check at update time sees the ticket as it is now.
  const rows = (await tx.query<Record<string, unknown>>(`SELECT ${SCHEDULER_TICKET_COLUMNS.join(', ')} FROM scheduler.tickets WHERE id = ANY($1::bigint[]) ORDER BY id`, [ids])).map(fromDbRow);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const directory = await loadDirectory(tx, rows, { staff, groups });
  lap('readMs');
  const results = runAutomationCycle({ tickets: rows, automations, now: at, directory, schedules, closeAutomationId: CLOSE_SOLVED_AUTOMATION.id });
  // Every update of the batch in one append: three statements, whatever their number.
  const commands = results.flatMap((result) =>
    commandsOf(result, byId.get(result.ticketId)!, at).map((c) => ({ id: c.id, type: 'ticket.apply_rule_actions', data: c.data })),
  );
  lap('decideMs');
  const sent = await store.sendCommands(tx, commands, { correlationId: deterministicUuid('automation-cycle', at.toISOString()) });
  lap('sendMs');
  if (profile) profile.batches++;
  // Updates, not commands: a command carries all of a ticket's automation updates.
  const updates = commands.reduce((n, c, i) => n + (sent[i] ? 1 + (c.data.then?.length ?? 0) : 0), 0);
  return { tickets: results.length, updates };
};

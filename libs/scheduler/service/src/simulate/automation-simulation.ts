import { ticketStreamId } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import type { Automation, AutomationProblem, Directory, Person } from '@mailroom/scheduler-domain';
import { groupsOfStaff, loadGroupMembers } from '../automations/automation-cycle';
import { cycleInstants, peopleNamedIn, replayTicket, type TicketDiff } from './automation-replay';
import { applyAutomationChanges, type AutomationChanges } from './proposed-automations';

export const AUTOMATION_SIMULATION_DEFAULT_MAX_TICKETS = 1_000;
export const AUTOMATION_SIMULATION_MAX_TICKETS = 10_000;
/** At most 31 days of hourly cycles (744 instants per ticket and set). */
export const AUTOMATION_SIMULATION_MAX_WINDOW_MS = 31 * 24 * 3_600_000;
export const AUTOMATION_SIMULATION_TIME_BUDGET_MS = 20_000;

export interface AutomationSimulationRequest {
  changes: AutomationChanges;
  from: Date;
  to: Date;
  maxTickets: number;
  /** Stop replaying after this long and answer with how far it got. */
  timeBudgetMs?: number;
  clock?: () => number;
}

export interface AutomationSimulation {
  ticketsReplayed: number;
  /** Cycle instants in the window (hourly). */
  cycles: number;
  tickets: TicketDiff[];
  truncated: boolean;
  progress: { replayed: number; total: number };
}

export type AutomationSimulationResult = { ok: true; value: AutomationSimulation } | { ok: false; problems: AutomationProblem[] };

/** Every automation, active or not, as the store holds it (the row's flag and position are the truth). */
const loadAllAutomations = async (db: Db): Promise<Automation[]> =>
  (
    await db.query<{ data: Automation; active: boolean; position: number; created_at: Date; updated_at: Date }>(
      `SELECT data, active, position, created_at, updated_at FROM scheduler.automations ORDER BY position, id`,
    )
  ).map((r) => ({
    ...r.data,
    raw_title: r.data.title,
    active: r.active,
    position: r.position,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  }));

/**
 * The tickets a cycle of the window could look at: created before its end and not closed before
 * its start (a closed ticket never changes again), read from the log, by id. Each stream is found
 * through its first version (the unique (stream_id, stream_version) index).
 */
const ticketsInWindow = async (db: Db, from: Date, to: Date, limit: number): Promise<{ ids: number[]; total: number }> => {
  const rows = await db.query<{ id: string; total: string }>(
    `SELECT (m.data->>'ticketId')::bigint AS id, count(*) OVER () AS total
       FROM mailroom_events.streams s
       JOIN mailroom_events.messages m ON m.stream_id = s.stream_id AND m.stream_version = 1
      WHERE s.stream_type = 'ticket' AND m.type = 'ticket.created' AND (m.data->>'createdAt')::timestamptz < $2
        AND NOT EXISTS (
          SELECT 1 FROM mailroom_events.messages c
           WHERE c.stream_id = s.stream_id AND c.type = 'ticket.status_changed' AND c.data->>'to' = 'closed'
             AND (c.metadata->>'occurredAt')::timestamptz < $1)
      ORDER BY 1 LIMIT $3`,
    [from.toISOString(), to.toISOString(), limit],
  );
  return { ids: rows.map((r) => Number(r.id)), total: rows.length ? Number(rows[0].total) : 0 };
};

/**
 * Who automations may notify, as the cycle's directory has them (scheduler.users: the people of the
 * ticket and every agent; rules.groups: each group's agents): staff and groups read once, the
 * tickets' own people as they come.
 */
class PeopleCache {
  private readonly people = new Map<number, Person>();
  private staffLoaded = false;
  private groups: Map<number, Person[]> = new Map();

  constructor(private readonly db: Db) {}

  private remember(rows: { id: string; data: Person }[]): void {
    for (const r of rows) this.people.set(Number(r.id), { ...r.data, name: r.data.name ?? '', email: r.data.email ?? null, role: r.data.role ?? 'end_user', id: Number(r.id) });
  }

  async directoryFor(named: readonly number[]): Promise<Directory> {
    if (!this.staffLoaded) {
      this.remember(await this.db.query<{ id: string; data: Person }>(`SELECT id, data FROM scheduler.users WHERE (data->>'role') IS DISTINCT FROM 'end_user'`));
      this.groups = groupsOfStaff(await loadGroupMembers(this.db), this.people);
      this.staffLoaded = true;
    }
    const missing = named.filter((id) => !this.people.has(id));
    if (missing.length) this.remember(await this.db.query<{ id: string; data: Person }>(`SELECT id, data FROM scheduler.users WHERE id = ANY($1::bigint[])`, [missing]));
    const mine = new Set(named);
    const staff = [...this.people.values()].filter((p) => p.role !== 'end_user');
    return {
      person: (id) => {
        const p = this.people.get(id);
        return p && (p.role !== 'end_user' || mine.has(id)) ? p : undefined;
      },
      agents: () => staff,
      groupMembers: (groupId) => {
        const members = this.groups.get(groupId);
        return members && [...members];
      },
    };
  }
}

/**
 * What-if for automations: the cycles of a window replayed over each ticket, once with the
 * automations as they are and once with the proposed change (see automation-replay.ts). Reads only
 * the log, scheduler.automations, scheduler.users and rules.groups; the caller runs it in a READ ONLY transaction.
 */
export const simulateAutomations = async (db: Db, req: AutomationSimulationRequest, store: EventStore = new EventStore()): Promise<AutomationSimulationResult> => {
  const all = await loadAllAutomations(db);
  const proposed = applyAutomationChanges(all, req.changes);
  if (!proposed.ok) return { ok: false, problems: proposed.problems };
  const clock = req.clock ?? Date.now;
  const started = clock();
  const budget = req.timeBudgetMs ?? AUTOMATION_SIMULATION_TIME_BUDGET_MS;
  const instants = cycleInstants(req.from, req.to);
  const { ids, total } = await ticketsInWindow(db, req.from, req.to, req.maxTickets);
  const people = new PeopleCache(db);
  const tickets: TicketDiff[] = [];
  let replayed = 0;
  let outOfTime = false;
  for (const id of ids) {
    if (clock() - started > budget) {
      outOfTime = true;
      break;
    }
    const messages = await store.readStream(db, ticketStreamId(id));
    const directory = await people.directoryFor(peopleNamedIn(messages));
    const diff = replayTicket({ messages, from: req.from, to: req.to, instants, current: all, proposed: proposed.automations, directory });
    replayed++;
    if (diff) tickets.push(diff);
  }
  return { ok: true, value: { ticketsReplayed: replayed, cycles: instants.length, tickets, truncated: outOfTime || replayed < total, progress: { replayed, total } } };
};

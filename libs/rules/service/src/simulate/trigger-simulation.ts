import { groupIntoUpdates, type Message, type RuleNotification } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { compileRuleSet, evaluateCompiled, type Directory, type Trigger, type TriggerEvaluation, type TriggerProblem } from '@mailroom/rules-domain';
import { userIdsNamedByTriggers } from '../directory/people-in-reach';
import { foldRuleTicket, toRuleUpdate } from '../rule-ticket';
import { loadRuleDirectory, runsTriggers } from '../rules-consumer';
import { loadCategoryOrder } from '../triggers/compiled-triggers';
import { applyTriggerChanges, type TriggerChanges } from './proposed-triggers';

export const SIMULATION_DEFAULT_MAX_UPDATES = 5_000;
export const SIMULATION_MAX_UPDATES = 50_000;
export const SIMULATION_TIME_BUDGET_MS = 20_000;

export interface TriggerSimulationRequest {
  changes: TriggerChanges;
  from: Date;
  to: Date;
  maxUpdates: number;
  /** Stop replaying after this long and answer with how far it got. */
  timeBudgetMs?: number;
  clock?: () => number;
}

export interface RuleRef {
  id: string;
  title: string;
}
export interface Recipient {
  id: number;
  email: string | null;
  name: string | null;
}
export interface NotificationDiff {
  trigger: RuleRef;
  subject: string;
  recipients: Recipient[];
}
export interface UpdateDiff {
  updateId: string;
  at: string;
  wouldFire: RuleRef[];
  wouldNotFire: RuleRef[];
  /** Fields the rules would set differently: what they set now (current) and with the change (proposed). */
  changes: Record<string, { current: unknown; proposed: unknown }>;
  added: NotificationDiff[];
  removed: NotificationDiff[];
}
export interface TriggerSimulation {
  updatesReplayed: number;
  tickets: { ticketId: number; updates: UpdateDiff[] }[];
  truncated: boolean;
  progress: { replayed: number; total: number };
}

export type TriggerSimulationResult = { ok: true; value: TriggerSimulation } | { ok: false; problems: TriggerProblem[] };

const loadAllTriggers = async (db: Db): Promise<Trigger[]> =>
  (
    await db.query<{ data: Trigger; active: boolean; position: number; category_id: string | null }>(
      `SELECT data, active, position, category_id FROM rules.triggers ORDER BY position, id`,
    )
  ).map((r) => ({ ...r.data, active: r.active, position: r.position, category_id: r.category_id }));

interface WindowUpdate {
  streamId: string;
  updateId: string;
}

/**
 * The ticket updates committed in the window, oldest first, as far as the log is gap-safe (never
 * past a transaction still in flight). Rules' own updates are listed too: whether triggers run on
 * an update is decided per update, exactly as the rules consumer does (runsTriggers).
 */
const updatesInWindow = async (db: Db, from: Date, to: Date): Promise<WindowUpdate[]> =>
  (
    await db.query<{ stream_id: string; update_id: string }>(
      `SELECT stream_id, COALESCE(metadata->>'updateId', message_id::text) AS update_id, min(global_position) AS first
         FROM mailroom_events.messages
        WHERE kind = 'event' AND stream_id LIKE 'ticket-%' AND created_at >= $1 AND created_at < $2
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        GROUP BY 1, 2 ORDER BY first`,
      [from.toISOString(), to.toISOString()],
    )
  ).map((r) => ({ streamId: r.stream_id, updateId: r.update_id }));

const notificationsOf = (e: TriggerEvaluation): { trigger: RuleRef; n: RuleNotification }[] =>
  e.fired.flatMap((f) => f.notifications.map((n) => ({ trigger: { id: f.id, title: f.title }, n })));

/** What tells one notification from another across the two runs (their ids are the same on both). */
const notificationKey = (x: { trigger: RuleRef; n: RuleNotification }): string =>
  JSON.stringify([x.trigger.id, [...x.n.recipientIds].sort((a, b) => a - b), x.n.subject, x.n.body]);

/** The difference between the rules' outcome now and with the change, for one update; null when none. */
export const diffEvaluations = (updateId: string, at: string, current: TriggerEvaluation, proposed: TriggerEvaluation, directory: Directory): UpdateDiff | null => {
  const firedNow = new Map(current.fired.map((f) => [f.id, { id: f.id, title: f.title }]));
  const firedThen = new Map(proposed.fired.map((f) => [f.id, { id: f.id, title: f.title }]));
  const wouldFire = [...firedThen.values()].filter((r) => !firedNow.has(r.id));
  const wouldNotFire = [...firedNow.values()].filter((r) => !firedThen.has(r.id));
  const changes: UpdateDiff['changes'] = {};
  const a = current.changes as Record<string, unknown>;
  const b = proposed.changes as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) changes[key] = { current: a[key] ?? null, proposed: b[key] ?? null };
  }
  const recipient = (id: number): Recipient => {
    const p = directory.person(id);
    return { id, email: p?.email ?? null, name: p?.name ?? null };
  };
  const only = (xs: ReturnType<typeof notificationsOf>, ys: ReturnType<typeof notificationsOf>): NotificationDiff[] => {
    const other = new Map<string, number>();
    for (const y of ys) other.set(notificationKey(y), (other.get(notificationKey(y)) ?? 0) + 1);
    const out: NotificationDiff[] = [];
    for (const x of xs) {
      const k = notificationKey(x);
      const left = other.get(k) ?? 0;
      if (left > 0) other.set(k, left - 1);
      else out.push({ trigger: x.trigger, subject: x.n.subject, recipients: x.n.recipientIds.map(recipient) });
    }
    return out;
  };
  const removed = only(notificationsOf(current), notificationsOf(proposed));
  const added = only(notificationsOf(proposed), notificationsOf(current));
  if (!wouldFire.length && !wouldNotFire.length && !Object.keys(changes).length && !removed.length && !added.length) return null;
  return { updateId, at, wouldFire, wouldNotFire, changes, added, removed };
};

/**
 * What-if for triggers: replays the ticket updates of a window through the same engine, once with
 * the triggers as they are and once with the proposed change, and reports the updates whose outcome
 * differs. Each ticket's state before an update is folded from its stream with foldRuleTicket,
 * the rules service's own projection; the directory (people, groups, schedules) is today's, as
 * the rules consumer loads it. Reads only: the caller runs it in a READ ONLY transaction.
 */
export const simulateTriggers = async (db: Db, req: TriggerSimulationRequest, store: EventStore = new EventStore()): Promise<TriggerSimulationResult> => {
  const all = await loadAllTriggers(db);
  const proposedTriggers = applyTriggerChanges(all, req.changes);
  if (!proposedTriggers.ok) return { ok: false, problems: proposedTriggers.problems };
  const categoryOrder = await loadCategoryOrder(db);
  const currentActive = all.filter((t) => t.active);
  const proposedActive = proposedTriggers.triggers.filter((t) => t.active);
  const currentSet = compileRuleSet(currentActive, categoryOrder);
  const proposedSet = compileRuleSet(proposedActive, categoryOrder);
  const namedUserIds = [...new Set([...userIdsNamedByTriggers(currentActive), ...userIdsNamedByTriggers(proposedActive)])];

  const clock = req.clock ?? Date.now;
  const started = clock();
  const budget = req.timeBudgetMs ?? SIMULATION_TIME_BUDGET_MS;
  const inWindow = await updatesInWindow(db, req.from, req.to);
  const total = inWindow.length;
  const wanted = inWindow.slice(0, req.maxUpdates);
  // Tickets in the order of their first update in the window; each stream is read and folded once.
  const byStream = new Map<string, Set<string>>();
  for (const u of wanted) byStream.set(u.streamId, (byStream.get(u.streamId) ?? new Set()).add(u.updateId));

  const tickets: TriggerSimulation['tickets'] = [];
  let replayed = 0;
  let outOfTime = false;
  for (const [streamId, updateIds] of byStream) {
    const diffs: UpdateDiff[] = [];
    let state = null as ReturnType<typeof foldRuleTicket>;
    for (const update of groupIntoUpdates(await store.readStream(db, streamId))) {
      const events: Message[] = update.events;
      const before = state;
      state = foldRuleTicket(state, events);
      if (!updateIds.has(update.updateId)) continue;
      if (clock() - started > budget) {
        outOfTime = true;
        break;
      }
      updateIds.delete(update.updateId);
      replayed++;
      if (!state || !runsTriggers(events, before)) continue;
      const ruleUpdate = toRuleUpdate(events, before, state);
      const { directory, schedules } = await loadRuleDirectory(db, ruleUpdate, namedUserIds);
      const current = evaluateCompiled(ruleUpdate, currentSet, directory, { schedules });
      const proposed = evaluateCompiled(ruleUpdate, proposedSet, directory, { schedules });
      const diff = diffEvaluations(ruleUpdate.updateId, ruleUpdate.occurredAt ?? '', current, proposed, directory);
      if (diff) diffs.push(diff);
      if (updateIds.size === 0) break;
    }
    if (diffs.length) tickets.push({ ticketId: Number(streamId.slice('ticket-'.length)), updates: diffs });
    if (outOfTime) break;
  }
  return { ok: true, value: { updatesReplayed: replayed, tickets, truncated: outOfTime || wanted.length < total, progress: { replayed, total } } };
};

import { peopleReadByConditions } from '../conditions/people-conditions';
import type { Action, ActionOutcome, Directory, Person, RuleNotification, RuleTicket, RuleUpdate, Schedule, TriggerExplanation } from '../model';
import { type CompiledRuleSet, type Firing, type Stretch, closedExplanation, cycleTraceOf, explainCycle } from './compiled-rule-set';
import type { TriggerEvaluation } from './evaluate-triggers';

/**
 * A state of the ticket as the keys that differ from another one: `set` (new values), `unset`
 * (keys it does not have). One trigger's actions change a field or two, so the states of a cycle
 * are kept as a chain of these.
 */
export interface TicketPatch {
  set: Partial<RuleTicket>;
  unset?: string[];
}

/**
 * An action's outcome without what the rule set has: the action (`actions[index]` of the trigger)
 * and, in a notification, the subject and body when they are the action's templates (always, today:
 * they travel unrendered).
 */
export type RecordedOutcome = Omit<ActionOutcome, 'action' | 'notification'> & {
  notification?: Omit<RuleNotification, 'subject' | 'body'> & { subject?: string; body?: string };
};

/**
 * The per-condition explanation of an update, kept small: what the cycle did (the triggers that
 * fired, with their outcomes), the few states of the ticket its passes judged against and which
 * stretch of the run order saw which, and the inputs conditions read (the update, the clock, the
 * schedules, the people they look up). With the rule set the update was evaluated against,
 * `explainRecord` makes exactly the explanation `evaluateCompiled` would have given; the caller
 * keeps the rule set's identity (the rules service: the version of the `triggers` stream).
 *
 * Plain JSON: a record survives `JSON.stringify`/`JSON.parse` (and jsonb) unchanged in meaning.
 */
export interface ExplanationRecord {
  /** Shape of the record. */
  v: 1;
  /** Active triggers in the rule set (a check that the set given back is the one). */
  triggers: number;
  /** The ticket was closed before the update: no trigger was looked at. */
  closed: boolean;
  /** The update, its `before` left out (below). */
  update: Omit<RuleUpdate, 'before'> & { before: null };
  /** The ticket before the update, from `update.after`; null on a create. */
  before: TicketPatch | null;
  /** The clock of business-hours conditions (ISO 8601); null when there was none. */
  now: string | null;
  /** The schedules the update was evaluated with; null when none were given or no condition reads them. */
  schedules: Schedule[] | null;
  /** The people conditions look up for the states below (`peopleReadByConditions`) that were known. */
  people: Person[];
  /**
   * The distinct states of the ticket the passes judged against, in order of first use, each from
   * the one before it (the first from `update.after`).
   */
  states: TicketPatch[];
  /** Stretches of the run order, `[from, to, state]` (inclusive), each judged against `states[state]`; a later one wins. */
  stretches: [number, number, number][];
  /** The triggers that fired, in firing order: run-order index, id, the state it fired on, what its actions did. */
  fired: { index: number; id: string; state: number; outcomes: RecordedOutcome[] }[];
  capped: boolean;
  maxPasses: number;
}

type Fields = Record<string, unknown>;

/** `to` as the keys that differ from `from` (by identity: a field an action did not touch is the same value). */
const patchOf = (from: RuleTicket, to: RuleTicket): TicketPatch => {
  const a = from as unknown as Fields;
  const b = to as unknown as Fields;
  const set: Fields = {};
  let unset: string[] | undefined;
  for (const key in b) {
    const value = b[key];
    if (value === a[key]) continue;
    if (value === undefined) (unset ??= []).push(key);
    else set[key] = value;
  }
  for (const key in a) if (!(key in b) && a[key] !== undefined) (unset ??= []).push(key);
  return unset ? { set: set as Partial<RuleTicket>, unset } : { set: set as Partial<RuleTicket> };
};

const applyPatch = (from: RuleTicket, patch: TicketPatch): RuleTicket => {
  const to = { ...from, ...patch.set } as unknown as Fields;
  if (patch.unset) for (const key of patch.unset) delete to[key];
  return to as unknown as RuleTicket;
};

/** The subject and body templates of an email action (`[recipient, subject, body]`), if it has them. */
const templatesOf = (action: Action | undefined): unknown[] => (Array.isArray(action?.value) ? (action.value as unknown[]) : []);

const recordedOutcome = (o: ActionOutcome): RecordedOutcome => {
  const r: RecordedOutcome = { index: o.index, outcome: o.outcome };
  if (o.note !== undefined) r.note = o.note;
  const n = o.notification;
  if (n !== undefined) {
    const templates = templatesOf(o.action);
    const kept: NonNullable<RecordedOutcome['notification']> = { notificationId: n.notificationId, recipientIds: n.recipientIds, suppressed: n.suppressed };
    if (n.subject !== templates[1]) kept.subject = n.subject;
    if (n.body !== templates[2]) kept.body = n.body;
    r.notification = kept;
  }
  if (o.webhook !== undefined) r.webhook = o.webhook;
  return r;
};

const outcomeOf = (o: RecordedOutcome, action: Action): ActionOutcome => {
  const r: ActionOutcome = { index: o.index, action, outcome: o.outcome };
  if (o.note !== undefined) r.note = o.note;
  const n = o.notification;
  if (n !== undefined) {
    const templates = templatesOf(action);
    r.notification = { notificationId: n.notificationId, recipientIds: n.recipientIds, suppressed: n.suppressed, subject: n.subject ?? (templates[1] as string), body: n.body ?? (templates[2] as string) };
  }
  if (o.webhook !== undefined) r.webhook = o.webhook;
  return r;
};

/**
 * The compact record of an evaluation made by `evaluateCompiled` (throws for any other): cheap to
 * make and serialise, it holds references into the result until then.
 */
export const explanationRecordOf = (result: TriggerEvaluation): ExplanationRecord => {
  const trace = cycleTraceOf(result);
  if (!trace) throw new Error('explanationRecordOf: not an evaluation made by evaluateCompiled');
  const { ruleSet, base, firings, stretches } = trace;
  const { update } = base;
  // A cycle has a handful of states and people: arrays searched by identity beat maps here.
  const states: TicketPatch[] = [];
  const seen: RuleTicket[] = [];
  const people: Person[] = [];
  const asked: number[] = [];
  const indexOf = (ticket: RuleTicket): number => {
    const known = seen.indexOf(ticket);
    if (known >= 0) return known;
    states.push(patchOf(seen.length ? seen[seen.length - 1] : update.after, ticket));
    seen.push(ticket);
    for (const id of peopleReadByConditions(ticket)) {
      if (asked.includes(id)) continue;
      asked.push(id);
      const person = base.directory.person(id);
      if (person) people.push(person);
    }
    return seen.length - 1;
  };
  const recordedStretches = stretches.map((s): [number, number, number] => [s.from, s.to, indexOf(s.ticket)]);
  const fired: ExplanationRecord['fired'] = [];
  for (const [index, f] of firings) fired.push({ index, id: ruleSet.ordered[index].id, state: indexOf(f.ticket), outcomes: f.outcomes.map(recordedOutcome) });
  return {
    v: 1,
    triggers: ruleSet.ordered.length,
    closed: trace.closed,
    update: { ...update, before: null },
    before: update.before ? patchOf(update.after, update.before) : null,
    now: base.now ? base.now.toISOString() : null,
    schedules: base.schedules && ruleSet.plan.readsSchedules ? [...base.schedules] : null,
    people,
    states,
    stretches: recordedStretches,
    fired,
    capped: trace.capped,
    maxPasses: trace.maxPasses,
  };
};

/** Only the people the record kept: all that conditions read (see `peopleReadByConditions`). */
const recordedDirectory = (people: readonly Person[]): Directory => {
  const byId = new Map(people.map((p) => [p.id, p]));
  return {
    person: (id) => byId.get(id),
    agents: () => people.filter((p) => p.role !== 'end_user'),
    groupMembers: () => undefined,
  };
};

/**
 * The per-condition explanation of a recorded evaluation, made against `ruleSet`: the rule set the
 * update was evaluated with (same triggers, same run order). Equal to the explanation the
 * evaluation itself would have given. Throws when the set visibly is not that one.
 */
export const explainRecord = (ruleSet: CompiledRuleSet, record: ExplanationRecord): TriggerExplanation[] => {
  if (record.v !== 1) throw new Error(`explainRecord: unknown record shape ${String(record.v)}`);
  const { ordered } = ruleSet;
  if (ordered.length !== record.triggers) throw new Error(`explainRecord: the record was made with ${record.triggers} active triggers, the rule set has ${ordered.length}`);
  for (const f of record.fired) {
    if (ordered[f.index]?.id !== f.id) throw new Error(`explainRecord: trigger ${f.id} fired at run-order place ${f.index}, the rule set has ${ordered[f.index]?.id ?? 'none'} there`);
  }
  if (record.closed) return closedExplanation(ordered);
  const after = record.update.after;
  const update: RuleUpdate = { ...record.update, before: record.before ? applyPatch(after, record.before) : null };
  const now = record.now === null ? undefined : new Date(record.now);
  const base = { update, directory: recordedDirectory(record.people), now, schedules: record.schedules ?? undefined };
  const states: RuleTicket[] = [];
  let last = after;
  for (const patch of record.states) states.push((last = applyPatch(last, patch)));
  const stateAt = (i: number): RuleTicket => {
    const s = states[i];
    if (!s) throw new Error(`explainRecord: no state ${i} in the record`);
    return s;
  };
  const firings = new Map<number, Firing>();
  record.fired.forEach((f, k) => {
    const actions = ordered[f.index].actions ?? [];
    const outcomes = f.outcomes.map((o) => outcomeOf(o, actions[o.index]));
    firings.set(f.index, { order: k + 1, ticket: stateAt(f.state), outcomes });
  });
  const stretches: Stretch[] = record.stretches.map(([from, to, state]) => ({ from, to, ticket: stateAt(state) }));
  return explainCycle(ruleSet, base, firings, stretches, record.capped, record.maxPasses);
};

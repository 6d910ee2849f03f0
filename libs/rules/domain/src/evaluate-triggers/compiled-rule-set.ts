import type { FiredRule, RuleNotification, RuleWebhookRequest } from '@mailroom/contracts';
import { applyAction } from '../actions/apply-action';
import type { ConditionVerdict, RuleContext } from '../conditions/condition-handler';
import { conditionHandlerFor, evaluateCondition } from '../conditions/evaluate-conditions';
import { CUSTOM_FIELD_PREFIX } from '../conditions/field-conditions';
import { scheduleConditions } from '../conditions/schedule-conditions';
import { normalisedText, parseTerms } from '../conditions/text-conditions';
import { parseTags } from '../conditions/values';
import type { ActionOutcome, Condition, ConditionCheck, Directory, RuleTicket, RuleUpdate, Trigger, TriggerExplanation } from '../model';
import { type SystemRuleNote, applySystemRules } from '../system-rules/system-rules';
import { ALL_SLOTS, CONDITION_READS, SLOT, SLOT_OF_KEY, UPDATE_ONLY_FIELDS } from './condition-reads';
import { changedTicket, clockOf, copyTicket, diffRuleTickets } from './cycle-support';
import { DEFAULT_MAX_PASSES, type EvaluateTriggersOptions, type TriggerEvaluation, orderTriggers } from './evaluate-triggers';

/**
 * The trigger cycle for a rule set that is evaluated against many updates: the same answer as
 * `evaluateTriggers` (same triggers fired in the same order, same changes, notifications, webhooks,
 * passes and explanation), with the work that does not depend on the update done once per rule set.
 *
 * Compilation (once per version of the triggers and category order):
 * - triggers in run order; equal conditions (field, operator, value) shared across triggers, so a
 *   condition used by 300 triggers is judged once;
 * - each condition classified by what it reads (`condition-reads.ts`): the update alone ("gate":
 *   update type, comment, channel, actor), other things fixed for the cycle ("static"), or ticket
 *   fields that actions change ("dynamic", with the fields as a bit mask);
 * - per ticket field, the triggers whose conditions read it.
 *
 * Evaluation of one update:
 * - the candidates are the triggers whose gate conditions hold for this shape of update (a list
 *   kept per shape: a "Ticket is Created" trigger is never looked at on a change);
 * - static verdicts are judged once per update, dynamic ones once per state of the ticket;
 * - a trigger found false stays false until an action changes a field it reads, so later passes
 *   revisit only those (a trigger that failed a static condition is never revisited);
 * - the pass structure is the reference's (restart from the top after a firing that changed the
 *   ticket; conditions judged against the ticket as the pass began), so `passes` and `capped`
 *   count the same;
 * - the per-condition explanation is made only when read, from the ticket each trigger was last
 *   judged against, as the reference records it; or later, from the compact record of the cycle
 *   (`explanation-record.ts`) and the same rule set, which is what the rules service stores.
 */

/** Verdict of a trigger in a pass. */
const FALSE = 0;
const MATCHED = 1;
/** False on something fixed for the whole cycle: never revisited in this update. */
const DEAD = 2;

interface CompiledTrigger {
  trigger: Trigger;
  /** Condition ids in the trigger's own order, for the explanation. */
  allIds: Int32Array;
  anyIds: Int32Array;
  /** Gate conditions of ALL; the candidate list already guarantees them. */
  gateAll: Int32Array;
  /** Set when every ANY condition is a gate: the candidate list then decides ANY too. */
  gateAny: Int32Array | null;
  allStatic: Int32Array;
  allDynamic: Int32Array;
  /** Empty when ANY is absent or decided by the gate. */
  anyStatic: Int32Array;
  anyDynamic: Int32Array;
}

interface Plan {
  compiled: CompiledTrigger[];
  /** Distinct conditions: a representative, what it reads, whether it is static. */
  conditions: Condition[];
  /** Verdict-only versions of the commonest conditions (same `matched` as their handler). */
  quick: (Quick | undefined)[];
  reads: Int32Array;
  /**
   * Per slot bit: the triggers (run-order indices) whose non-static conditions read it, and those
   * conditions. For tags, only readers of the whole list: `current_tags` conditions are kept per
   * tag they name, since their verdict moves only when one of those tags comes or goes.
   */
  readersOfSlot: Int32Array[];
  conditionsOfSlot: Int32Array[];
  readersOfTag: Map<string, Int32Array>;
  conditionsOfTag: Map<string, Int32Array>;
  /** The gate depends on who made the update (a `role` condition names a user id). */
  gateReadsUser: boolean;
  /** Some condition reads the schedules (business hours): the explanation needs them. */
  readsSchedules: boolean;
  /** Candidate lists by update shape, with a membership mark per trigger. */
  gates: Map<string, { candidates: Int32Array; member: Uint8Array }>;
  // Scratch space reused by every evaluation (the cycle is synchronous; see `evaluateCompiled`).
  stamp: Float64Array;
  verdict: Uint8Array;
  clock: number;
  fired: Uint8Array;
  dead: Uint8Array;
  dirty: Uint8Array;
  /** Two lists of run-order indices that passes hand to one another. */
  listA: Int32Array;
  listB: Int32Array;
}

export interface CompiledRuleSet {
  /** Active triggers in run order. */
  readonly ordered: readonly Trigger[];
  readonly categoryOrder: readonly string[];
  /** Internal to the engine. */
  readonly plan: Plan;
}

const MAX_GATE_SHAPES = 512;
const ROLE_KEYWORDS = new Set(['end_user', 'agent', 'admin']);

/** A key under which two conditions are interchangeable; null when the value is not plain data. */
const conditionKey = (c: Condition): string | null => {
  if (c === null || typeof c !== 'object' || typeof c.field !== 'string' || typeof c.operator !== 'string') return null;
  const plain = (v: unknown): boolean =>
    v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0));
  const v = c.value;
  let value: string;
  if (v === undefined) value = 'u';
  else if (plain(v)) value = `${typeof v}:${JSON.stringify(v)}`;
  else if (Array.isArray(v) && v.every(plain)) value = `a:${JSON.stringify(v)}`;
  else return null;
  return `${c.field}\u0000${c.operator}\u0000${value}`;
};

/** Ticket fields a condition reads (0 = none that can change within a cycle). */
const readsOf = (c: Condition): number => {
  const field = c?.field;
  if (typeof field !== 'string') return 0;
  if (Object.hasOwn(CONDITION_READS, field)) return CONDITION_READS[field];
  if (!conditionHandlerFor(field)) return 0; // unknown field: always false with a problem
  if (field.startsWith(CUSTOM_FIELD_PREFIX)) return SLOT.customFields;
  return ALL_SLOTS; // a handler nobody classified: assume it reads everything
};

type Quick = (ctx: RuleContext) => boolean;

/**
 * The hot conditions without their handler's detour (handler lookup, operator checks, building
 * strings per call): the same verdict as `evaluateCondition(c, ctx).matched`, which the
 * equivalence spec checks on every operator and value shape. Anything else: undefined.
 */
const quickVerdict = (c: Condition): Quick | undefined => {
  if (c === null || typeof c !== 'object') return undefined;
  const includes = c.operator === 'includes';
  if (!includes && c.operator !== 'not_includes') return undefined;
  if (c.field === 'current_tags') {
    const wanted = parseTags(c.value);
    return ({ ticket }) => {
      let hasAny = false;
      for (let k = 0; !hasAny && k < wanted.length; k++) hasAny = ticket.tags.includes(wanted[k]);
      return includes ? hasAny : !hasAny;
    };
  }
  if (c.field === 'comment_includes_word' || c.field === 'subject_includes_word') {
    const padded = parseTerms(c.value).map((t) => ` ${t} `);
    if (padded.length === 0) return () => false; // "no words to look for"
    const comment = c.field === 'comment_includes_word';
    return ({ ticket, update }) => {
      const text = comment ? (update.comment ? update.comment.body : null) : ticket.subject;
      const haystack = text === null ? ' ' : normalisedText(text);
      let found = false;
      for (let k = 0; !found && k < padded.length; k++) found = haystack.includes(padded[k]);
      return includes ? found : !found;
    };
  }
  return undefined;
};

const isGate = (c: Condition): boolean => typeof c?.field === 'string' && UPDATE_ONLY_FIELDS.has(c.field);

const asKeyword = (raw: unknown): string => (typeof raw === 'string' ? raw.trim().toLowerCase() : String(raw));

/** Compiles active triggers (in the run order `categoryOrder` gives) for `evaluateCompiled`. */
export const compileRuleSet = (triggers: readonly Trigger[], categoryOrder: readonly string[] = []): CompiledRuleSet => {
  const ordered = orderTriggers(triggers, categoryOrder);
  const conditions: Condition[] = [];
  const reads: number[] = [];
  const ids = new Map<string, number>();
  const idOf = (c: Condition): number => {
    const key = conditionKey(c);
    const known = key === null ? undefined : ids.get(key);
    if (known !== undefined) return known;
    const id = conditions.length;
    conditions.push(c);
    reads.push(readsOf(c));
    if (key !== null) ids.set(key, id);
    return id;
  };
  let gateReadsUser = false;
  const compiled = ordered.map((trigger): CompiledTrigger => {
    const all = trigger.conditions?.all ?? [];
    const any = trigger.conditions?.any ?? [];
    for (const c of [...all, ...any]) if (c?.field === 'role' && !ROLE_KEYWORDS.has(asKeyword(c.value))) gateReadsUser = true;
    const allIds = all.map(idOf);
    const anyIds = any.map(idOf);
    const anyAllGates = any.length > 0 && any.every(isGate);
    const pick = (list: Condition[], idList: number[], test: (c: Condition, id: number) => boolean) =>
      Int32Array.from(idList.filter((id, k) => test(list[k], id)));
    return {
      trigger,
      allIds: Int32Array.from(allIds),
      anyIds: Int32Array.from(anyIds),
      gateAll: pick(all, allIds, (c) => isGate(c)),
      gateAny: anyAllGates ? Int32Array.from(anyIds) : null,
      allStatic: pick(all, allIds, (c, id) => !isGate(c) && reads[id] === 0),
      allDynamic: pick(all, allIds, (_, id) => reads[id] !== 0),
      anyStatic: anyAllGates ? new Int32Array(0) : pick(any, anyIds, (_, id) => reads[id] === 0),
      anyDynamic: anyAllGates ? new Int32Array(0) : pick(any, anyIds, (_, id) => reads[id] !== 0),
    };
  });
  // `current_tags` includes / not_includes: reads only the presence of the tags it names.
  const tagsNamed = conditions.map((c) =>
    c?.field === 'current_tags' && (c.operator === 'includes' || c.operator === 'not_includes') ? parseTags(c.value) : null,
  );
  const readersOfSlot: number[][] = Array.from({ length: 32 }, () => []);
  const conditionsOfSlot: number[][] = Array.from({ length: 32 }, () => []);
  const readersOfTag = new Map<string, number[]>();
  const conditionsOfTag = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, value: number) => {
    const list = map.get(key) ?? [];
    if (list[list.length - 1] !== value) list.push(value);
    map.set(key, list);
  };
  reads.forEach((mask, id) => {
    const named = tagsNamed[id];
    if (named) for (const tag of named) add(conditionsOfTag, tag, id);
    for (let bit = 0; bit < 32; bit++) {
      if ((mask & (1 << bit)) === 0 || (named && 1 << bit === SLOT.tags)) continue;
      conditionsOfSlot[bit].push(id);
    }
  });
  compiled.forEach((ct, index) => {
    let mask = 0;
    for (const id of [...ct.allDynamic, ...ct.anyDynamic]) {
      const named = tagsNamed[id];
      if (named) for (const tag of named) add(readersOfTag, tag, index);
      mask |= named ? reads[id] & ~SLOT.tags : reads[id];
    }
    for (let bit = 0; bit < 32; bit++) if (mask & (1 << bit)) readersOfSlot[bit].push(index);
  });
  const frozen = (map: Map<string, number[]>) => new Map([...map].map(([k, v]) => [k, Int32Array.from(v)]));
  const n = ordered.length;
  return {
    ordered,
    categoryOrder: [...categoryOrder],
    plan: {
      compiled,
      conditions,
      quick: conditions.map(quickVerdict),
      reads: Int32Array.from(reads),
      readersOfSlot: readersOfSlot.map((list) => Int32Array.from(list)),
      conditionsOfSlot: conditionsOfSlot.map((list) => Int32Array.from(list)),
      readersOfTag: frozen(readersOfTag),
      conditionsOfTag: frozen(conditionsOfTag),
      gateReadsUser,
      readsSchedules: conditions.some((c) => typeof c?.field === 'string' && Object.hasOwn(scheduleConditions, c.field)),
      gates: new Map(),
      stamp: new Float64Array(conditions.length),
      verdict: new Uint8Array(conditions.length),
      clock: 0,
      fired: new Uint8Array(n),
      dead: new Uint8Array(n),
      dirty: new Uint8Array(n),
      listA: new Int32Array(n),
      listB: new Int32Array(n),
    },
  };
};

/** Which action-changeable fields differ between two states; `unexpected` for any other field. */
const changedSlots = (from: RuleTicket, to: RuleTicket): { mask: number; unexpected: boolean } => {
  let mask = 0;
  let unexpected = false;
  const a = from as unknown as Record<string, unknown>;
  const b = to as unknown as Record<string, unknown>;
  const note = (key: string) => {
    const slot = SLOT_OF_KEY[key as keyof RuleTicket];
    if (slot === undefined) unexpected = true;
    else mask |= slot;
  };
  for (const key in b) if (a[key] !== b[key]) note(key);
  for (const key in a) if (!(key in b)) note(key);
  return { mask, unexpected };
};

/** Tags in one list and not the other. */
const tagsComeOrGone = (a: readonly string[], b: readonly string[]): string[] => {
  const out: string[] = [];
  for (const t of a) if (!b.includes(t)) out.push(t);
  for (const t of b) if (!a.includes(t)) out.push(t);
  return out;
};

const shapeOf = (update: RuleUpdate, plan: Plan): string => {
  const c = update.comment;
  const comment = c ? (c.public ? 'P' : 'p') : '-';
  const who = plan.gateReadsUser ? `|${String(update.actor.userId)}` : '';
  return `${update.isCreate ? 'c' : 'u'}${comment}|${String(update.via?.channel)}|${String(update.actor.role)}${who}`;
};

/**
 * One update through a compiled rule set. Same result as `evaluateTriggers(update, triggers,
 * directory, options)` for the triggers and category order the set was compiled from; the
 * `categoryOrder` option is ignored (it is part of the set). `explanation` is computed on first read.
 */
export const evaluateCompiled = (
  update: RuleUpdate,
  ruleSet: CompiledRuleSet,
  directory: Directory,
  options: EvaluateTriggersOptions = {},
): TriggerEvaluation => {
  const { ordered, plan } = ruleSet;
  const n = ordered.length;
  const withSystemRules = options.systemRules !== false;
  const systemRules: SystemRuleNote[] = [];
  let start: RuleTicket = copyTicket(update.after);

  const now = clockOf(update, options);
  const base = { update, directory, now, schedules: options.schedules };
  const maxPasses = Math.max(1, options.maxPasses ?? DEFAULT_MAX_PASSES);

  if (update.before?.status === 'closed') {
    const closed: TriggerEvaluation = { fired: [], changes: {}, ticket: start, explanation: closedExplanation(ordered), passes: 0, capped: false, systemRules, webhooks: [] };
    traces.set(closed, { ruleSet, base, closed: true, firings: new Map(), stretches: [], capped: false, maxPasses });
    return closed;
  }

  if (withSystemRules) {
    const r = applySystemRules('update', update, update.before, start, directory, options);
    start = r.ticket;
    systemRules.push(...r.applied);
  }

  const { schedules } = options;
  // Contexts written out rather than spread from `base`: they are made per pass and per action.
  const judgeContext = (t: RuleTicket): RuleContext => ({ update, directory, now, schedules, ticket: t, brief: true });
  let ticket = start;
  let ctx: RuleContext = judgeContext(ticket);

  // Verdict memo: a verdict stamped with this update's stamp holds until a field the condition
  // reads changes (then its stamp is cleared).
  const { stamp, verdict, conditions, quick, compiled, fired: isFired, dead, dirty } = plan;
  let updateStamp = ++plan.clock;
  const judgeOne = (id: number): boolean => {
    const q = quick[id];
    if (!q) return evaluateCondition(conditions[id], ctx).matched;
    try {
      return q(ctx);
    } catch {
      return false; // as evaluateCondition reports a handler that throws
    }
  };
  const holds = (id: number): boolean => {
    if (stamp[id] === updateStamp) return verdict[id] === 1;
    const matched = judgeOne(id);
    stamp[id] = updateStamp;
    verdict[id] = matched ? 1 : 0;
    return matched;
  };
  const forget = (conditionIds: Int32Array | undefined) => {
    if (conditionIds) for (let c = 0; c < conditionIds.length; c++) stamp[conditionIds[c]] = 0;
  };
  const judge = (ct: CompiledTrigger): number => {
    for (let k = 0; k < ct.allStatic.length; k++) if (!holds(ct.allStatic[k])) return DEAD;
    let anyHolds = ct.anyStatic.length + ct.anyDynamic.length === 0;
    for (let k = 0; !anyHolds && k < ct.anyStatic.length; k++) anyHolds = holds(ct.anyStatic[k]);
    if (!anyHolds && ct.anyDynamic.length === 0) return DEAD;
    for (let k = 0; k < ct.allDynamic.length; k++) if (!holds(ct.allDynamic[k])) return FALSE;
    for (let k = 0; !anyHolds && k < ct.anyDynamic.length; k++) anyHolds = holds(ct.anyDynamic[k]);
    return anyHolds ? MATCHED : FALSE;
  };

  // The candidates for this shape of update, made on first sight of the shape.
  const shape = shapeOf(update, plan);
  let gate = plan.gates.get(shape);
  if (!gate) {
    const list: number[] = [];
    const member = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const ct = compiled[i];
      if (!ct.gateAll.every(holds)) continue;
      if (ct.gateAny && !ct.gateAny.some(holds)) continue;
      list.push(i);
      member[i] = 1;
    }
    gate = { candidates: Int32Array.from(list), member };
    if (plan.gates.size >= MAX_GATE_SHAPES) plan.gates.clear();
    plan.gates.set(shape, gate);
  }
  const { candidates, member } = gate;

  // `dirty` marks the triggers waiting to be judged (again): the pending list, in run order.
  isFired.fill(0);
  dead.fill(0);
  dirty.fill(0);
  for (let k = 0; k < candidates.length; k++) dirty[candidates[k]] = 1;
  let pending: Int32Array = candidates;
  let from = 0;
  let to = candidates.length;
  const added: number[] = [];
  const wake = (triggers: Int32Array | undefined) => {
    if (!triggers) return;
    for (let t = 0; t < triggers.length; t++) {
      const i = triggers[t];
      if (member[i] && !dirty[i] && !isFired[i] && !dead[i]) {
        dirty[i] = 1;
        added.push(i);
      }
    }
  };
  /** Merges the woken triggers into what is still pending, keeping run order. */
  const mergeAdded = () => {
    if (added.length === 0) return;
    added.sort((a, b) => a - b);
    const out = pending === plan.listA ? plan.listB : plan.listA;
    let w = 0;
    let a = 0;
    while (from < to || a < added.length) {
      if (a >= added.length || (from < to && pending[from] < added[a])) out[w++] = pending[from++];
      else out[w++] = added[a++];
    }
    pending = out;
    from = 0;
    to = w;
    added.length = 0;
  };

  const fired: FiredRule[] = [];
  const webhooks: RuleWebhookRequest[] = [];
  // For the explanation: what each trigger that fired did and the ticket it fired on, and the
  // stretches of run order each pass visited with one state of the ticket.
  const firings = new Map<number, Firing>();
  const stretches: Stretch[] = [];
  let passes = 0;
  let capped = false;
  let restart = true;
  while (restart) {
    if (passes >= maxPasses) {
      capped = true;
      break;
    }
    passes += 1;
    restart = false;
    // As in the reference, a pass judges conditions against the ticket as it stood when the pass
    // began (actions see every change at once). A new state of it is what can change verdicts.
    if (ticket !== ctx.ticket) {
      const judgedOn = ctx.ticket;
      ctx = judgeContext(ticket);
      const { mask, unexpected } = changedSlots(judgedOn, ticket);
      if (unexpected) {
        // An action changed a field thought fixed for the cycle: judge everything again.
        updateStamp = ++plan.clock;
        dead.fill(0);
        wake(candidates);
      } else {
        for (let bit = 0; bit < 32; bit++) {
          if ((mask & (1 << bit)) === 0) continue;
          forget(plan.conditionsOfSlot[bit]);
          wake(plan.readersOfSlot[bit]);
        }
        if (mask & SLOT.tags) {
          for (const tag of tagsComeOrGone(judgedOn.tags, ticket.tags)) {
            forget(plan.conditionsOfTag.get(tag));
            wake(plan.readersOfTag.get(tag));
          }
        }
      }
      mergeAdded();
    }
    let stretchFrom = 0;
    while (from < to) {
      const i = pending[from++];
      dirty[i] = 0;
      if (isFired[i] || dead[i]) continue;
      const ct = compiled[i];
      const v = judge(ct);
      if (v === DEAD) {
        dead[i] = 1;
        continue;
      }
      if (v === FALSE) continue;

      const trigger = ct.trigger;
      const before = ticket;
      const outcomes: ActionOutcome[] = [];
      const notifications: RuleNotification[] = [];
      const calls: RuleWebhookRequest[] = [];
      const actions = trigger.actions ?? [];
      for (let actionIndex = 0; actionIndex < actions.length; actionIndex++) {
        const action = actions[actionIndex];
        const result = applyAction(action, { update, directory, now, schedules, ticket, trigger, actionIndex });
        ticket = result.ticket;
        const outcome: ActionOutcome = { index: actionIndex, action, outcome: result.outcome };
        if (result.note) outcome.note = result.note;
        if (result.notification) outcome.notification = result.notification;
        if (result.webhook) outcome.webhook = result.webhook;
        outcomes.push(outcome);
        if (result.notification) notifications.push(result.notification);
        if (result.webhook) calls.push(result.webhook);
      }
      isFired[i] = 1;
      firings.set(i, { order: fired.length + 1, ticket: before, outcomes });
      webhooks.push(...calls);
      fired.push({
        kind: 'trigger',
        id: trigger.id,
        title: trigger.title,
        actions: actions.map((a) => ({ field: a.field, value: a.value })),
        notifications,
        ...(calls.length ? { webhooks: calls } : {}),
      });
      if (ticket === before) continue;

      // The explanation judges each trigger against the ticket current when the pass reached it.
      stretches.push({ from: stretchFrom, to: i, ticket: before });
      stretchFrom = i + 1;
      if (changedTicket(before, ticket)) {
        // What this pass did not reach stays pending for the next one.
        restart = true;
        break;
      }
    }
    if (!restart && stretchFrom < n) stretches.push({ from: stretchFrom, to: n - 1, ticket });
  }

  let explanation: TriggerExplanation[] | undefined;
  const explain = (): TriggerExplanation[] => explainCycle(ruleSet, base, firings, stretches, capped, maxPasses);

  if (withSystemRules) {
    const r = applySystemRules('rules', update, start, ticket, directory, options);
    ticket = r.ticket;
    systemRules.push(...r.applied);
  }
  const result: TriggerEvaluation = {
    fired,
    changes: diffRuleTickets(update.after, ticket),
    ticket,
    get explanation() {
      explanation ??= explain();
      return explanation;
    },
    passes,
    capped,
    systemRules,
    webhooks,
  };
  traces.set(result, { ruleSet, base, closed: false, firings, stretches, capped, maxPasses });
  return result;
};

/** The explanation of an update on a ticket that was already closed: no trigger looked at. */
export const closedExplanation = (ordered: readonly Trigger[]): TriggerExplanation[] =>
  ordered.map((t) => ({
    triggerId: t.id,
    title: t.title,
    matched: false,
    fired: false,
    firedOrder: null,
    conditions: [],
    actions: [],
    skipped: 'triggers do not run on a closed ticket',
  }));

/** A trigger that fired: its place among the firings, the ticket it fired on, what its actions did. */
export interface Firing {
  order: number;
  ticket: RuleTicket;
  outcomes: ActionOutcome[];
}

/** A stretch of run order (inclusive) that a pass judged against one state of the ticket. */
export interface Stretch {
  from: number;
  to: number;
  ticket: RuleTicket;
}

/** What `explainCycle` needs of the context an update was evaluated in. */
export type ExplanationBase = Omit<RuleContext, 'ticket'>;

/**
 * What a compiled evaluation keeps for its explanation: enough to make it at once (the getter) or
 * later from a compact record (`explanationRecordOf`), without changing the result's shape.
 */
export interface CycleTrace {
  ruleSet: CompiledRuleSet;
  base: ExplanationBase;
  closed: boolean;
  firings: Map<number, Firing>;
  stretches: Stretch[];
  capped: boolean;
  maxPasses: number;
}

const traces = new WeakMap<TriggerEvaluation, CycleTrace>();

/** The trace of an evaluation `evaluateCompiled` returned; undefined for any other object. */
export const cycleTraceOf = (result: TriggerEvaluation): CycleTrace | undefined => traces.get(result);

/**
 * The explanation the reference records: every trigger's conditions judged in full against the
 * ticket it was last judged against (for one that fired, the ticket it fired on). Verdicts of
 * equal conditions on one state of the ticket are shared.
 */
export const explainCycle = (
  ruleSet: CompiledRuleSet,
  base: ExplanationBase,
  firings: Map<number, Firing>,
  stretches: Stretch[],
  capped: boolean,
  maxPasses: number,
): TriggerExplanation[] => {
  const { ordered, plan } = ruleSet;
  const lastSeen: (RuleTicket | undefined)[] = new Array(ordered.length);
  for (const s of stretches) for (let i = s.from; i <= s.to; i++) lastSeen[i] = s.ticket;
  for (const [i, f] of firings) lastSeen[i] = f.ticket;
  const memo = new Map<RuleTicket, { ctx: RuleContext; verdicts: (ConditionVerdict | undefined)[] }>();
  return ordered.map((t, i): TriggerExplanation => {
    const firing = firings.get(i);
    const entry: TriggerExplanation = {
      triggerId: t.id,
      title: t.title,
      matched: false,
      fired: firing !== undefined,
      firedOrder: firing ? firing.order : null,
      conditions: [],
      actions: firing ? firing.outcomes : [],
    };
    const seen = lastSeen[i];
    if (seen) {
      let state = memo.get(seen);
      if (!state) {
        state = { ctx: { ...base, ticket: seen }, verdicts: new Array<ConditionVerdict | undefined>(plan.conditions.length) };
        memo.set(seen, state);
      }
      const ct = plan.compiled[i];
      const all = t.conditions?.all ?? [];
      const any = t.conditions?.any ?? [];
      const checks: ConditionCheck[] = new Array(all.length + any.length);
      let allHold = true;
      let anyHolds = any.length === 0;
      for (let k = 0; k < checks.length; k++) {
        const inAll = k < all.length;
        const index = inAll ? k : k - all.length;
        const id = inAll ? ct.allIds[index] : ct.anyIds[index];
        const verdict = (state.verdicts[id] ??= evaluateCondition(plan.conditions[id], state.ctx));
        const check: ConditionCheck = { group: inAll ? 'all' : 'any', index, condition: inAll ? all[index] : any[index], matched: verdict.matched };
        if (verdict.detail !== undefined) check.detail = verdict.detail;
        if (verdict.problem !== undefined) check.problem = verdict.problem;
        checks[k] = check;
        if (inAll) allHold &&= verdict.matched;
        else anyHolds ||= verdict.matched;
      }
      entry.matched = allHold && anyHolds;
      entry.conditions = checks;
    }
    if (capped && !entry.fired) entry.skipped = `the cycle stopped after ${maxPasses} passes`;
    return entry;
  });
};

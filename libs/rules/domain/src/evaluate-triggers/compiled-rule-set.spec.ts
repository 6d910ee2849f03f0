import { isDeepStrictEqual } from 'node:util';
import { directory, generator, plain, schedules } from '../../testing/random-rules';
import type { ActionHandler } from '../actions/action-handler';
import { actionHandlers } from '../actions/apply-action';
import { conditionHandlers } from '../conditions/evaluate-conditions';
import type { Action } from '../model';
import { CONDITION_READS, UPDATE_ONLY_FIELDS } from './condition-reads';
import { compileRuleSet, evaluateCompiled } from './compiled-rule-set';
import { evaluateTriggers } from './evaluate-triggers';

/**
 * The compiled engine must give exactly the reference engine's answer. Random rule sets (every
 * condition field and operator, every action the engine knows, values from small pools so that
 * triggers match and set off one another) meet random tickets and updates; each rule set is
 * compiled once and evaluated against many updates, as the rules service does. A failure prints
 * its seed: `RULES_EQUIVALENCE_SEED=<seed> npx jest compiled-rule-set` replays it.
 */

/** Compares both engines on `sets` random rule sets; returns how much the cases exercised. */
const compareEngines = (sets: number, baseSeed: number, extraActions: Action[] = []) => {
  let firedTotal = 0;
  let multiPass = 0;
  let cappedTotal = 0;
  for (let s = 0; s < sets; s++) {
    const seed = baseSeed + s;
    const g = generator(seed, extraActions);
    const triggers = g.ruleSet();
    const categoryOrder = g.categoryOrder();
    const compiled = compileRuleSet(triggers, categoryOrder);
    for (let u = 0; u < UPDATES_PER_SET; u++) {
      const update = g.update(u);
      const options = { ...g.options(), categoryOrder };
      const expected = plain(evaluateTriggers(update, triggers, directory, options));
      const actual = plain(evaluateCompiled(update, compiled, directory, options));
      if (!isDeepStrictEqual(actual, expected)) {
        // The seed and update number replay the case; toEqual shows the difference.
        expect({ seed, update: u, ...actual }).toEqual({ seed, update: u, ...expected });
        expect({ seed, update: u, strictlyEqual: false }).toEqual({ seed, update: u, strictlyEqual: true });
      }
      firedTotal += expected.fired.length;
      if (expected.passes > 2) multiPass += 1;
      if (expected.capped) cappedTotal += 1;
    }
  }
  return { firedTotal, multiPass, cappedTotal };
};

const RULE_SETS = Number(process.env.RULES_EQUIVALENCE_SETS ?? 300);
const UPDATES_PER_SET = 20;
const BASE_SEED = Number(process.env.RULES_EQUIVALENCE_SEED ?? 20261201);

describe('the compiled trigger cycle', () => {
  it(`gives the reference engine's result on ${RULE_SETS * UPDATES_PER_SET} random updates against ${RULE_SETS} random rule sets`, () => {
    const { firedTotal, multiPass, cappedTotal } = compareEngines(RULE_SETS, BASE_SEED);
    // The random rules must exercise the interesting paths, or the comparison proves little.
    expect(firedTotal).toBeGreaterThan(RULE_SETS * UPDATES_PER_SET);
    expect(multiPass).toBeGreaterThan((RULE_SETS * UPDATES_PER_SET) / 20);
    expect(cappedTotal).toBeGreaterThan(0);
  });

  it('still agrees when an action changes a field the engine takes as fixed for the cycle', () => {
    // No action does that today; one added without updating `condition-reads.ts` must cost speed, not correctness.
    const handlers = actionHandlers as Record<string, ActionHandler>;
    handlers.test_set_subject = (action, ctx) =>
      ctx.ticket.subject === String(action.value) ? { ticket: ctx.ticket, outcome: 'unchanged' } : { ticket: { ...ctx.ticket, subject: String(action.value) }, outcome: 'changed' };
    try {
      const { firedTotal } = compareEngines(40, BASE_SEED + 1_000_000, [
        { field: 'test_set_subject', value: 'printer on fire' },
        { field: 'test_set_subject', value: 'refund' },
      ]);
      expect(firedTotal).toBeGreaterThan(0);
    } finally {
      delete handlers.test_set_subject;
    }
  });

  it('knows what every condition handler reads', () => {
    const unlisted = Object.keys(conditionHandlers).filter((field) => !Object.hasOwn(CONDITION_READS, field));
    expect(unlisted).toEqual([]);
    for (const field of UPDATE_ONLY_FIELDS) expect(CONDITION_READS[field]).toBe(0);
  });

  it('exercises every action handler in the equivalence test', () => {
    // A new action must be added to the generator above; this list is what the generator covers.
    expect(Object.keys(actionHandlers).sort()).toEqual(
      ['assignee_id', 'cc', 'current_tags', 'group_id', 'notification_group', 'notification_user', 'notification_webhook', 'priority', 'remove_tags', 'satisfaction_score', 'schedule_id', 'set_tags', 'status', 'type'].sort(),
    );
    expect(Object.keys(conditionHandlers).length).toBe(26);
  });

  it('evaluates one compiled set against many updates without carrying state from one to the next', () => {
    const g = generator(7);
    const triggers = g.ruleSet();
    const compiled = compileRuleSet(triggers);
    const updates = Array.from({ length: 50 }, (_, n) => g.update(n));
    const first = updates.map((u) => plain(evaluateCompiled(u, compiled, directory, { schedules })));
    const again = [...updates].reverse().map((u) => plain(evaluateCompiled(u, compiled, directory, { schedules }))).reverse();
    expect(again).toEqual(first);
  });
});

import { isDeepStrictEqual } from 'node:util';
import { directory, generator, plain, schedules } from '../../testing/random-rules';
import type { Directory, Trigger } from '../model';
import { compileRuleSet, evaluateCompiled } from './compiled-rule-set';
import { explainRecord, explanationRecordOf, type ExplanationRecord } from './explanation-record';

/**
 * The rules service stores a compact record per update and makes the per-condition explanation
 * when it is asked for, from the rule set of that update. The explanation made later must be the
 * one `evaluateCompiled` gives at once, on the random rule sets and updates of the engines'
 * equivalence spec. A failure prints its seed: `RULES_EQUIVALENCE_SEED=<seed> npx jest explanation-record`.
 */

const RULE_SETS = Number(process.env.RULES_EQUIVALENCE_SETS ?? 200);
const UPDATES_PER_SET = 20;
const BASE_SEED = Number(process.env.RULES_EQUIVALENCE_SEED ?? 20261207);

const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** A directory that does not know user 3 (a requester the rules have not projected yet). */
const withoutDave: Directory = { ...directory, person: (id) => (id === 3 ? undefined : directory.person(id)) };

describe('the compact explanation record', () => {
  it(`rebuilds the eager explanation exactly on ${RULE_SETS * UPDATES_PER_SET} random updates against ${RULE_SETS} random rule sets`, () => {
    let fired = 0;
    let multiState = 0;
    let closed = 0;
    let capped = 0;
    for (let s = 0; s < RULE_SETS; s++) {
      const seed = BASE_SEED + s;
      const g = generator(seed);
      const triggers = g.ruleSet();
      const categoryOrder = g.categoryOrder();
      const compiled = compileRuleSet(triggers, categoryOrder);
      // As the explanation API has it: the same triggers, read back from storage and compiled again.
      const recompiled = compileRuleSet(json<Trigger[]>(triggers), [...categoryOrder]);
      const people = s % 2 === 0 ? directory : withoutDave;
      for (let u = 0; u < UPDATES_PER_SET; u++) {
        const update = g.update(u);
        const options = g.options();
        const result = evaluateCompiled(update, compiled, people, options);
        const record = explanationRecordOf(result);
        const stored = json<ExplanationRecord>(record);
        const eager = result.explanation;
        const inMemory = explainRecord(compiled, record);
        const later = explainRecord(recompiled, stored);
        if (!isDeepStrictEqual(inMemory, eager) || !isDeepStrictEqual(json(later), json(eager))) {
          expect({ seed, update: u, explanation: json(later) }).toEqual({ seed, update: u, explanation: json(eager) });
          expect({ seed, update: u, inMemory }).toEqual({ seed, update: u, inMemory: eager });
        }
        fired += result.fired.length;
        if (record.states.length > 1) multiState += 1;
        if (record.closed) closed += 1;
        if (record.capped) capped += 1;
      }
    }
    // The random cases must reach the interesting paths, or the comparison proves little.
    expect(fired).toBeGreaterThan(RULE_SETS * UPDATES_PER_SET);
    expect(multiState).toBeGreaterThan((RULE_SETS * UPDATES_PER_SET) / 10);
    expect(closed).toBeGreaterThan(0);
    expect(capped).toBeGreaterThan(0);
  });

  it('keeps the states as changes from one to the next, and only the people conditions look up', () => {
    const g = generator(11);
    const compiled = compileRuleSet(g.ruleSet());
    let changes = 0;
    for (let u = 0; u < 50; u++) {
      const update = g.update(u);
      const result = evaluateCompiled(update, compiled, directory, { schedules });
      const record = explanationRecordOf(result);
      expect(record.update.before).toBeNull();
      expect(record.before === null).toBe(update.before === null);
      const requesters = new Set([update.after.requesterId, ...record.states.map((s) => s.set.requesterId)]);
      expect(record.people.every((p) => requesters.has(p.id))).toBe(true);
      changes += record.states.slice(1).filter((s) => Object.keys(s.set).length <= 3).length;
      // Fired triggers carry what their actions did, as the explanation shows it; the actions are the rule set's.
      expect(record.fired.map((f) => f.id)).toEqual(result.fired.map((f) => f.id));
      expect(record.fired.every((f) => f.outcomes.every((o) => !('action' in o)))).toBe(true);
    }
    expect(changes).toBeGreaterThan(0);
  });

  it('gives back fields the ticket gained or lost in the update (keys only one of before and after has)', () => {
    const g = generator(14);
    const triggers: Trigger[] = [
      { id: 'cf', title: 'Custom field changed', active: true, position: 1, category_id: null, conditions: { all: [{ field: 'custom_fields_100', operator: 'changed' }], any: [] }, actions: [{ field: 'current_tags', value: 'cf' }] },
      { id: 'sched', title: 'Schedule was 2', active: true, position: 2, category_id: null, conditions: { all: [{ field: 'schedule_id', operator: 'value_previous', value: '2' }], any: [] }, actions: [{ field: 'priority', value: 'high' }] },
      { id: 'sat', title: 'Survey just offered', active: true, position: 3, category_id: null, conditions: { all: [{ field: 'satisfaction_score', operator: 'value_previous', value: 'unoffered' }], any: [] }, actions: [{ field: 'current_tags', value: 'sat' }] },
      ...g.ruleSet(),
    ];
    const compiled = compileRuleSet(triggers);
    const base = g.update(0);
    const after = { ...(base.before ?? base.after), status: 'open' as const, satisfactionScore: 'offered' as const };
    const before = { ...after, customFields: { '100': 'hardware' }, scheduleId: 2, via: 'web' as const };
    delete (after as Partial<typeof after>).customFields;
    delete (after as Partial<typeof after>).scheduleId;
    delete (before as Partial<typeof before>).satisfactionScore;
    const update = { ...base, isCreate: false, before, after };
    const result = evaluateCompiled(update, compiled, directory, { schedules });
    const record = json(explanationRecordOf(result));
    expect(record.before?.set).toMatchObject({ customFields: { '100': 'hardware' }, scheduleId: 2 });
    expect(record.before?.unset).toEqual(['satisfactionScore']);
    expect(json(explainRecord(compiled, record))).toEqual(json(result.explanation));
    expect(result.fired.map((f) => f.id)).toEqual(expect.arrayContaining(['cf', 'sched', 'sat']));
  });

  it('is smaller than the explanation it stands for, even when most triggers fire', () => {
    const g = generator(12);
    const triggers = Array.from({ length: 10 }, () => g.ruleSet()).flat().map((t, i) => ({ ...t, id: `t${i}` }));
    const compiled = compileRuleSet(triggers);
    let recordBytes = 0;
    let explanationBytes = 0;
    for (let u = 0; u < 50; u++) {
      const result = evaluateCompiled(g.update(u), compiled, directory, { schedules });
      recordBytes += JSON.stringify(explanationRecordOf(result)).length;
      explanationBytes += JSON.stringify(result.explanation).length;
    }
    // Random rules fire far more than real ones (in the bench, 1,000 triggers: ~3.6 kB against ~600 kB).
    expect(recordBytes * 2).toBeLessThan(explanationBytes);
  });

  it('refuses a rule set that is visibly not the one the update was evaluated with', () => {
    const g = generator(13);
    const triggers = g.ruleSet();
    const compiled = compileRuleSet(triggers);
    const update = g.update(0);
    const record = explanationRecordOf(evaluateCompiled(update, compiled, directory, { schedules }));
    const fewer = compileRuleSet(triggers.filter((t) => t.active).slice(1));
    expect(() => explainRecord(fewer, record)).toThrow(/active triggers/);
    expect(() => explanationRecordOf(plain(evaluateCompiled(update, compiled, directory)) as never)).toThrow(/evaluateCompiled/);
  });
});

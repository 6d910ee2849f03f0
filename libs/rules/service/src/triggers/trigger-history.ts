import { TRIGGERS_STREAM, type Message, type TriggerCategoryV1, type TriggerEvent, type TriggerV1 } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { EventStore } from '@mailroom/event-store';
import { compileRuleSet, type CompiledRuleSet, type Trigger } from '@mailroom/rules-domain';

/**
 * The trigger set at any version of the `triggers` stream, folded from its events: every change to
 * a trigger or a category is one (TriggerStore writes it with the rows), so the stream up to a
 * version is the set the rules consumer evaluated against at that version — when the stream holds
 * the whole history, which `CompiledTriggers` checks before it says so (`replayable`).
 */
export interface TriggerFold {
  /** The stream version folded up to (0: nothing). */
  version: number;
  triggers: Map<string, TriggerV1>;
  categories: Map<string, TriggerCategoryV1>;
}

export const emptyFold = (): TriggerFold => ({ version: 0, triggers: new Map(), categories: new Map() });

/** Applies the stream's events after `fold.version` and up to `upTo`, in order, in place. */
export const foldTriggerEvents = (fold: TriggerFold, messages: readonly Message[], upTo = Number.POSITIVE_INFINITY): TriggerFold => {
  for (const m of messages) {
    if (m.streamVersion <= fold.version || m.streamVersion > upTo) continue;
    if (m.streamVersion !== fold.version + 1) throw new Error(`triggers stream: version ${m.streamVersion} follows ${fold.version}`);
    const e = { type: m.type, data: m.data } as TriggerEvent;
    switch (e.type) {
      case 'trigger.created':
        fold.triggers.set(e.data.trigger.id, e.data.trigger);
        break;
      case 'trigger.updated':
        fold.triggers.set(e.data.triggerId, e.data.trigger);
        break;
      case 'trigger.deleted':
        fold.triggers.delete(e.data.triggerId);
        break;
      case 'trigger_category.created':
      case 'trigger_category.updated':
        fold.categories.set(e.data.category.id, e.data.category);
        break;
      case 'trigger_category.deleted':
        fold.categories.delete(e.data.categoryId);
        break;
    }
    fold.version = m.streamVersion;
  }
  return fold;
};

/** Plain code-unit order, as `orderTriggers` compares ids. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The active triggers and the category order of a fold, as the rules consumer loads them from the rows. */
export const triggersOfFold = (fold: TriggerFold): { triggers: Trigger[]; categoryOrder: string[] } => ({
  triggers: [...fold.triggers.values()].filter((t) => t.active).sort((a, b) => a.position - b.position || cmp(a.id, b.id)) as Trigger[],
  categoryOrder: [...fold.categories.values()].sort((a, b) => a.position - b.position || cmp(a.id, b.id)).map((c) => c.id),
});

/** Reads the stream past `fold.version` and folds it up to `version`. */
export const foldTriggersUpTo = async (store: EventStore, db: Db, fold: TriggerFold, version: number): Promise<TriggerFold> => {
  if (version < fold.version) fold = emptyFold();
  if (version > fold.version) foldTriggerEvents(fold, await store.readStream(db, TRIGGERS_STREAM, fold.version + 1), version);
  if (fold.version !== version) throw new Error(`triggers stream: version ${version} asked for, the stream has ${fold.version}`);
  return fold;
};

const KEPT_SETS = 4;

/**
 * Compiled trigger sets by version of the `triggers` stream, for explanations made after the fact
 * (`readExplanation`): the few versions asked about last are kept (compiling 1,000 triggers takes
 * ~0.1 s); any other is folded from the stream again.
 */
export class TriggerHistory {
  private readonly sets = new Map<number, Promise<CompiledRuleSet>>();

  constructor(private readonly store: EventStore) {}

  ruleSetAt(db: Db, version: number): Promise<CompiledRuleSet> {
    let set = this.sets.get(version);
    if (set) {
      this.sets.delete(version); // most recently used last
    } else {
      set = foldTriggersUpTo(this.store, db, emptyFold(), version).then((fold) => {
        const { triggers, categoryOrder } = triggersOfFold(fold);
        return compileRuleSet(triggers, categoryOrder);
      });
      // A failed read is not kept.
      set.catch(() => this.sets.get(version) === set && this.sets.delete(version));
    }
    this.sets.set(version, set);
    while (this.sets.size > KEPT_SETS) this.sets.delete(this.sets.keys().next().value as number);
    return set;
  }
}

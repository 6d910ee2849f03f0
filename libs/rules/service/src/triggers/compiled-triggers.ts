import { TRIGGERS_STREAM } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { EventStore } from '@mailroom/event-store';
import { isDeepStrictEqual } from 'node:util';
import { compileRuleSet, orderTriggers, type CompiledRuleSet, type Trigger } from '@mailroom/rules-domain';
import { userIdsNamedByTriggers } from '../directory/people-in-reach';
import { emptyFold, foldTriggersUpTo, triggersOfFold, type TriggerFold } from './trigger-history';

/** The active triggers as the rules consumer evaluates them, compiled once per version. */
export interface TriggerSet {
  /** Version of the `triggers` stream the set was loaded at (0: the stream does not exist). */
  version: number;
  ruleSet: CompiledRuleSet;
  /** Users the triggers' actions name by id (see `userIdsNamedByTriggers`). */
  namedUserIds: number[];
  /**
   * The `triggers` stream folded up to `version` gives exactly this set (same active triggers in
   * the same run order), so an evaluation can name it by the version (`TriggerHistory`). False
   * when the rows hold triggers the stream does not (a table filled before the stream existed),
   * or changed while they were read.
   */
  replayable: boolean;
}

const loadTriggers = async (db: Db): Promise<Trigger[]> =>
  (await db.query<{ data: Trigger }>(`SELECT data FROM rules.triggers WHERE active ORDER BY position, id`)).map((r) => r.data);

export const loadCategoryOrder = async (db: Db): Promise<string[]> =>
  (await db.query<{ id: string }>(`SELECT id FROM rules.trigger_categories ORDER BY position, id`)).map((r) => r.id);

/**
 * The compiled trigger set of one database, rebuilt only when the triggers change. Every change to
 * a trigger or a category appends to the `triggers` stream in the transaction that writes the rows
 * (TriggerStore), so the stream's version names the rule set: each update reads that one number
 * (one indexed row, in place of loading every trigger and the category order as before), and a
 * change made through the API still applies to the next update on every replica.
 */
export class CompiledTriggers {
  private cached: TriggerSet | null = null;
  /** The stream folded as far as the last set built, to check the next one against. */
  private fold: TriggerFold = emptyFold();

  constructor(private readonly store: EventStore) {}

  async current(db: Db): Promise<TriggerSet> {
    // The version first, then the rows: rows read after it are at least that new, so a set is
    // never filed under a newer version than its contents (at worst it is rebuilt once more).
    const version = await this.store.streamVersion(db, TRIGGERS_STREAM);
    if (this.cached && version > 0 && this.cached.version === version) return this.cached;
    const triggers = await loadTriggers(db);
    const categoryOrder = await loadCategoryOrder(db);
    const ruleSet = compileRuleSet(triggers, categoryOrder);
    const set: TriggerSet = { version, ruleSet, namedUserIds: userIdsNamedByTriggers(triggers), replayable: await this.replays(db, version, ruleSet) };
    // Without a stream (a table filled before triggers had one) there is no version to trust.
    this.cached = version > 0 ? set : null;
    return set;
  }

  /**
   * Whether the stream at `version` gives back `ruleSet`. Each change commits its rows and its event
   * together, so an unchanged version after the rows were read means they are the rows of that
   * version; the fold then shows whether the stream holds all of them.
   */
  private async replays(db: Db, version: number, ruleSet: CompiledRuleSet): Promise<boolean> {
    if (version === 0 || (await this.store.streamVersion(db, TRIGGERS_STREAM)) !== version) return false;
    try {
      this.fold = await foldTriggersUpTo(this.store, db, this.fold, version);
    } catch {
      this.fold = emptyFold(); // a stream that does not fold: the explanations are stored whole
      return false;
    }
    const { triggers, categoryOrder } = triggersOfFold(this.fold);
    const replayed = orderTriggers(triggers, categoryOrder);
    return replayed.length === ruleSet.ordered.length && replayed.every((t, i) => isDeepStrictEqual(t, ruleSet.ordered[i]));
  }
}

import { TRIGGERS_STREAM } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { EventStore } from '@mailroom/event-store';
import { compileRuleSet, type CompiledRuleSet, type Trigger } from '@mailroom/rules-domain';
import { userIdsNamedByTriggers } from '../directory/people-in-reach';

/** The active triggers as the rules consumer evaluates them, compiled once per version. */
export interface TriggerSet {
  /** Version of the `triggers` stream the set was loaded at (0: the stream does not exist). */
  version: number;
  ruleSet: CompiledRuleSet;
  /** Users the triggers' actions name by id (see `userIdsNamedByTriggers`). */
  namedUserIds: number[];
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

  constructor(private readonly store: EventStore) {}

  async current(db: Db): Promise<TriggerSet> {
    // The version first, then the rows: rows read after it are at least that new, so a set is
    // never filed under a newer version than its contents (at worst it is rebuilt once more).
    const version = await this.store.streamVersion(db, TRIGGERS_STREAM);
    if (this.cached && version > 0 && this.cached.version === version) return this.cached;
    const triggers = await loadTriggers(db);
    const categoryOrder = await loadCategoryOrder(db);
    const set: TriggerSet = { version, ruleSet: compileRuleSet(triggers, categoryOrder), namedUserIds: userIdsNamedByTriggers(triggers) };
    // Without a stream (a table filled before triggers had one) there is no version to trust.
    this.cached = version > 0 ? set : null;
    return set;
  }
}

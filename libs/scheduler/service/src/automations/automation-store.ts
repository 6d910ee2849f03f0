import { AUTOMATIONS_STREAM, type Actor, type AutomationChangeSource, type AutomationUpdatedV1, type AutomationV1, type NewMessage } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import {
  permanenceRefusal,
  SATISFACTION_AUTOMATION,
  standardAutomations,
  validateAutomationInput,
  type Automation,
  type AutomationInput,
  type AutomationProblem,
} from '@mailroom/scheduler-domain';

/**
 * Automations: rows in scheduler.automations (what the scheduler's tick reads), each change an
 * event of the `automations` stream written in the same transaction, with who made it. Writers
 * take one advisory lock, so positions, seeds and the stream version never race.
 *
 * Validation is the domain's (`validateAutomationInput`): an update is judged whole, the stored
 * automation merged with the keys given, so a PUT of the actions alone is checked with the
 * conditions it will run with.
 */

const AUTOMATIONS_LOCK = 7261021;
const STREAM_TYPE = 'automations';
const SYSTEM: Actor = { userId: null, role: 'system' };

/** What the system adds once, never again (scheduler.automation_seeds). */
const SEED_STANDARD = 'standard';
const SEED_SATISFACTION = 'satisfaction';

export interface AutomationRecord {
  automation: AutomationV1;
  createdAt: string;
  updatedAt: string;
}

export type AutomationRefusal = { kind: 'invalid'; problems: AutomationProblem[] } | { kind: 'not_found' };

export type AutomationResult<T> = { ok: true; value: T } | { ok: false; refusal: AutomationRefusal };

export type AutomationSort = 'position' | 'alphabetical' | 'created_at' | 'updated_at';

export interface AutomationFilter {
  active?: boolean;
  sort?: AutomationSort;
  descending?: boolean;
  /** Case-insensitive words that must all appear in the title (search). */
  query?: string;
}

const refuse = <T>(path: string, description: string): AutomationResult<T> => ({ ok: false, refusal: { kind: 'invalid', problems: [{ path, description }] } });
const invalid = <T>(problems: AutomationProblem[]): AutomationResult<T> => ({ ok: false, refusal: { kind: 'invalid', problems } });
const notFound = <T>(): AutomationResult<T> => ({ ok: false, refusal: { kind: 'not_found' } });
const done = <T>(value: T): AutomationResult<T> => ({ ok: true, value });

interface AutomationRow {
  data: AutomationV1;
  created_at: Date;
  updated_at: Date;
}

const iso = (d: Date) => new Date(d).toISOString();

/** JSON with object keys sorted: jsonb gives keys back in its own order, so plain JSON.stringify would see changes that are not there. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
const toRecord = (r: AutomationRow): AutomationRecord => ({ automation: r.data, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) });

const asStored = (a: Automation): AutomationV1 => ({
  id: a.id,
  title: a.title,
  active: a.active,
  position: a.position,
  conditions: { all: a.conditions.all, any: a.conditions.any },
  actions: a.actions,
  default: a.default,
});

const EDITABLE_KEYS = ['title', 'active', 'position', 'conditions', 'actions'] as const;
/** Keys Mailroom shows and a client may send back unchanged (a GET body PUT again); not changeable. */
const READ_ONLY_KEYS = ['id', 'url', 'raw_title', 'default', 'created_at', 'updated_at'];

/** The editable keys of a body, or a refusal naming the ones Mailroom does not have. */
export const editableInput = (input: Record<string, unknown>): AutomationResult<AutomationInput> => {
  const unknown = Object.keys(input).filter((k) => !(EDITABLE_KEYS as readonly string[]).includes(k) && !READ_ONLY_KEYS.includes(k));
  if (unknown.length) return refuse('base', `Automation: ${unknown.map((k) => `"${k}"`).join(', ')} ${unknown.length === 1 ? 'is not an automation field' : 'are not automation fields'} (use title, active, position, conditions, actions)`);
  return done(Object.fromEntries(EDITABLE_KEYS.filter((k) => input[k] !== undefined).map((k) => [k, input[k]])) as AutomationInput);
};

export class AutomationStore {
  constructor(private readonly store: EventStore = new EventStore()) {}

  /** In run order (position, then id) unless another sort is asked for. */
  async list(db: Db, filter: AutomationFilter = {}): Promise<AutomationRecord[]> {
    const rows = await db.query<AutomationRow>(
      `SELECT data, created_at, updated_at FROM scheduler.automations WHERE ($1::boolean IS NULL OR active = $1) ORDER BY position, id`,
      [filter.active ?? null],
    );
    let records = rows.map(toRecord);
    if (filter.query !== undefined) {
      const words = filter.query.toLowerCase().split(/\s+/).filter(Boolean);
      records = records.filter((r) => words.every((w) => r.automation.title.toLowerCase().includes(w)));
    }
    const sort = filter.sort ?? 'position';
    if (sort === 'alphabetical') records.sort((a, b) => a.automation.title.localeCompare(b.automation.title));
    else if (sort === 'created_at') records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    else if (sort === 'updated_at') records.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    if (filter.descending) records.reverse();
    return records;
  }

  async byId(db: Db, id: string): Promise<AutomationRecord | null> {
    const rows = await db.query<AutomationRow>(`SELECT data, created_at, updated_at FROM scheduler.automations WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Seeds Zendesk's standard automations once per account: an admin who deletes them does not get
   * them back on restart. The satisfaction request is not among them; the setting adds it.
   */
  async seedStandard(db: Db, now: string): Promise<boolean> {
    return db.transaction(async (tx) => {
      await this.lock(tx);
      if (!(await this.claimSeed(tx, SEED_STANDARD, now))) return false;
      const [{ last }] = await tx.query<{ last: number | null }>(`SELECT max(position) AS last FROM scheduler.automations`);
      // After any automation already there (the satisfaction request, if ratings were turned on first).
      const automations = standardAutomations(now).map((a) => asStored({ ...a, position: a.position + (last ?? 0) }));
      await this.append(tx, automations.map((automation) => ({ type: 'automation.created', data: { automation, createdAt: now, source: 'standard' } })), SYSTEM, now);
      for (const a of automations) await this.insertRow(tx, a, now);
      return true;
    });
  }

  /**
   * Follows the satisfaction setting (reference §7). On: Zendesk adds "Request customer satisfaction
   * rating (System Automation)"; Mailroom adds it the first time only (an admin who deleted it does
   * not get it back), and turns it on again if turning ratings off is what turned it off. Off: the
   * automation is turned off, since the survey it sends would offer a rating nobody can give; an
   * admin's own choice (deactivated by hand) is never undone.
   */
  async followSatisfactionSetting(tx: Db, enabled: boolean, actor: Actor, now: string): Promise<AutomationRecord | null> {
    await this.lock(tx);
    const id = SATISFACTION_AUTOMATION.id;
    const current = await this.byId(tx, id);
    if (enabled) {
      if (await this.claimSeed(tx, SEED_SATISFACTION, now)) {
        if (current) return current;
        const [{ last }] = await tx.query<{ last: number | null }>(`SELECT max(position) AS last FROM scheduler.automations`);
        const [definition] = standardAutomations(now, { satisfactionRatings: true }).filter((a) => a.id === id);
        const automation = asStored({ ...definition, position: (last ?? 0) + 1 });
        await this.append(tx, [{ type: 'automation.created', data: { automation, createdAt: now, source: 'satisfaction_ratings_on' } }], actor, now);
        await this.insertRow(tx, automation, now);
        return this.byId(tx, id);
      }
      if (!current || current.automation.active) return current;
      const [{ paused }] = await tx.query<{ paused: boolean }>(`SELECT paused_by_setting AS paused FROM scheduler.automations WHERE id = $1`, [id]);
      if (!paused) return current;
      return this.write(tx, current, { ...current.automation, active: true }, 'satisfaction_ratings_on', actor, now);
    }
    if (!current || !current.automation.active) return current;
    return this.write(tx, current, { ...current.automation, active: false }, 'satisfaction_ratings_off', actor, now);
  }

  async create(tx: Db, body: Record<string, unknown>, actor: Actor, now: string): Promise<AutomationResult<AutomationRecord>> {
    const input = editableInput(body);
    if (!input.ok) return input;
    const checked = validateAutomationInput(input.value);
    if (!checked.ok) return invalid(checked.problems);
    const f = checked.fields;
    await this.lock(tx);
    const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval('scheduler.automation_ids')::text AS id`);
    // New automations go last, as in Zendesk.
    const [{ last }] = await tx.query<{ last: number | null }>(`SELECT max(position) AS last FROM scheduler.automations`);
    const automation: AutomationV1 = { id, title: f.title, active: f.active, position: f.position ?? (last ?? 0) + 1, conditions: f.conditions, actions: f.actions, default: false };
    await this.append(tx, [{ type: 'automation.created', data: { automation, createdAt: now, source: 'api' } }], actor, now);
    await this.insertRow(tx, automation, now);
    return done((await this.byId(tx, id))!);
  }

  async update(tx: Db, id: string, body: Record<string, unknown>, actor: Actor, now: string): Promise<AutomationResult<AutomationRecord>> {
    const input = editableInput(body);
    if (!input.ok) return input;
    await this.lock(tx);
    const current = await this.byId(tx, id);
    if (!current) return notFound();
    const c = current.automation;
    const checked = validateAutomationInput({ title: c.title, active: c.active, position: c.position, conditions: c.conditions, actions: c.actions, ...input.value });
    if (!checked.ok) return invalid(checked.problems);
    const f = checked.fields;
    if (c.active && !f.active) {
      const refusal = permanenceRefusal(id, 'deactivate');
      if (refusal) return refuse('active', refusal);
    }
    const next: AutomationV1 = { ...c, title: f.title, active: f.active, position: f.position ?? c.position, conditions: f.conditions, actions: f.actions };
    return done(await this.write(tx, current, next, 'api', actor, now));
  }

  async delete(tx: Db, id: string, actor: Actor, now: string): Promise<AutomationResult<AutomationRecord>> {
    await this.lock(tx);
    const current = await this.byId(tx, id);
    if (!current) return notFound();
    const refusal = permanenceRefusal(id, 'delete');
    if (refusal) return refuse('base', refusal);
    await this.append(tx, [{ type: 'automation.deleted', data: { automationId: id, title: current.automation.title, deletedAt: now } }], actor, now);
    await tx.query(`DELETE FROM scheduler.automations WHERE id = $1`, [id]);
    return done(current);
  }

  /** `update_many`: positions and active flags of several automations, all or nothing. */
  async updateMany(tx: Db, items: unknown, actor: Actor, now: string): Promise<AutomationResult<AutomationRecord[]>> {
    if (!Array.isArray(items) || items.length === 0) return refuse('automations', 'Automations: give a list of {id, position, active}');
    const results: AutomationRecord[] = [];
    for (const [i, raw] of items.entries()) {
      const item = raw as Record<string, unknown> | null;
      if (!item || typeof item !== 'object' || (typeof item.id !== 'string' && typeof item.id !== 'number')) return refuse(`automations[${i}]`, `Automations (#${i + 1}): needs an id`);
      const extra = Object.keys(item).filter((k) => !['id', 'position', 'active'].includes(k));
      if (extra.length) return refuse(`automations[${i}]`, `Automations (#${i + 1}): update_many changes only position and active, not ${extra.join(', ')}`);
      const { id, ...change } = item;
      const r = await this.update(tx, String(id), change, actor, now);
      if (!r.ok) return r.refusal.kind === 'not_found' ? refuse(`automations[${i}]`, `Automations (#${i + 1}): automation ${String(id)} does not exist`) : r;
      results.push(r.value);
    }
    return done(results);
  }

  async deleteMany(tx: Db, ids: string[], actor: Actor, now: string): Promise<AutomationResult<AutomationRecord[]>> {
    if (ids.length === 0) return refuse('ids', 'Ids: give the ids of the automations to delete');
    const results: AutomationRecord[] = [];
    for (const id of ids) {
      const r = await this.delete(tx, id, actor, now);
      if (!r.ok) return r.refusal.kind === 'not_found' ? refuse('ids', `Ids: automation ${id} does not exist`) : r;
      results.push(r.value);
    }
    return done(results);
  }

  /** Writes a change (row and event), or nothing when nothing changed. */
  private async write(tx: Db, current: AutomationRecord, next: AutomationV1, source: AutomationChangeSource, actor: Actor, now: string): Promise<AutomationRecord> {
    const changed = EDITABLE_KEYS.filter((k) => canonical(next[k]) !== canonical(current.automation[k]));
    if (changed.length === 0) return current;
    const data: AutomationUpdatedV1 = { automationId: next.id, automation: next, changed, source, updatedAt: now };
    await this.append(tx, [{ type: 'automation.updated', data }], actor, now);
    // Only the setting's own switch-off is remembered as such; any other change of the flag is someone's choice.
    const paused = changed.includes('active') ? source === 'satisfaction_ratings_off' : null;
    await tx.query(
      `UPDATE scheduler.automations SET position = $2, active = $3, data = $4, updated_at = $5, paused_by_setting = coalesce($6, paused_by_setting) WHERE id = $1`,
      [next.id, next.position, next.active, JSON.stringify(next), now, paused],
    );
    return (await this.byId(tx, next.id))!;
  }

  /** True the first time a seed is claimed; false ever after. */
  private async claimSeed(tx: Db, seed: string, now: string): Promise<boolean> {
    const rows = await tx.query(`INSERT INTO scheduler.automation_seeds (seed, seeded_at) VALUES ($1, $2) ON CONFLICT (seed) DO NOTHING RETURNING seed`, [seed, now]);
    return rows.length === 1;
  }

  private async lock(tx: Db): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(${AUTOMATIONS_LOCK})`);
  }

  private async append(tx: Db, events: NewMessage[], actor: Actor, now: string): Promise<void> {
    await this.store.append(tx, AUTOMATIONS_STREAM, STREAM_TYPE, 'any', events, { actor, occurredAt: now });
  }

  private async insertRow(tx: Db, a: AutomationV1, now: string): Promise<void> {
    await tx.query(`INSERT INTO scheduler.automations (id, position, active, data, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`, [a.id, a.position, a.active, JSON.stringify(a), now]);
  }
}

/** Zendesk's standard automations, seeded once (admins may edit them after, through the Automations API). */
export const seedStandardAutomations = async (db: Db, now = new Date().toISOString()): Promise<void> => {
  await new AutomationStore().seedStandard(db, now);
};

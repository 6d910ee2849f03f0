import {
  TRIGGERS_STREAM,
  type Actor,
  type NewMessage,
  type TriggerCategoryV1,
  type TriggerUpdatedV1,
  type TriggerV1,
} from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { silencingWarning, standardTriggers, validateTriggerInput, type Trigger, type TriggerInput, type TriggerProblem } from '@mailroom/rules-domain';

/**
 * Triggers and trigger categories: rows in rules.triggers / rules.trigger_categories (what the
 * rules consumer reads on every ticket update, so a change applies to the next update on every
 * replica), each change an event in the `triggers` stream written in the same transaction.
 * Writers take one advisory lock, so positions and the stream version never race.
 */

const TRIGGERS_LOCK = 7261003;
const STREAM_TYPE = 'triggers';

export interface TriggerRecord {
  trigger: TriggerV1;
  createdAt: string;
  updatedAt: string;
}

export interface CategoryRecord {
  category: TriggerCategoryV1;
  createdAt: string;
  updatedAt: string;
}

export type TriggerRefusal = { kind: 'invalid'; problems: TriggerProblem[] } | { kind: 'not_found' };

export type TriggerResult<T> = { ok: true; value: T; warnings: string[] } | { ok: false; refusal: TriggerRefusal };

const refuse = <T>(path: string, description: string): TriggerResult<T> => ({ ok: false, refusal: { kind: 'invalid', problems: [{ path, description }] } });
const notFound = <T>(): TriggerResult<T> => ({ ok: false, refusal: { kind: 'not_found' } });
const done = <T>(value: T, warnings: string[] = []): TriggerResult<T> => ({ ok: true, value, warnings });

interface TriggerRow {
  data: TriggerV1;
  created_at: Date;
  updated_at: Date;
}

interface CategoryRow {
  id: string;
  name: string;
  position: number;
  created_at: Date;
  updated_at: Date;
}

const iso = (d: Date) => new Date(d).toISOString();
const toRecord = (r: TriggerRow): TriggerRecord => ({ trigger: r.data, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) });
const toCategory = (r: CategoryRow): CategoryRecord => ({ category: { id: r.id, name: r.name, position: r.position }, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) });

const asStored = (t: Trigger): TriggerV1 => ({
  id: t.id,
  title: t.title,
  active: t.active,
  position: t.position,
  category_id: t.category_id ?? null,
  description: t.description ?? '',
  conditions: { all: t.conditions.all ?? [], any: t.conditions.any ?? [] },
  actions: t.actions,
});

export type TriggerSort = 'position' | 'alphabetical' | 'created_at' | 'updated_at';

export interface TriggerFilter {
  active?: boolean;
  categoryId?: string;
  sort?: TriggerSort;
  descending?: boolean;
  /** Case-insensitive words that must all appear in the title (search). */
  query?: string;
}

const TRIGGER_KEYS = ['title', 'active', 'position', 'category_id', 'description', 'conditions', 'actions'] as const;

export class TriggerStore {
  constructor(private readonly store: EventStore = new EventStore()) {}

  /** In run order (categories by position, then position, then id) unless another sort is asked for. */
  async list(db: Db, filter: TriggerFilter = {}): Promise<TriggerRecord[]> {
    const rows = await db.query<TriggerRow & { category_position: number | null }>(
      `SELECT t.data, t.created_at, t.updated_at, c.position AS category_position
       FROM rules.triggers t LEFT JOIN rules.trigger_categories c ON c.id = t.category_id
       WHERE ($1::boolean IS NULL OR t.active = $1) AND ($2::text IS NULL OR t.category_id = $2)
       ORDER BY t.category_id IS NOT NULL, c.position NULLS LAST, t.category_id, t.position, t.id`,
      [filter.active ?? null, filter.categoryId ?? null],
    );
    let records = rows.map(toRecord);
    if (filter.query !== undefined) {
      const words = filter.query.toLowerCase().split(/\s+/).filter(Boolean);
      records = records.filter((r) => words.every((w) => r.trigger.title.toLowerCase().includes(w)));
    }
    const sort = filter.sort ?? 'position';
    if (sort === 'alphabetical') records.sort((a, b) => a.trigger.title.localeCompare(b.trigger.title));
    else if (sort === 'created_at') records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    else if (sort === 'updated_at') records.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    if (filter.descending) records.reverse();
    return records;
  }

  async byId(db: Db, id: string): Promise<TriggerRecord | null> {
    const rows = await db.query<TriggerRow>(`SELECT data, created_at, updated_at FROM rules.triggers WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Seeds the standard triggers once, when the `triggers` stream has never existed (an admin who
   * later deletes them all does not get them back on restart). A table filled before the stream
   * existed is left as it is.
   */
  async seedStandard(db: Db, now: string): Promise<boolean> {
    return db.transaction(async (tx) => {
      await this.lock(tx);
      if ((await this.store.streamVersion(tx, TRIGGERS_STREAM)) > 0) return false;
      const [{ n }] = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM rules.triggers`);
      if (Number(n) > 0) return false;
      const triggers = standardTriggers().map(asStored);
      await this.append(tx, triggers.map((trigger) => ({ type: 'trigger.created', data: { trigger, createdAt: now, source: 'standard' } })), { userId: null, role: 'system' }, now);
      for (const t of triggers) await this.insertRow(tx, t, now);
      return true;
    });
  }

  async create(tx: Db, input: TriggerInput, actor: Actor, now: string): Promise<TriggerResult<TriggerRecord>> {
    const checked = validateTriggerInput(input, { partial: false });
    if (!checked.ok) return { ok: false, refusal: { kind: 'invalid', problems: checked.problems } };
    const f = checked.fields;
    await this.lock(tx);
    if (f.category_id && !(await this.categoryExists(tx, f.category_id))) return refuse('category_id', `Category: trigger category ${f.category_id} does not exist`);
    const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval('rules.trigger_ids')::text AS id`);
    // New triggers go last (in their category), as in Zendesk.
    const [{ last }] = await tx.query<{ last: number | null }>(`SELECT max(position) AS last FROM rules.triggers WHERE category_id IS NOT DISTINCT FROM $1`, [f.category_id ?? null]);
    const trigger: TriggerV1 = {
      id,
      title: f.title!,
      active: f.active ?? true,
      position: f.position ?? (last ?? 0) + 1,
      category_id: f.category_id ?? null,
      description: f.description ?? '',
      conditions: f.conditions!,
      actions: f.actions!,
    };
    await this.append(tx, [{ type: 'trigger.created', data: { trigger, createdAt: now, source: 'api' } }], actor, now);
    await this.insertRow(tx, trigger, now);
    return done((await this.byId(tx, id))!);
  }

  async update(tx: Db, id: string, input: TriggerInput, actor: Actor, now: string): Promise<TriggerResult<TriggerRecord>> {
    const checked = validateTriggerInput(input, { partial: true });
    if (!checked.ok) return { ok: false, refusal: { kind: 'invalid', problems: checked.problems } };
    await this.lock(tx);
    const current = await this.byId(tx, id);
    if (!current) return notFound();
    const f = checked.fields;
    if (f.category_id && f.category_id !== current.trigger.category_id && !(await this.categoryExists(tx, f.category_id))) {
      return refuse('category_id', `Category: trigger category ${f.category_id} does not exist`);
    }
    const next: TriggerV1 = { ...current.trigger, ...f } as TriggerV1;
    const changed = TRIGGER_KEYS.filter((k) => JSON.stringify(next[k]) !== JSON.stringify(current.trigger[k]));
    if (changed.length === 0) return done(current);
    const warning = current.trigger.active && !next.active ? silencingWarning(next, 'deactivated') : null;
    const data: TriggerUpdatedV1 = { triggerId: id, trigger: next, changed, updatedAt: now, ...(warning ? { warning } : {}) };
    await this.append(tx, [{ type: 'trigger.updated', data }], actor, now);
    await tx.query(`UPDATE rules.triggers SET position = $2, category_id = $3, active = $4, data = $5, updated_at = $6 WHERE id = $1`, [
      id,
      next.position,
      next.category_id,
      next.active,
      JSON.stringify(next),
      now,
    ]);
    return done((await this.byId(tx, id))!, warning ? [warning] : []);
  }

  async delete(tx: Db, id: string, actor: Actor, now: string): Promise<TriggerResult<TriggerRecord>> {
    await this.lock(tx);
    const current = await this.byId(tx, id);
    if (!current) return notFound();
    // Deleting an inactive trigger silences nobody: its emails already stopped.
    const warning = current.trigger.active ? silencingWarning(current.trigger, 'deleted') : null;
    await this.append(tx, [{ type: 'trigger.deleted', data: { triggerId: id, title: current.trigger.title, deletedAt: now, ...(warning ? { warning } : {}) } }], actor, now);
    await tx.query(`DELETE FROM rules.triggers WHERE id = $1`, [id]);
    return done(current, warning ? [warning] : []);
  }

  /** `update_many`: positions, active flags and categories of several triggers, all or nothing. */
  async updateMany(tx: Db, items: unknown, actor: Actor, now: string): Promise<TriggerResult<TriggerRecord[]>> {
    if (!Array.isArray(items) || items.length === 0) return refuse('triggers', 'Triggers: give a list of {id, position, active, category_id}');
    const results: TriggerRecord[] = [];
    const warnings: string[] = [];
    for (const [i, raw] of items.entries()) {
      const item = raw as Record<string, unknown> | null;
      if (!item || typeof item !== 'object' || (typeof item.id !== 'string' && typeof item.id !== 'number')) return refuse(`triggers[${i}]`, `Triggers (#${i + 1}): needs an id`);
      const extra = Object.keys(item).filter((k) => !['id', 'position', 'active', 'category_id'].includes(k));
      if (extra.length) return refuse(`triggers[${i}]`, `Triggers (#${i + 1}): update_many changes only position, active and category_id, not ${extra.join(', ')}`);
      const { id, ...change } = item;
      const r = await this.update(tx, String(id), change, actor, now);
      if (!r.ok) {
        if (r.refusal.kind === 'not_found') return refuse(`triggers[${i}]`, `Triggers (#${i + 1}): trigger ${String(id)} does not exist`);
        return r;
      }
      results.push(r.value);
      warnings.push(...r.warnings);
    }
    return done(results, warnings);
  }

  async deleteMany(tx: Db, ids: string[], actor: Actor, now: string): Promise<TriggerResult<TriggerRecord[]>> {
    if (ids.length === 0) return refuse('ids', 'Ids: give the ids of the triggers to delete');
    const results: TriggerRecord[] = [];
    const warnings: string[] = [];
    for (const id of ids) {
      const r = await this.delete(tx, id, actor, now);
      if (!r.ok) return r.refusal.kind === 'not_found' ? refuse('ids', `Ids: trigger ${id} does not exist`) : r;
      results.push(r.value);
      warnings.push(...r.warnings);
    }
    return done(results, warnings);
  }

  // ---- categories ----

  async listCategories(db: Db): Promise<CategoryRecord[]> {
    return (await db.query<CategoryRow>(`SELECT id, name, position, created_at, updated_at FROM rules.trigger_categories ORDER BY position, id`)).map(toCategory);
  }

  /** Category ids in run order: all triggers of one category run before the next category's. */
  async categoryOrder(db: Db): Promise<string[]> {
    return (await db.query<{ id: string }>(`SELECT id FROM rules.trigger_categories ORDER BY position, id`)).map((r) => r.id);
  }

  async categoryById(db: Db, id: string): Promise<CategoryRecord | null> {
    const rows = await db.query<CategoryRow>(`SELECT id, name, position, created_at, updated_at FROM rules.trigger_categories WHERE id = $1`, [id]);
    return rows[0] ? toCategory(rows[0]) : null;
  }

  async createCategory(tx: Db, input: Record<string, unknown>, actor: Actor, now: string): Promise<TriggerResult<CategoryRecord>> {
    const name = categoryName(input.name);
    if (name === null) return refuse('name', 'Name: cannot be blank');
    const position = input.position === undefined ? undefined : categoryPosition(input.position);
    if (position === null) return refuse('position', 'Position: must be a whole number of zero or more');
    await this.lock(tx);
    const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval('rules.trigger_category_ids')::text AS id`);
    const [{ last }] = await tx.query<{ last: number | null }>(`SELECT max(position) AS last FROM rules.trigger_categories`);
    const category: TriggerCategoryV1 = { id, name, position: position ?? (last ?? 0) + 1 };
    await this.append(tx, [{ type: 'trigger_category.created', data: { category, createdAt: now } }], actor, now);
    await tx.query(`INSERT INTO rules.trigger_categories (id, name, position, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`, [id, name, category.position, now]);
    return done((await this.categoryById(tx, id))!);
  }

  async updateCategory(tx: Db, id: string, input: Record<string, unknown>, actor: Actor, now: string): Promise<TriggerResult<CategoryRecord>> {
    await this.lock(tx);
    const current = await this.categoryById(tx, id);
    if (!current) return notFound();
    const next = { ...current.category };
    if (input.name !== undefined) {
      const name = categoryName(input.name);
      if (name === null) return refuse('name', 'Name: cannot be blank');
      next.name = name;
    }
    if (input.position !== undefined) {
      const position = categoryPosition(input.position);
      if (position === null) return refuse('position', 'Position: must be a whole number of zero or more');
      next.position = position;
    }
    if (next.name === current.category.name && next.position === current.category.position) return done(current);
    await this.append(tx, [{ type: 'trigger_category.updated', data: { category: next, updatedAt: now } }], actor, now);
    await tx.query(`UPDATE rules.trigger_categories SET name = $2, position = $3, updated_at = $4 WHERE id = $1`, [id, next.name, next.position, now]);
    return done((await this.categoryById(tx, id))!);
  }

  /** A category that still holds triggers cannot be deleted: its triggers would lose their place in the run order. */
  async deleteCategory(tx: Db, id: string, actor: Actor, now: string): Promise<TriggerResult<CategoryRecord>> {
    await this.lock(tx);
    const current = await this.categoryById(tx, id);
    if (!current) return notFound();
    const [{ n }] = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM rules.triggers WHERE category_id = $1`, [id]);
    if (Number(n) > 0) return refuse('base', `Trigger category: "${current.category.name}" still holds ${n} trigger(s); move or delete them first`);
    await this.append(tx, [{ type: 'trigger_category.deleted', data: { categoryId: id, deletedAt: now } }], actor, now);
    await tx.query(`DELETE FROM rules.trigger_categories WHERE id = $1`, [id]);
    return done(current);
  }

  /** `POST /trigger_categories/jobs` with action "patch": new positions of categories and triggers at once. */
  async patchPositions(
    tx: Db,
    items: { trigger_categories?: unknown; triggers?: unknown },
    actor: Actor,
    now: string,
  ): Promise<TriggerResult<{ categories: CategoryRecord[]; triggers: TriggerRecord[] }>> {
    const categories: CategoryRecord[] = [];
    const cats = items.trigger_categories ?? [];
    if (!Array.isArray(cats)) return refuse('trigger_categories', 'Trigger categories: must be a list of {id, position}');
    for (const [i, raw] of cats.entries()) {
      const c = raw as Record<string, unknown> | null;
      if (!c || (typeof c.id !== 'string' && typeof c.id !== 'number')) return refuse(`trigger_categories[${i}]`, `Trigger categories (#${i + 1}): needs an id`);
      const r = await this.updateCategory(tx, String(c.id), { position: c.position }, actor, now);
      if (!r.ok) return r.refusal.kind === 'not_found' ? refuse(`trigger_categories[${i}]`, `Trigger categories (#${i + 1}): category ${String(c.id)} does not exist`) : r;
      categories.push(r.value);
    }
    let triggers: TriggerRecord[] = [];
    const warnings: string[] = [];
    if (items.triggers !== undefined) {
      const r = await this.updateMany(tx, items.triggers, actor, now);
      if (!r.ok) return r;
      triggers = r.value;
      warnings.push(...r.warnings);
    }
    return done({ categories, triggers }, warnings);
  }

  private async categoryExists(db: Db, id: string): Promise<boolean> {
    return (await db.query(`SELECT 1 FROM rules.trigger_categories WHERE id = $1`, [id])).length > 0;
  }

  private async lock(tx: Db): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(${TRIGGERS_LOCK})`);
  }

  private async append(tx: Db, events: NewMessage[], actor: Actor, now: string): Promise<void> {
    await this.store.append(tx, TRIGGERS_STREAM, STREAM_TYPE, 'any', events, { actor, occurredAt: now });
  }

  private async insertRow(tx: Db, t: TriggerV1, now: string): Promise<void> {
    await tx.query(`INSERT INTO rules.triggers (id, position, category_id, active, data, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`, [
      t.id,
      t.position,
      t.category_id,
      t.active,
      JSON.stringify(t),
      now,
    ]);
  }
}

const categoryName = (raw: unknown): string | null => {
  if (typeof raw !== 'string') return null;
  const name = raw.replace(/\s+/g, ' ').trim();
  return name && name.length <= 255 ? name : null;
};

const categoryPosition = (raw: unknown): number | null => {
  const p = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : raw;
  return typeof p === 'number' && Number.isInteger(p) && p >= 0 ? p : null;
};

import type { Actor } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { CompiledTriggers } from './compiled-triggers';
import { TriggerStore } from './trigger-store';

const ADMIN: Actor = { userId: null, role: 'system' };
const now = () => new Date().toISOString();

/**
 * The rules consumer's compiled trigger set on the real PostgreSQL: built once per version of the
 * `triggers` stream, rebuilt on the next update after any change through the store.
 */
describe('the compiled trigger set of the rules consumer', () => {
  let t: TestDatabase;
  const store = new EventStore();
  const triggers = new TriggerStore(store);

  beforeAll(async () => {
    t = await createTestDatabase();
    await triggers.seedStandard(t.db, now());
  });
  afterAll(async () => t?.drop());

  it('is compiled once and kept while the triggers do not change', async () => {
    const sets = new CompiledTriggers(store);
    const first = await sets.current(t.db);
    expect(first.version).toBeGreaterThan(0);
    expect(first.ruleSet.ordered.length).toBe((await triggers.list(t.db, { active: true })).length);
    expect(await sets.current(t.db)).toBe(first);
  });

  it('is rebuilt after a trigger or a category changes, with the change in it', async () => {
    const sets = new CompiledTriggers(store);
    const before = await sets.current(t.db);
    const created = await t.db.transaction((tx) =>
      triggers.create(tx, { title: 'Tag VIP mail', conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }], any: [] }, actions: [{ field: 'current_tags', value: 'vip' }, { field: 'assignee_id', value: '4242' }] }, ADMIN, now()),
    );
    if (!created.ok) throw new Error(JSON.stringify(created.refusal));
    const after = await sets.current(t.db);
    expect(after).not.toBe(before);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.ruleSet.ordered.map((x) => x.title)).toContain('Tag VIP mail');
    expect(after.namedUserIds).toContain(4242);

    const category = await t.db.transaction((tx) => triggers.createCategory(tx, { name: 'First', position: 0 }, ADMIN, now()));
    if (!category.ok) throw new Error(JSON.stringify(category.refusal));
    const withCategory = await sets.current(t.db);
    expect(withCategory).not.toBe(after);
    expect(withCategory.ruleSet.categoryOrder).toContain(category.value.category.id);

    const off = await t.db.transaction((tx) => triggers.update(tx, created.value.trigger.id, { active: false }, ADMIN, now()));
    if (!off.ok) throw new Error(JSON.stringify(off.refusal));
    expect((await sets.current(t.db)).ruleSet.ordered.map((x) => x.title)).not.toContain('Tag VIP mail');
  });
});

import { validateTriggerInput, type Trigger, type TriggerInput, type TriggerProblem } from '@mailroom/rules-domain';

/** A proposed change to the trigger set, as `POST /api/v2/triggers/simulate.json` takes it. */
export interface TriggerChanges {
  create?: unknown;
  update?: unknown;
  deactivate?: unknown;
  delete?: unknown;
}

export type ProposedTriggers = { ok: true; triggers: Trigger[] } | { ok: false; problems: TriggerProblem[] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const listOf = (v: unknown): unknown[] | null => (v === undefined ? [] : Array.isArray(v) ? v : null);
const idOf = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : null);

/**
 * Applies proposed changes to every trigger (active or not) without writing anything: new triggers
 * (validated as a create, ids `proposed-1`, …), edits (validated as an update), deactivations and
 * deletions. Same validator as the triggers API, so what it refuses here it would refuse there.
 */
export const applyTriggerChanges = (current: readonly Trigger[], changes: TriggerChanges): ProposedTriggers => {
  const problems: TriggerProblem[] = [];
  const byId = new Map(current.map((t) => [t.id, { ...t }]));
  const known = (raw: unknown, path: string): string | null => {
    const id = idOf(raw);
    if (id === null || !byId.has(id)) {
      problems.push({ path, description: `Trigger: ${JSON.stringify(raw)} is not an existing trigger` });
      return null;
    }
    return id;
  };
  const creates = listOf(changes.create);
  const updates = listOf(changes.update);
  const deactivations = listOf(changes.deactivate);
  const deletions = listOf(changes.delete);
  if (!creates || !updates || !deactivations || !deletions) {
    return { ok: false, problems: [{ path: 'changes', description: 'Changes: "create", "update", "deactivate" and "delete" must be lists' }] };
  }
  updates.forEach((raw, i) => {
    if (!isRecord(raw)) return problems.push({ path: `changes.update[${i}]`, description: 'Update: must be a trigger object with an id' });
    const id = known(raw.id, `changes.update[${i}].id`);
    if (id === null) return;
    const v = validateTriggerInput(raw as TriggerInput, { partial: true });
    if (!v.ok) return problems.push(...v.problems.map((p) => ({ ...p, path: `changes.update[${i}].${p.path}` })));
    byId.set(id, { ...byId.get(id)!, ...v.fields });
  });
  creates.forEach((raw, i) => {
    const v = validateTriggerInput((isRecord(raw) ? raw : {}) as TriggerInput, { partial: false });
    if (!v.ok) return problems.push(...v.problems.map((p) => ({ ...p, path: `changes.create[${i}].${p.path}` })));
    const id = `proposed-${i + 1}`;
    const f = v.fields;
    byId.set(id, {
      id,
      title: f.title!,
      active: f.active ?? true,
      // Zendesk appends a new trigger at the end of the list.
      position: f.position ?? Math.max(0, ...[...byId.values()].map((t) => t.position)) + 1,
      category_id: f.category_id ?? null,
      description: f.description ?? '',
      conditions: f.conditions!,
      actions: f.actions!,
    });
  });
  deactivations.forEach((raw, i) => {
    const id = known(raw, `changes.deactivate[${i}]`);
    if (id !== null) byId.get(id)!.active = false;
  });
  deletions.forEach((raw, i) => {
    const id = known(raw, `changes.delete[${i}]`);
    if (id !== null) byId.delete(id);
  });
  return problems.length ? { ok: false, problems } : { ok: true, triggers: [...byId.values()] };
};

import { permanenceRefusal, validateAutomationInput, type Automation, type AutomationProblem } from '@mailroom/scheduler-domain';
import { editableInput } from '../automations/automation-store';

/** A proposed change to the automations, as `POST /api/v2/automations/simulate.json` takes it (the triggers' shape). */
export interface AutomationChanges {
  create?: unknown;
  update?: unknown;
  deactivate?: unknown;
  delete?: unknown;
}

export type ProposedAutomations = { ok: true; automations: Automation[] } | { ok: false; problems: AutomationProblem[] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const listOf = (v: unknown): unknown[] | null => (v === undefined ? [] : Array.isArray(v) ? v : null);
const idOf = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : null);
const at = (path: string, problems: readonly AutomationProblem[]): AutomationProblem[] => problems.map((p) => ({ ...p, path: `${path}.${p.path}` }));

/**
 * Applies proposed changes to every automation (active or not) without writing anything: new
 * automations (ids `proposed-1`, …, appended last), edits, deactivations and deletions. Each is
 * judged as the Automations API judges it (AutomationStore): the same unknown-key check, the domain's
 * `validateAutomationInput` on the whole automation (an edit merged with the stored one), and the
 * standard close's permanence. What it refuses here, saving would refuse.
 */
export const applyAutomationChanges = (current: readonly Automation[], changes: AutomationChanges): ProposedAutomations => {
  const problems: AutomationProblem[] = [];
  const byId = new Map(current.map((a) => [a.id, { ...a }]));
  const known = (raw: unknown, path: string): string | null => {
    const id = idOf(raw);
    if (id === null || !byId.has(id)) {
      problems.push({ path, description: `Automation: ${JSON.stringify(raw)} is not an existing automation` });
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
    const path = `changes.update[${i}]`;
    if (!isRecord(raw)) return problems.push({ path, description: 'Update: must be an automation object with an id' });
    const id = known(raw.id, `${path}.id`);
    if (id === null) return;
    const input = editableInput(raw);
    if (!input.ok) return problems.push(...(input.refusal.kind === 'invalid' ? at(path, input.refusal.problems) : []));
    const c = byId.get(id)!;
    const checked = validateAutomationInput({ title: c.title, active: c.active, position: c.position, conditions: c.conditions, actions: c.actions, ...input.value });
    if (!checked.ok) return problems.push(...at(path, checked.problems));
    const f = checked.fields;
    const refusal = c.active && !f.active ? permanenceRefusal(id, 'deactivate') : null;
    if (refusal) return problems.push({ path: `${path}.active`, description: refusal });
    byId.set(id, { ...c, title: f.title, raw_title: f.title, active: f.active, position: f.position ?? c.position, conditions: f.conditions, actions: f.actions });
  });
  creates.forEach((raw, i) => {
    const path = `changes.create[${i}]`;
    const input = editableInput(isRecord(raw) ? raw : {});
    if (!input.ok) return problems.push(...(input.refusal.kind === 'invalid' ? at(path, input.refusal.problems) : []));
    const checked = validateAutomationInput(input.value);
    if (!checked.ok) return problems.push(...at(path, checked.problems));
    const f = checked.fields;
    const id = `proposed-${i + 1}`;
    byId.set(id, {
      id,
      title: f.title,
      raw_title: f.title,
      active: f.active,
      // Zendesk (and the store) put a new automation last.
      position: f.position ?? Math.max(0, ...[...byId.values()].map((a) => a.position)) + 1,
      conditions: f.conditions,
      actions: f.actions,
      default: false,
      created_at: '',
      updated_at: '',
    });
  });
  deactivations.forEach((raw, i) => {
    const path = `changes.deactivate[${i}]`;
    const id = known(raw, path);
    if (id === null) return;
    const refusal = byId.get(id)!.active ? permanenceRefusal(id, 'deactivate') : null;
    if (refusal) return problems.push({ path, description: refusal });
    byId.get(id)!.active = false;
  });
  deletions.forEach((raw, i) => {
    const path = `changes.delete[${i}]`;
    const id = known(raw, path);
    if (id === null) return;
    const refusal = permanenceRefusal(id, 'delete');
    if (refusal) return problems.push({ path, description: refusal });
    byId.delete(id);
  });
  return problems.length ? { ok: false, problems } : { ok: true, automations: [...byId.values()] };
};

import type { Trigger } from '@mailroom/rules-domain';

const asUserId = (raw: unknown): number | null => {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
};

/**
 * The users that trigger actions name by id (an email to user 42, assign to 7, copy 9): the rules
 * must know them even when they are end users. Agents and admins are loaded anyway.
 */
export const userIdsNamedByTriggers = (triggers: readonly Trigger[]): number[] => {
  const ids = new Set<number>();
  for (const t of triggers) {
    for (const a of t.actions) {
      const values = a.field === 'notification_user' ? [Array.isArray(a.value) ? a.value[0] : a.value] : a.field === 'assignee_id' || a.field === 'cc' ? (Array.isArray(a.value) ? a.value : [a.value]) : [];
      for (const v of values) {
        const id = asUserId(v);
        if (id !== null) ids.add(id);
      }
    }
  }
  return [...ids];
};

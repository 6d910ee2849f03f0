import type { Via } from '@mailroom/contracts';
import type { RuleContext } from './condition-handler';

/**
 * Reading the `value` of conditions and actions as Zendesk writes them: strings for everything,
 * "" for "none", keywords for people relative to the update.
 */

/** What `current_user` means on an update nobody made (rules, scheduler): equal to no one. */
export const NOBODY: unique symbol = Symbol('nobody');

export type Reference = 'current_user' | 'requester_id';

type Parsed<T> = { value: T } | { problem: string };

const isNone = (raw: unknown): boolean => raw === '' || raw === null;

export const parseEnum = (
  raw: unknown,
  values: readonly string[],
  label: string,
  optional: boolean,
): Parsed<string | null> => {
  if (optional && isNone(raw)) return { value: null };
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  if (text !== undefined && values.includes(text)) return { value: text };
  return { problem: `${JSON.stringify(raw ?? null)} is not a ${label} (${optional ? '"", ' : ''}${values.join(', ')})` };
};

export const parseId = (raw: unknown): number | undefined => {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) return raw;
  if (typeof raw === 'string' && /^\d{1,15}$/.test(raw.trim())) {
    const n = Number(raw.trim());
    return n > 0 ? n : undefined;
  }
  return undefined;
};

/** A user, group or organization reference: "" for none, an id, or a keyword relative to the update. */
export const parseReference = (
  raw: unknown,
  ctx: RuleContext,
  label: string,
  keywords: readonly Reference[],
): Parsed<number | null | typeof NOBODY> => {
  if (isNone(raw)) return { value: null };
  if (raw === 'current_user' && keywords.includes('current_user')) {
    return { value: ctx.update.actor.userId ?? NOBODY };
  }
  if (raw === 'requester_id' && keywords.includes('requester_id')) return { value: ctx.ticket.requesterId };
  const id = parseId(raw);
  if (id !== undefined) return { value: id };
  const allowed = ['"" (none)', 'an id', ...keywords].join(', ');
  return { problem: `${JSON.stringify(raw ?? null)} is not a valid ${label} (${allowed})` };
};

const tagCache = new Map<string, readonly string[]>();

/**
 * Tags as Zendesk takes them: a space-separated string or a list; lower-cased, no duplicates.
 * The result may be shared between calls: copy it before changing it.
 */
export const parseTags = (raw: unknown): readonly string[] => {
  if (typeof raw === 'string') {
    const known = tagCache.get(raw);
    if (known) return known;
    const tags = splitTags([raw]);
    if (tagCache.size >= 4096) tagCache.clear();
    tagCache.set(raw, tags);
    return tags;
  }
  return splitTags(Array.isArray(raw) ? raw.filter((t) => typeof t === 'string') : []);
};

const splitTags = (items: string[]): readonly string[] => {
  const tags = items.flatMap((t: string) => t.split(/\s+/)).map((t) => t.trim().toLowerCase());
  return Object.freeze([...new Set(tags.filter((t) => t.length > 0))]);
};

/** Zendesk's via ids for the channels Mailroom has. */
export const VIA_IDS: Readonly<Record<Via['channel'], number | null>> = {
  web: 0,
  email: 4,
  api: 5,
  rule: 8,
  closed_ticket: 27,
  // The system's own updates have no Zendesk channel id; no via_id condition names them.
  system: null,
};

const VIA_NAMES: Readonly<Record<string, number>> = {
  web_form: 0,
  web: 0,
  mail: 4,
  email: 4,
  web_service: 5,
  api: 5,
  rule: 8,
  closed_ticket: 27,
};

export const parseViaId = (raw: unknown): Parsed<number> => {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) return { value: raw };
  if (typeof raw === 'string') {
    const text = raw.trim().toLowerCase();
    if (/^\d{1,6}$/.test(text)) return { value: Number(text) };
    if (text in VIA_NAMES) return { value: VIA_NAMES[text] };
  }
  return { problem: `${JSON.stringify(raw ?? null)} is not a channel id (e.g. 4 for email, 5 for API)` };
};

/** A count condition's value (`reopens`, `replies`): a whole number, given as a number or digits. */
export const parseCount = (raw: unknown): Parsed<number> => {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) return { value: raw };
  if (typeof raw === 'string' && /^\d{1,9}$/.test(raw.trim())) return { value: Number(raw.trim()) };
  return { problem: `${JSON.stringify(raw ?? null)} is not a whole number` };
};

/** A yes-or-no value as Zendesk writes it: true/false, as booleans or strings. */
export const parseBoolean = (raw: unknown, label: string): Parsed<boolean> => {
  if (typeof raw === 'boolean') return { value: raw };
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (text === 'true' || text === 'yes') return { value: true };
  if (text === 'false' || text === 'no') return { value: false };
  return { problem: `${JSON.stringify(raw ?? null)} is not a ${label} value (true, false)` };
};

import type { OrganizationEvent, OrganizationUpdatedV1 } from '@mailroom/contracts';
import type { Decided } from './group';

/** Organizations: validation, decide and evolve over one stream each. Pure. */

export interface OrganizationState {
  exists: boolean;
  deleted: boolean;
  id: number;
  name: string;
  domainNames: string[];
  details: string;
  notes: string;
  tags: string[];
  sharedTickets: boolean;
  sharedComments: boolean;
  groupId: number | null;
  externalId: string | null;
}

export const initialOrganizationState = (): OrganizationState => ({
  exists: false,
  deleted: false,
  id: 0,
  name: '',
  domainNames: [],
  details: '',
  notes: '',
  tags: [],
  sharedTickets: false,
  sharedComments: false,
  groupId: null,
  externalId: null,
});

export const evolveOrganization = (s: OrganizationState, e: OrganizationEvent): OrganizationState => {
  switch (e.type) {
    case 'organization.created': {
      const { organizationId, createdAt: _c, ...rest } = e.data;
      return { ...initialOrganizationState(), ...rest, exists: true, id: organizationId };
    }
    case 'organization.updated': {
      const { organizationId: _id, updatedAt: _u, ...rest } = e.data;
      const patch = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
      return { ...s, ...patch };
    }
    case 'organization.deleted':
      return { ...s, deleted: true };
    default: {
      const _exhaustive: never = e;
      return _exhaustive;
    }
  }
};

export interface OrganizationInput {
  name?: string;
  domainNames?: string[];
  details?: string;
  notes?: string;
  tags?: string[];
  sharedTickets?: boolean;
  sharedComments?: boolean;
  groupId?: number | null;
  externalId?: string | null;
}

const fail = (field: string, description: string): Decided<never> => ({ ok: false, error: { field, description } });

// A host name: labels of letters, digits and hyphens, at least one dot, no leading/trailing hyphen.
const DOMAIN = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

export const MAX_DOMAIN_NAMES = 200;

/** Lower-cases and checks domain names; accepts an array or Zendesk's space/comma separated text. */
export const normaliseDomainNames = (raw: unknown): Decided<string[]> => {
  if (raw === null) return { ok: true, value: [] };
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/).filter(Boolean) : null;
  if (!list || !list.every((d) => typeof d === 'string')) return fail('domain_names', 'Domain names: must be a list of domains');
  const out: string[] = [];
  for (const d of list as string[]) {
    const domain = d.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
    if (!DOMAIN.test(domain)) return fail('domain_names', `Domain names: ${d} is not a valid domain`);
    if (!out.includes(domain)) out.push(domain);
  }
  if (out.length > MAX_DOMAIN_NAMES) return fail('domain_names', `Domain names: at most ${MAX_DOMAIN_NAMES}`);
  return { ok: true, value: out };
};

const text = (field: string, label: string, v: unknown, max: number): Decided<string | undefined> => {
  if (v === undefined) return { ok: true, value: undefined };
  if (v === null) return { ok: true, value: '' };
  if (typeof v !== 'string') return fail(field, `${label}: must be text`);
  if (v.length > max) return fail(field, `${label}: is too long (maximum is ${max} characters)`);
  return { ok: true, value: v };
};

const bool = (field: string, label: string, v: unknown): Decided<boolean | undefined> => {
  if (v === undefined) return { ok: true, value: undefined };
  if (typeof v !== 'boolean') return fail(field, `${label}: must be true or false`);
  return { ok: true, value: v };
};

/** Validates `{organization: {...}}` for POST (name required) or PUT (any subset). */
export const parseOrganizationInput = (raw: unknown, creating: boolean): Decided<OrganizationInput> => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return fail('base', 'The body must be {"organization": {...}}');
  const o = raw as Record<string, unknown>;
  const out: OrganizationInput = {};
  if (o.name !== undefined || creating) {
    if (typeof o.name !== 'string' || !o.name.trim()) return fail('name', 'Name: cannot be blank');
    if (o.name.trim().length > 255) return fail('name', 'Name: is too long (maximum is 255 characters)');
    out.name = o.name.trim();
  }
  if (o.domain_names !== undefined) {
    const d = normaliseDomainNames(o.domain_names);
    if (!d.ok) return d;
    out.domainNames = d.value;
  }
  for (const [field, label, key, max] of [
    ['details', 'Details', 'details', 65_535],
    ['notes', 'Notes', 'notes', 65_535],
  ] as const) {
    const t = text(field, label, o[field], max);
    if (!t.ok) return t;
    if (t.value !== undefined) out[key] = t.value;
  }
  if (o.tags !== undefined) {
    const tags = o.tags === null ? [] : Array.isArray(o.tags) ? o.tags : typeof o.tags === 'string' ? o.tags.split(/[\s,]+/).filter(Boolean) : null;
    if (!tags || !tags.every((t) => typeof t === 'string')) return fail('tags', 'Tags: must be a list of strings');
    out.tags = [...new Set((tags as string[]).map((t) => t.trim().toLowerCase()).filter(Boolean))];
  }
  const shared = bool('shared_tickets', 'Shared tickets', o.shared_tickets);
  if (!shared.ok) return shared;
  if (shared.value !== undefined) out.sharedTickets = shared.value;
  const comments = bool('shared_comments', 'Shared comments', o.shared_comments);
  if (!comments.ok) return comments;
  if (comments.value !== undefined) out.sharedComments = comments.value;
  if (o.group_id !== undefined) {
    if (o.group_id === null || o.group_id === '') out.groupId = null;
    else {
      const n = Number(o.group_id);
      if (!Number.isSafeInteger(n) || n < 1) return fail('group_id', 'Group: is not a valid id');
      out.groupId = n;
    }
  }
  if (o.external_id !== undefined) {
    if (o.external_id !== null && typeof o.external_id !== 'string' && typeof o.external_id !== 'number') return fail('external_id', 'External id: must be text');
    out.externalId = o.external_id === null || o.external_id === '' ? null : String(o.external_id);
  }
  return { ok: true, value: out };
};

export const decideOrganizationCreate = (id: number, input: OrganizationInput, now: string): OrganizationEvent[] => [
  {
    type: 'organization.created',
    data: {
      organizationId: id,
      name: input.name!,
      domainNames: input.domainNames ?? [],
      details: input.details ?? '',
      notes: input.notes ?? '',
      tags: input.tags ?? [],
      sharedTickets: input.sharedTickets ?? false,
      sharedComments: input.sharedComments ?? false,
      groupId: input.groupId ?? null,
      externalId: input.externalId ?? null,
      createdAt: now,
    },
  },
];

const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Only what changed is recorded; nothing changed, no event. */
export const decideOrganizationUpdate = (s: OrganizationState, input: OrganizationInput, now: string): OrganizationEvent[] => {
  const data: OrganizationUpdatedV1 = { organizationId: s.id, updatedAt: now };
  if (input.name !== undefined && input.name !== s.name) data.name = input.name;
  if (input.domainNames !== undefined && !sameList(input.domainNames, s.domainNames)) data.domainNames = input.domainNames;
  if (input.details !== undefined && input.details !== s.details) data.details = input.details;
  if (input.notes !== undefined && input.notes !== s.notes) data.notes = input.notes;
  if (input.tags !== undefined && !sameList(input.tags, s.tags)) data.tags = input.tags;
  if (input.sharedTickets !== undefined && input.sharedTickets !== s.sharedTickets) data.sharedTickets = input.sharedTickets;
  if (input.sharedComments !== undefined && input.sharedComments !== s.sharedComments) data.sharedComments = input.sharedComments;
  if (input.groupId !== undefined && input.groupId !== s.groupId) data.groupId = input.groupId;
  if (input.externalId !== undefined && input.externalId !== s.externalId) data.externalId = input.externalId;
  return Object.keys(data).length === 2 ? [] : [{ type: 'organization.updated', data }];
};

/** The domain part of an email address, lower-case; null without one. */
export const emailDomain = (email: string | null | undefined): string | null => {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  return at < 1 || at === email.length - 1 ? null : email.slice(at + 1).trim().toLowerCase();
};

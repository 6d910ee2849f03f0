import type { GroupEvent, Message, OrganizationEvent } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';

/**
 * The read models of groups, memberships and organizations, in Zendesk's v2 shapes (without `url`,
 * added at the edge). Applied inline by the writer (read-your-writes) and by a log processor with
 * its own checkpoint (catch-up, rebuild). A row only takes the next version of its stream, so
 * replays and the second writer do nothing; deleted groups and organizations stay as tombstones so
 * a replayed creation cannot bring them back.
 */
export const PEOPLE_READ_MODEL = 'ticket-people-read-model';

export interface GroupRow {
  id: number;
  name: string;
  description: string;
  default: boolean;
  deleted: boolean;
  is_public: boolean;
  created_at: string;
  updated_at: string;
}

export interface MembershipRow {
  id: number;
  user_id: number;
  group_id: number;
  default: boolean;
  created_at: string;
  updated_at: string;
}

export interface OrganizationRow {
  id: number;
  name: string;
  domain_names: string[];
  details: string;
  notes: string;
  tags: string[];
  shared_tickets: boolean;
  shared_comments: boolean;
  group_id: number | null;
  external_id: string | null;
  organization_fields: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

const isGroupEvent = (type: string): boolean => type.startsWith('group.') || type.startsWith('group_membership.');

export const applyPeopleEvents = async (tx: Db, messages: Message[]): Promise<void> => {
  for (const m of messages) {
    if (m.kind !== 'event') continue;
    if (isGroupEvent(m.type)) await applyGroupEvent(tx, m, { type: m.type, data: m.data } as GroupEvent);
    else if (m.type.startsWith('organization.')) await applyOrganizationEvent(tx, m, { type: m.type, data: m.data } as OrganizationEvent);
  }
};

/** What a group event does to a membership row (kept in the group's stream, so it shares its version). */
export type MembershipChange = { insert: MembershipRow } | { delete: number } | { patch: { id: number; default: boolean; updated_at: string } };

/**
 * A group's row after one of its events, and what it does to a membership. Pure: shared by the
 * live path (row locked, next version only) and the rebuild (folded in memory). Null: the event
 * does not apply (a creation over an existing row, a change to a group never created).
 */
export const evolveGroup = (row: GroupRow | null, e: GroupEvent): { row: GroupRow; membership: MembershipChange | null } | null => {
  if (e.type === 'group.created') {
    if (row) return null;
    return { row: { id: e.data.groupId, name: e.data.name, description: e.data.description, default: e.data.isDefault, deleted: false, is_public: true, created_at: e.data.createdAt, updated_at: e.data.createdAt }, membership: null };
  }
  if (!row) return null;
  switch (e.type) {
    case 'group.updated':
      return { row: { ...row, name: e.data.name ?? row.name, description: e.data.description ?? row.description, default: e.data.isDefault ?? row.default, updated_at: e.data.updatedAt }, membership: null };
    case 'group.deleted':
      return { row: { ...row, deleted: true, default: false, updated_at: e.data.deletedAt }, membership: null };
    case 'group_membership.created':
      return {
        row,
        membership: { insert: { id: e.data.membershipId, user_id: e.data.userId, group_id: e.data.groupId, default: e.data.isDefault, created_at: e.data.createdAt, updated_at: e.data.createdAt } },
      };
    case 'group_membership.deleted':
      return { row, membership: { delete: e.data.membershipId } };
    case 'group_membership.default_changed':
      return { row, membership: { patch: { id: e.data.membershipId, default: e.data.isDefault, updated_at: e.data.updatedAt } } };
  }
};

/** An organization's row after one of its events (pure, shared with the rebuild); `deleted` is the column. */
export const evolveOrganization = (row: OrganizationRow | null, e: OrganizationEvent): { row: OrganizationRow; deleted: boolean } | null => {
  if (e.type === 'organization.created') {
    if (row) return null;
    const d = e.data;
    return {
      row: {
        id: d.organizationId,
        name: d.name,
        domain_names: d.domainNames,
        details: d.details,
        notes: d.notes,
        tags: d.tags,
        shared_tickets: d.sharedTickets,
        shared_comments: d.sharedComments,
        group_id: d.groupId,
        external_id: d.externalId,
        organization_fields: {},
        created_at: d.createdAt,
        updated_at: d.createdAt,
      },
      deleted: false,
    };
  }
  if (!row) return null;
  if (e.type === 'organization.updated') {
    const d = e.data;
    return {
      row: {
        ...row,
        name: d.name ?? row.name,
        domain_names: d.domainNames ?? row.domain_names,
        details: d.details ?? row.details,
        notes: d.notes ?? row.notes,
        tags: d.tags ?? row.tags,
        shared_tickets: d.sharedTickets ?? row.shared_tickets,
        shared_comments: d.sharedComments ?? row.shared_comments,
        group_id: d.groupId !== undefined ? d.groupId : row.group_id,
        external_id: d.externalId !== undefined ? d.externalId : row.external_id,
        updated_at: d.updatedAt,
      },
      deleted: false,
    };
  }
  return { row: { ...row, updated_at: e.data.deletedAt }, deleted: true };
};

const applyGroupEvent = async (tx: Db, m: Message, e: GroupEvent): Promise<void> => {
  const groupId = e.data.groupId;
  if (e.type === 'group.created') {
    const { row } = evolveGroup(null, e)!;
    await tx.query(`INSERT INTO ticket.groups (id, version, is_default, data) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`, [groupId, m.streamVersion, row.default, JSON.stringify(row)]);
    return;
  }
  const rows = await tx.query<{ version: string; data: GroupRow }>(`SELECT version, data FROM ticket.groups WHERE id = $1 FOR UPDATE`, [groupId]);
  if (rows.length === 0 || Number(rows[0].version) + 1 !== m.streamVersion) return;
  const { row, membership } = evolveGroup(rows[0].data, e)!;
  if (membership && 'insert' in membership) {
    const mrow = membership.insert;
    await tx.query(`INSERT INTO ticket.group_memberships (id, group_id, user_id, data) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`, [mrow.id, mrow.group_id, mrow.user_id, JSON.stringify(mrow)]);
  } else if (membership && 'delete' in membership) {
    await tx.query(`DELETE FROM ticket.group_memberships WHERE id = $1`, [membership.delete]);
  } else if (membership) {
    await tx.query(`UPDATE ticket.group_memberships SET data = data || jsonb_build_object('default', $2::boolean, 'updated_at', $3::text) WHERE id = $1`, [
      membership.patch.id,
      membership.patch.default,
      membership.patch.updated_at,
    ]);
  }
  await tx.query(`UPDATE ticket.groups SET version = $2, deleted = $3, is_default = $4, data = $5 WHERE id = $1`, [groupId, m.streamVersion, row.deleted, row.default, JSON.stringify(row)]);
};

const applyOrganizationEvent = async (tx: Db, m: Message, e: OrganizationEvent): Promise<void> => {
  const id = e.data.organizationId;
  if (e.type === 'organization.created') {
    const { row } = evolveOrganization(null, e)!;
    await tx.query(`INSERT INTO ticket.organizations (id, version, data) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`, [id, m.streamVersion, JSON.stringify(row)]);
    return;
  }
  const rows = await tx.query<{ version: string; data: OrganizationRow }>(`SELECT version, data FROM ticket.organizations WHERE id = $1 FOR UPDATE`, [id]);
  if (rows.length === 0 || Number(rows[0].version) + 1 !== m.streamVersion) return;
  const { row, deleted } = evolveOrganization(rows[0].data, e)!;
  await tx.query(`UPDATE ticket.organizations SET version = $2, deleted = $3, data = $4 WHERE id = $1`, [id, m.streamVersion, deleted, JSON.stringify(row)]);
};

/** Empties these read models, for a rebuild from the log (reset the processor's checkpoint too). */
export const resetPeopleReadModel = async (tx: Db): Promise<void> => {
  await tx.query(`TRUNCATE ticket.groups, ticket.group_memberships, ticket.organizations`);
};

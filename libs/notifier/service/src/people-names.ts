import type { GroupCreatedV1, GroupUpdatedV1, Message, OrganizationCreatedV1, OrganizationUpdatedV1 } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { RetryLater } from '@mailroom/messaging';
import type { ViewOrganization } from '@mailroom/notifier-domain';

/**
 * The notifier's own view of group and organization names, for `{{ticket.group.name}}` and
 * `{{ticket.organization.*}}`. Each group and organization is one stream; its events are applied
 * in stream order (a group's memberships only move the version), so a gap waits for the earlier
 * event. Deleted ones keep their name: a ticket mailed about later still shows it.
 */
export class NamesOutOfOrder extends RetryLater {}

export const isPeopleNameEvent = (m: Message): boolean => m.type.startsWith('group.') || m.type.startsWith('group_membership.') || m.type.startsWith('organization.');

type StoredOrganization = Omit<ViewOrganization, 'id'>;

const orgData = (d: Partial<OrganizationCreatedV1 & OrganizationUpdatedV1>): Partial<StoredOrganization> => {
  const out: Partial<StoredOrganization> = {};
  if (d.name !== undefined) out.name = d.name;
  if (d.externalId !== undefined) out.externalId = d.externalId;
  if (d.details !== undefined) out.details = d.details;
  if (d.notes !== undefined) out.notes = d.notes;
  if (d.tags !== undefined) out.tags = d.tags;
  if (d.sharedTickets !== undefined) out.isShared = d.sharedTickets;
  if (d.sharedComments !== undefined) out.isSharedComments = d.sharedComments;
  return out;
};

/** Applies one group, membership or organization event; in the caller's (inbox) transaction. */
export const applyPeopleNameEvent = async (tx: Db, m: Message): Promise<void> => {
  const isOrg = m.type.startsWith('organization.');
  const table = isOrg ? 'notifier.organizations' : 'notifier.groups';
  const id = isOrg ? (m.data as { organizationId: number }).organizationId : (m.data as { groupId: number }).groupId;
  const rows = await tx.query<{ version: string }>(`SELECT version FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
  const version = rows.length ? Number(rows[0].version) : 0;
  if (m.streamVersion <= version) return; // seen already
  if (m.streamVersion !== version + 1) throw new NamesOutOfOrder(`${m.type} ${id}: got version ${m.streamVersion}, expected ${version + 1}`);
  await tx.query(`INSERT INTO ${table} (id, version) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET version = $2`, [id, m.streamVersion]);
  switch (m.type) {
    case 'group.created':
    case 'group.updated': {
      const name = (m.data as GroupCreatedV1 | GroupUpdatedV1).name;
      if (name !== undefined) await tx.query(`UPDATE notifier.groups SET name = $2 WHERE id = $1`, [id, name]);
      return;
    }
    case 'group.deleted':
      await tx.query(`UPDATE notifier.groups SET deleted = true WHERE id = $1`, [id]);
      return;
    case 'organization.created':
    case 'organization.updated':
      await tx.query(`UPDATE notifier.organizations SET data = data || $2::jsonb WHERE id = $1`, [id, JSON.stringify(orgData(m.data as OrganizationUpdatedV1))]);
      return;
    case 'organization.deleted':
      await tx.query(`UPDATE notifier.organizations SET deleted = true WHERE id = $1`, [id]);
      return;
    default:
      return; // memberships: the version moved, nothing else the notifier shows
  }
};

/**
 * The group's name and the organizations named by a notification. A group or organization the
 * notifier has not heard of yet means its events are still on the way: retry rather than render
 * an empty name.
 */
export const loadPeopleNames = async (
  tx: Db,
  ticketId: number,
  groupId: number | null,
  organizationIds: readonly number[],
): Promise<{ groupName: string | null; organization: (id: number | null | undefined) => ViewOrganization | null }> => {
  let groupName: string | null = null;
  if (groupId !== null) {
    const rows = await tx.query<{ name: string | null }>(`SELECT name FROM notifier.groups WHERE id = $1`, [groupId]);
    if (!rows.length || rows[0].name === null) throw new NamesOutOfOrder(`ticket ${ticketId}: group ${groupId} not projected yet`);
    groupName = rows[0].name;
  }
  const wanted = [...new Set(organizationIds)];
  const orgs = new Map<number, ViewOrganization>();
  if (wanted.length) {
    const rows = await tx.query<{ id: string; data: StoredOrganization }>(`SELECT id, data FROM notifier.organizations WHERE id = ANY($1::bigint[])`, [wanted]);
    for (const r of rows) if (r.data.name !== undefined) orgs.set(Number(r.id), { id: Number(r.id), ...r.data });
    const unknown = wanted.filter((id) => !orgs.has(id));
    if (unknown.length) throw new NamesOutOfOrder(`ticket ${ticketId}: organizations ${unknown.join(', ')} not projected yet`);
  }
  return { groupName, organization: (id) => (id === null || id === undefined ? null : (orgs.get(id) ?? null)) };
};

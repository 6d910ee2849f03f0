import type { Db } from '@mailroom/database';

/**
 * What business rules ask about people, from the ticket service's read models: the agents of a
 * group (`notification_group`), a user's organization (`organization_id` conditions), names for
 * placeholders. Another service should rather keep its own projection of the group_membership.*,
 * organization.* and user.* events, which carry all of this; this is for code in this process.
 */
export const groupMemberIds = async (db: Db, groupId: number): Promise<number[]> =>
  (
    await db.query<{ user_id: string }>(
      `SELECT m.user_id FROM ticket.group_memberships m JOIN ticket.groups g ON g.id = m.group_id
       WHERE m.group_id = $1 AND NOT g.deleted ORDER BY m.user_id`,
      [groupId],
    )
  ).map((r) => Number(r.user_id));

export const organizationIdOf = async (db: Db, userId: number): Promise<number | null> => {
  const rows = await db.query<{ organization_id: string | null }>(`SELECT data->>'organization_id' AS organization_id FROM ticket.users WHERE id = $1`, [userId]);
  return rows[0]?.organization_id ? Number(rows[0].organization_id) : null;
};

export const groupName = async (db: Db, groupId: number): Promise<string | null> =>
  (await db.query<{ name: string }>(`SELECT data->>'name' AS name FROM ticket.groups WHERE id = $1`, [groupId]))[0]?.name ?? null;

export const organizationName = async (db: Db, organizationId: number): Promise<string | null> =>
  (await db.query<{ name: string }>(`SELECT data->>'name' AS name FROM ticket.organizations WHERE id = $1 AND NOT deleted`, [organizationId]))[0]?.name ?? null;

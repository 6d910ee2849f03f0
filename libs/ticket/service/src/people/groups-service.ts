import { groupStreamId, type Actor, type GroupEvent, type NewMessage } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { EventStore } from '@mailroom/event-store';
import { decideAddMember, decideGroupDelete, decideGroupUpdate, decideMembershipDefault, decideRemoveMember, evolveGroup, initialGroupState, type Decided, type GroupInput, type GroupState } from './group';
import { applyPeopleEvents, type GroupRow, type MembershipRow } from './people-projection';

/** A refusal to show as a 422 (or 404 for `RecordNotFound`), raised by the people services. */
export class PeopleInputError extends Error {
  constructor(readonly field: string, readonly description: string) {
    super(description);
  }
}

export const unwrap = <T>(d: Decided<T>): T => {
  if (!d.ok) throw new PeopleInputError(d.error.field, d.error.description);
  return d.value;
};

/** Serialises changes of the account's default group (one default while groups exist). */
const DEFAULT_GROUP_LOCK = 7261010;

const nameKey = (name: string): string => name.trim().toLowerCase();

/**
 * Groups and memberships: each group is one event stream (its memberships included), appended with
 * the expected version; group names stay unique through ticket.group_names, written in the same
 * transaction. The read model is updated inline, so the API reads its own writes.
 */
export class GroupsService {
  constructor(private readonly store: EventStore) {}

  async load(db: Db, groupId: number): Promise<{ state: GroupState; version: number }> {
    const messages = await this.store.readStream(db, groupStreamId(groupId));
    let state = initialGroupState();
    for (const m of messages) state = evolveGroup(state, { type: m.type, data: m.data } as GroupEvent);
    return { state, version: messages.length ? messages[messages.length - 1].streamVersion : 0 };
  }

  private async append(tx: Db, groupId: number, expected: number | 'no_stream', events: GroupEvent[], actor: Actor, now: string): Promise<void> {
    if (events.length === 0) return;
    const { messages } = await this.store.append(tx, groupStreamId(groupId), 'group', expected, events as NewMessage[], { actor, occurredAt: now });
    await applyPeopleEvents(tx, messages);
  }

  private async claimName(tx: Db, name: string, groupId: number): Promise<void> {
    const claimed = await tx.query(`INSERT INTO ticket.group_names (name_key, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [nameKey(name), groupId]);
    if (claimed.length === 0) throw new PeopleInputError('name', `Name: ${name} has already been taken`);
  }

  /** Takes the default flag from the current default group (when it is another one). */
  private async clearDefault(tx: Db, except: number, actor: Actor, now: string): Promise<void> {
    const rows = await tx.query<{ id: string }>(`SELECT id FROM ticket.groups WHERE is_default AND NOT deleted AND id <> $1`, [except]);
    for (const r of rows) {
      const { state, version } = await this.load(tx, Number(r.id));
      if (state.isDefault) await this.append(tx, state.id, version, [{ type: 'group.updated', data: { groupId: state.id, isDefault: false, updatedAt: now } }], actor, now);
    }
  }

  async create(tx: Db, input: GroupInput, actor: Actor, now: string): Promise<GroupRow> {
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [DEFAULT_GROUP_LOCK]);
    const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval('ticket.group_ids') AS id`);
    const groupId = Number(id);
    await this.claimName(tx, input.name!, groupId);
    const [{ n }] = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.groups WHERE is_default AND NOT deleted`);
    const isDefault = Number(n) === 0 || input.default === true;
    if (isDefault) await this.clearDefault(tx, groupId, actor, now);
    await this.append(tx, groupId, 'no_stream', [{ type: 'group.created', data: { groupId, name: input.name!, description: input.description ?? '', isDefault, createdAt: now } }], actor, now);
    return (await this.row(tx, groupId))!;
  }

  async update(tx: Db, groupId: number, input: GroupInput, actor: Actor, now: string): Promise<GroupRow | null> {
    if (input.default === true) await tx.query(`SELECT pg_advisory_xact_lock($1)`, [DEFAULT_GROUP_LOCK]);
    const { state, version } = await this.load(tx, groupId);
    if (!state.exists || state.deleted) return null;
    const events = unwrap(decideGroupUpdate(state, input, now));
    const renamed = events.find((e) => e.type === 'group.updated' && e.data.name !== undefined);
    if (renamed && nameKey(input.name!) !== nameKey(state.name)) {
      await tx.query(`DELETE FROM ticket.group_names WHERE name_key = $1 AND group_id = $2`, [nameKey(state.name), groupId]);
      await this.claimName(tx, input.name!, groupId);
    }
    if (events.some((e) => e.type === 'group.updated' && e.data.isDefault === true)) await this.clearDefault(tx, groupId, actor, now);
    await this.append(tx, groupId, version, events, actor, now);
    return this.row(tx, groupId);
  }

  /** Soft delete, as Zendesk does: the group keeps its id and shows `deleted: true`; its memberships end. */
  async delete(tx: Db, groupId: number, actor: Actor, now: string): Promise<boolean> {
    const { state, version } = await this.load(tx, groupId);
    if (!state.exists || state.deleted) return false;
    const events = unwrap(decideGroupDelete(state, now));
    await tx.query(`DELETE FROM ticket.group_names WHERE group_id = $1`, [groupId]);
    await this.append(tx, groupId, version, events, actor, now);
    // Members whose default this group was take their next membership as the default.
    for (const m of state.members.filter((x) => x.isDefault)) await this.moveDefault(tx, m.userId, actor, now);
    return true;
  }

  async addMember(tx: Db, input: { userId: number; groupId: number }, actor: Actor, now: string): Promise<MembershipRow> {
    // One membership change per user at a time, so a user's first membership is their only default.
    const users = await tx.query<{ role: string }>(`SELECT role FROM ticket.users WHERE id = $1 FOR UPDATE`, [input.userId]);
    if (users.length === 0) throw new PeopleInputError('user_id', 'User: does not exist');
    const { state, version } = await this.load(tx, input.groupId);
    const [{ n }] = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.group_memberships WHERE user_id = $1`, [input.userId]);
    const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval('ticket.group_membership_ids') AS id`);
    const decision = unwrap(decideAddMember(state, { userId: input.userId, userRole: users[0].role, membershipId: Number(id), hasOtherMemberships: Number(n) > 0 }, now));
    if (!decision.created) throw new PeopleInputError('user_id', 'User: is already a member of this group');
    await this.append(tx, input.groupId, version, decision.events, actor, now);
    return (await this.membership(tx, Number(id)))!;
  }

  async removeMember(tx: Db, membershipId: number, actor: Actor, now: string): Promise<boolean> {
    const m = await this.membership(tx, membershipId);
    if (!m) return false;
    await this.lockUser(tx, m.user_id);
    const { state, version } = await this.load(tx, m.group_id);
    const d = decideRemoveMember(state, membershipId, now);
    if (!d.ok) return false;
    await this.append(tx, m.group_id, version, d.value, actor, now);
    if (m.default) await this.moveDefault(tx, m.user_id, actor, now);
    return true;
  }

  /**
   * `PUT /users/{user_id}/group_memberships/{id}/make_default`: that membership becomes the
   * user's default group, the one that was is no longer. Null when the user has no such membership.
   */
  async makeDefault(tx: Db, userId: number, membershipId: number, actor: Actor, now: string): Promise<MembershipRow[] | null> {
    await this.lockUser(tx, userId);
    const mine = await this.membershipsOfUser(tx, userId);
    const target = mine.find((m) => m.id === membershipId);
    if (!target) return null;
    for (const m of mine) if (m.default && m.id !== membershipId) await this.setDefault(tx, m, false, actor, now);
    await this.setDefault(tx, target, true, actor, now);
    return this.membershipsOfUser(tx, userId);
  }

  /** One membership change per user at a time, so a user has one default membership. */
  private async lockUser(tx: Db, userId: number): Promise<void> {
    await tx.query(`SELECT 1 FROM ticket.users WHERE id = $1 FOR UPDATE`, [userId]);
  }

  private async setDefault(tx: Db, m: MembershipRow, isDefault: boolean, actor: Actor, now: string): Promise<void> {
    const { state, version } = await this.load(tx, m.group_id);
    await this.append(tx, m.group_id, version, unwrap(decideMembershipDefault(state, m.id, isDefault, now)), actor, now);
  }

  /** A user's default membership ended: their oldest remaining one becomes the default, as in Zendesk. */
  private async moveDefault(tx: Db, userId: number, actor: Actor, now: string): Promise<void> {
    const mine = await this.membershipsOfUser(tx, userId);
    if (mine.length === 0 || mine.some((m) => m.default)) return;
    await this.setDefault(tx, mine[0], true, actor, now);
  }

  /** Ends every membership of a user (an agent who becomes an end user leaves their groups). */
  async removeUserFromAllGroups(tx: Db, userId: number, actor: Actor, now: string): Promise<void> {
    for (const m of await this.membershipsOfUser(tx, userId)) await this.removeMember(tx, m.id, actor, now);
  }

  async row(db: Db, groupId: number): Promise<GroupRow | null> {
    const rows = await db.query<{ data: GroupRow }>(`SELECT data FROM ticket.groups WHERE id = $1`, [groupId]);
    return rows[0]?.data ?? null;
  }

  async list(db: Db, limit: number, offset: number): Promise<{ rows: GroupRow[]; count: number }> {
    const rows = await db.query<{ data: GroupRow }>(`SELECT data FROM ticket.groups WHERE NOT deleted ORDER BY id LIMIT $1 OFFSET $2`, [limit, offset]);
    const [{ n }] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.groups WHERE NOT deleted`);
    return { rows: rows.map((r) => r.data), count: Number(n) };
  }

  async membership(db: Db, id: number): Promise<MembershipRow | null> {
    const rows = await db.query<{ data: MembershipRow }>(`SELECT data FROM ticket.group_memberships WHERE id = $1`, [id]);
    return rows[0]?.data ?? null;
  }

  async membershipsOfUser(db: Db, userId: number): Promise<MembershipRow[]> {
    return (await db.query<{ data: MembershipRow }>(`SELECT data FROM ticket.group_memberships WHERE user_id = $1 ORDER BY id`, [userId])).map((r) => r.data);
  }

  /** Memberships, all or of one group or user, a page of them and the total. */
  async memberships(db: Db, filter: { groupId?: number; userId?: number }, limit: number, offset: number): Promise<{ rows: MembershipRow[]; count: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.groupId !== undefined) where.push(`group_id = $${params.push(filter.groupId)}`);
    if (filter.userId !== undefined) where.push(`user_id = $${params.push(filter.userId)}`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = await db.query<{ data: MembershipRow }>(`SELECT data FROM ticket.group_memberships ${clause} ORDER BY id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, limit, offset]);
    const [{ n }] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.group_memberships ${clause}`, params);
    return { rows: rows.map((r) => r.data), count: Number(n) };
  }
}

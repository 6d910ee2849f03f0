import { organizationStreamId, type Actor, type NewMessage, type OrganizationEvent } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { EventStore } from '@mailroom/event-store';
import type { UserRecord, Users } from '../users/users';
import { PeopleInputError } from './groups-service';
import { decideOrganizationCreate, decideOrganizationUpdate, evolveOrganization, initialOrganizationState, type OrganizationInput, type OrganizationState } from './organization';
import { applyPeopleEvents, type OrganizationRow } from './people-projection';

const nameKey = (name: string): string => name.trim().toLowerCase();

/**
 * Organizations: one stream each; names and email domains stay unique through
 * ticket.organization_names and ticket.organization_domains, written in the same transaction as
 * the event. The domain table is also what maps a new user to their organization (Users.create).
 */
export class OrganizationsService {
  constructor(
    private readonly store: EventStore,
    private readonly users: Users,
  ) {}

  async load(db: Db, id: number): Promise<{ state: OrganizationState; version: number }> {
    const messages = await this.store.readStream(db, organizationStreamId(id));
    let state = initialOrganizationState();
    for (const m of messages) state = evolveOrganization(state, { type: m.type, data: m.data } as OrganizationEvent);
    return { state, version: messages.length ? messages[messages.length - 1].streamVersion : 0 };
  }

  private async append(tx: Db, id: number, expected: number | 'no_stream', events: OrganizationEvent[], actor: Actor, now: string): Promise<void> {
    if (events.length === 0) return;
    const { messages } = await this.store.append(tx, organizationStreamId(id), 'organization', expected, events as NewMessage[], { actor, occurredAt: now });
    await applyPeopleEvents(tx, messages);
  }

  private async claimName(tx: Db, name: string, id: number): Promise<void> {
    const claimed = await tx.query(`INSERT INTO ticket.organization_names (name_key, organization_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [nameKey(name), id]);
    if (claimed.length === 0) throw new PeopleInputError('name', `Name: ${name} has already been taken`);
  }

  private async claimDomains(tx: Db, domains: string[], id: number): Promise<void> {
    for (const domain of domains) {
      const claimed = await tx.query(`INSERT INTO ticket.organization_domains (domain, organization_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [domain, id]);
      if (claimed.length === 0) {
        const [owner] = await tx.query<{ organization_id: string }>(`SELECT organization_id FROM ticket.organization_domains WHERE domain = $1`, [domain]);
        if (Number(owner?.organization_id) !== id) throw new PeopleInputError('domain_names', `Domain names: ${domain} already belongs to another organization`);
      }
    }
  }

  private async checkGroup(tx: Db, groupId: number | null | undefined): Promise<void> {
    if (groupId === undefined || groupId === null) return;
    const rows = await tx.query(`SELECT 1 FROM ticket.groups WHERE id = $1 AND NOT deleted`, [groupId]);
    if (rows.length === 0) throw new PeopleInputError('group_id', 'Group: does not exist');
  }

  async create(tx: Db, input: OrganizationInput, actor: Actor, now: string): Promise<OrganizationRow> {
    const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval('ticket.organization_ids') AS id`);
    const orgId = Number(id);
    await this.claimName(tx, input.name!, orgId);
    await this.claimDomains(tx, input.domainNames ?? [], orgId);
    await this.checkGroup(tx, input.groupId);
    await this.append(tx, orgId, 'no_stream', decideOrganizationCreate(orgId, input, now), actor, now);
    return (await this.row(tx, orgId))!;
  }

  /**
   * Updates what changed. New domains map users created from now on, as Zendesk does; users who
   * exist already keep their organization until it is set on them.
   */
  async update(tx: Db, id: number, input: OrganizationInput, actor: Actor, now: string): Promise<OrganizationRow | null> {
    const { state, version } = await this.load(tx, id);
    if (!state.exists || state.deleted) return null;
    const events = decideOrganizationUpdate(state, input, now);
    const e = events[0]?.type === 'organization.updated' ? events[0].data : null;
    if (e?.name !== undefined && nameKey(e.name) !== nameKey(state.name)) {
      await tx.query(`DELETE FROM ticket.organization_names WHERE name_key = $1 AND organization_id = $2`, [nameKey(state.name), id]);
      await this.claimName(tx, e.name, id);
    }
    if (e?.domainNames !== undefined) {
      const removed = state.domainNames.filter((d) => !e.domainNames!.includes(d));
      if (removed.length) await tx.query(`DELETE FROM ticket.organization_domains WHERE organization_id = $1 AND domain = ANY($2::text[])`, [id, removed]);
      await this.claimDomains(tx, e.domainNames.filter((d) => !state.domainNames.includes(d)), id);
    }
    if (e?.groupId !== undefined) await this.checkGroup(tx, e.groupId);
    await this.append(tx, id, version, events, actor, now);
    return this.row(tx, id);
  }

  /** Deletes the organization; its users no longer belong to one (tickets keep the id they had). */
  async delete(tx: Db, id: number, actor: Actor, now: string): Promise<boolean> {
    const { state, version } = await this.load(tx, id);
    if (!state.exists || state.deleted) return false;
    await tx.query(`DELETE FROM ticket.organization_names WHERE organization_id = $1`, [id]);
    await tx.query(`DELETE FROM ticket.organization_domains WHERE organization_id = $1`, [id]);
    await this.append(tx, id, version, [{ type: 'organization.deleted', data: { organizationId: id, deletedAt: now } }], actor, now);
    const members = await tx.query<{ id: string }>(`SELECT id FROM ticket.users WHERE (data->>'organization_id')::bigint = $1`, [id]);
    for (const m of members) await this.users.update(tx, Number(m.id), { organizationId: null }, actor, now);
    return true;
  }

  async exists(db: Db, id: number): Promise<boolean> {
    return (await db.query(`SELECT 1 FROM ticket.organizations WHERE id = $1 AND NOT deleted`, [id])).length > 0;
  }

  async row(db: Db, id: number): Promise<OrganizationRow | null> {
    const rows = await db.query<{ data: OrganizationRow }>(`SELECT data FROM ticket.organizations WHERE id = $1 AND NOT deleted`, [id]);
    return rows[0]?.data ?? null;
  }

  async list(db: Db, limit: number, offset: number): Promise<{ rows: OrganizationRow[]; count: number }> {
    const rows = await db.query<{ data: OrganizationRow }>(`SELECT data FROM ticket.organizations WHERE NOT deleted ORDER BY id LIMIT $1 OFFSET $2`, [limit, offset]);
    const [{ n }] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.organizations WHERE NOT deleted`);
    return { rows: rows.map((r) => r.data), count: Number(n) };
  }

  async members(db: Db, id: number, limit: number, offset: number): Promise<{ rows: UserRecord[]; count: number }> {
    const rows = await db.query<{ data: UserRecord }>(`SELECT data FROM ticket.users WHERE (data->>'organization_id')::bigint = $1 ORDER BY id LIMIT $2 OFFSET $3`, [id, limit, offset]);
    const [{ n }] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.users WHERE (data->>'organization_id')::bigint = $1`, [id]);
    return { rows: rows.map((r) => r.data), count: Number(n) };
  }
}

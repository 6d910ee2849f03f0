import type { Actor, UserRole } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { ApiError, invalid, notFound, type Page } from '@mailroom/http';
import type { TicketCommands } from '../commands/ticket-commands';
import type { UserChanges, UserRecord } from '../users/users';
import { parseGroupInput } from './group';
import { GroupsService, PeopleInputError, unwrap } from './groups-service';
import { parseOrganizationInput } from './organization';
import { OrganizationsService } from './organizations-service';
import type { GroupRow, MembershipRow, OrganizationRow } from './people-projection';

const actorOf = (u: UserRecord): Actor => ({ userId: u.id, role: u.role });

const positiveId = (field: string, v: unknown): number => {
  const n = Number(v);
  if (v === undefined || v === null || v === '' || !Number.isSafeInteger(n) || n < 1) throw invalid(field, `${field === 'user_id' ? 'User' : field === 'group_id' ? 'Group' : 'Organization'}: is not a valid id`);
  return n;
};

const bodyOf = (body: unknown, key: string): unknown => {
  const inner = (body as Record<string, unknown> | null)?.[key];
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw new ApiError(400, { error: 'InvalidRequest', description: `The body must be {"${key}": {...}}` });
  return inner;
};

/**
 * The Zendesk v2 endpoints for groups, group memberships, organizations and user updates, over
 * the people services. Bodies are validated here; refusals become Zendesk's 422 shape.
 */
export class PeopleApi {
  constructor(
    private readonly db: Db,
    private readonly commands: TicketCommands,
    readonly groups: GroupsService,
    readonly organizations: OrganizationsService,
    private readonly baseUrl: string,
    private readonly userJson: (u: UserRecord) => Record<string, unknown>,
  ) {}

  private async write<T>(work: (tx: Db, now: string) => Promise<T>): Promise<T> {
    try {
      return await this.commands.inTransaction((tx) => work(tx, new Date().toISOString()));
    } catch (err) {
      if (err instanceof PeopleInputError) throw err.description === 'RecordNotFound' ? notFound() : invalid(err.field, err.description);
      throw err;
    }
  }

  private links(path: string, p: Page, count: number): Record<string, unknown> {
    const link = (page: number) => `${this.baseUrl}/api/v2/${path}.json?page=${page}&per_page=${p.perPage}`;
    return { next_page: p.page * p.perPage < count ? link(p.page + 1) : null, previous_page: p.page > 1 ? link(p.page - 1) : null, count };
  }

  groupJson = (g: GroupRow): Record<string, unknown> => ({ url: `${this.baseUrl}/api/v2/groups/${g.id}.json`, ...g });
  membershipJson = (m: MembershipRow): Record<string, unknown> => ({ url: `${this.baseUrl}/api/v2/group_memberships/${m.id}.json`, ...m });
  organizationJson = (o: OrganizationRow): Record<string, unknown> => ({ url: `${this.baseUrl}/api/v2/organizations/${o.id}.json`, ...o });

  // Groups

  async listGroups(p: Page): Promise<Record<string, unknown>> {
    const { rows, count } = await this.groups.list(this.db, p.perPage, (p.page - 1) * p.perPage);
    return { groups: rows.map(this.groupJson), ...this.links('groups', p, count) };
  }

  async showGroup(id: number): Promise<Record<string, unknown>> {
    const g = await this.groups.row(this.db, id);
    if (!g) throw notFound();
    return { group: this.groupJson(g) };
  }

  async createGroup(body: unknown, by: UserRecord): Promise<Record<string, unknown>> {
    const input = unwrapInput(parseGroupInput(bodyOf(body, 'group'), true));
    const g = await this.write((tx, now) => this.groups.create(tx, input, actorOf(by), now));
    return { group: this.groupJson(g) };
  }

  async updateGroup(id: number, body: unknown, by: UserRecord): Promise<Record<string, unknown>> {
    const input = unwrapInput(parseGroupInput(bodyOf(body, 'group'), false));
    const g = await this.write((tx, now) => this.groups.update(tx, id, input, actorOf(by), now));
    if (!g) throw notFound();
    return { group: this.groupJson(g) };
  }

  async deleteGroup(id: number, by: UserRecord): Promise<void> {
    if (!(await this.write((tx, now) => this.groups.delete(tx, id, actorOf(by), now)))) throw notFound();
  }

  // Memberships

  async listMemberships(p: Page, filter: { groupId?: number; userId?: number }, path: string): Promise<Record<string, unknown>> {
    if (filter.groupId !== undefined && !(await this.groups.row(this.db, filter.groupId))) throw notFound();
    if (filter.userId !== undefined && !(await this.commands.users.byId(this.db, filter.userId))) throw notFound();
    const { rows, count } = await this.groups.memberships(this.db, filter, p.perPage, (p.page - 1) * p.perPage);
    return { group_memberships: rows.map(this.membershipJson), ...this.links(path, p, count) };
  }

  async showMembership(id: number, userId?: number): Promise<Record<string, unknown>> {
    const m = await this.groups.membership(this.db, id);
    if (!m || (userId !== undefined && m.user_id !== userId)) throw notFound();
    return { group_membership: this.membershipJson(m) };
  }

  async createMembership(body: unknown, by: UserRecord, userIdFromPath?: number): Promise<Record<string, unknown>> {
    const raw = bodyOf(body, 'group_membership') as Record<string, unknown>;
    const userId = userIdFromPath ?? positiveId('user_id', raw.user_id);
    const groupId = positiveId('group_id', raw.group_id);
    const m = await this.write((tx, now) => this.groups.addMember(tx, { userId, groupId }, actorOf(by), now));
    return { group_membership: this.membershipJson(m) };
  }

  async deleteMembership(id: number, by: UserRecord, userId?: number): Promise<void> {
    const m = await this.groups.membership(this.db, id);
    if (!m || (userId !== undefined && m.user_id !== userId)) throw notFound();
    if (!(await this.write((tx, now) => this.groups.removeMember(tx, id, actorOf(by), now)))) throw notFound();
  }
  /** Zendesk answers with the user's memberships after the change. */
  async makeDefaultMembership(userId: number, id: number, by: UserRecord): Promise<Record<string, unknown>> {
    const rows = await this.write((tx, now) => this.groups.makeDefault(tx, userId, id, actorOf(by), now));
    if (!rows) throw notFound();
    return { group_memberships: rows.map(this.membershipJson) };
  }


  // Organizations

  async listOrganizations(p: Page): Promise<Record<string, unknown>> {
    const { rows, count } = await this.organizations.list(this.db, p.perPage, (p.page - 1) * p.perPage);
    return { organizations: rows.map(this.organizationJson), ...this.links('organizations', p, count) };
  }

  async showOrganization(id: number): Promise<Record<string, unknown>> {
    const o = await this.organizations.row(this.db, id);
    if (!o) throw notFound();
    return { organization: this.organizationJson(o) };
  }

  async createOrganization(body: unknown, by: UserRecord): Promise<Record<string, unknown>> {
    const input = unwrapInput(parseOrganizationInput(bodyOf(body, 'organization'), true));
    const o = await this.write((tx, now) => this.organizations.create(tx, input, actorOf(by), now));
    return { organization: this.organizationJson(o) };
  }

  async updateOrganization(id: number, body: unknown, by: UserRecord): Promise<Record<string, unknown>> {
    const input = unwrapInput(parseOrganizationInput(bodyOf(body, 'organization'), false));
    const o = await this.write((tx, now) => this.organizations.update(tx, id, input, actorOf(by), now));
    if (!o) throw notFound();
    return { organization: this.organizationJson(o) };
  }

  async deleteOrganization(id: number, by: UserRecord): Promise<void> {
    if (!(await this.write((tx, now) => this.organizations.delete(tx, id, actorOf(by), now)))) throw notFound();
  }

  async organizationUsers(id: number, p: Page): Promise<Record<string, unknown>> {
    if (!(await this.organizations.row(this.db, id))) throw notFound();
    const { rows, count } = await this.organizations.members(this.db, id, p.perPage, (p.page - 1) * p.perPage);
    return { users: rows.map((u) => this.userJson(u)), ...this.links(`organizations/${id}/users`, p, count) };
  }

  // Users

  /**
   * PUT /api/v2/users/{id}: name, role (admins only; not one's own), organization_id and
   * undeliverable (false: the email is mailed again after bounces). Agents
   * may change end users only. An agent who becomes an end user leaves their groups.
   */
  async updateUser(id: number, body: unknown, by: UserRecord): Promise<Record<string, unknown>> {
    const raw = bodyOf(body, 'user') as Record<string, unknown>;
    const target = await this.commands.users.byId(this.db, id);
    if (!target) throw notFound();
    if (by.role !== 'admin' && target.role !== 'end_user' && target.id !== by.id) throw new ApiError(403, { error: 'Forbidden', description: 'Only admins can change agents and admins' });
    const changes: UserChanges = {};
    if (raw.name !== undefined) {
      if (typeof raw.name !== 'string') throw invalid('name', 'Name: must be text');
      changes.name = raw.name;
    }
    if (raw.role !== undefined) {
      const role = typeof raw.role === 'string' ? raw.role.toLowerCase().replace('-', '_') : '';
      if (!['end_user', 'agent', 'admin'].includes(role)) throw invalid('role', `Role: "${String(raw.role)}" is not one of end-user, agent, admin`);
      if (role !== target.role) {
        if (by.role !== 'admin') throw new ApiError(403, { error: 'Forbidden', description: 'Only admins can change roles' });
        if (target.id === by.id) throw invalid('role', 'Role: you cannot change your own role');
        changes.role = role as UserRole;
      }
    }
    if (raw.email !== undefined && raw.email !== target.email) throw invalid('email', 'Email: is changed through the user identities, not here');
    if (raw.organization_id !== undefined) {
      if (raw.organization_id === null || raw.organization_id === '') changes.organizationId = null;
      else {
        const orgId = positiveId('organization_id', raw.organization_id);
        if (!(await this.organizations.exists(this.db, orgId))) throw invalid('organization_id', 'Organization: does not exist');
        changes.organizationId = orgId;
      }
    }
    // Mailroom's extension: `undeliverable: false` marks a bounced email deliverable again (reference §6.5).
    if (raw.undeliverable !== undefined) {
      if (typeof raw.undeliverable !== 'boolean') throw invalid('undeliverable', 'Undeliverable: must be true or false');
      changes.undeliverable = raw.undeliverable;
    }
    const updated = await this.write(async (tx, now) => {
      const u = await this.commands.users.update(tx, id, changes, actorOf(by), now);
      if (changes.role === 'end_user') await this.groups.removeUserFromAllGroups(tx, id, actorOf(by), now);
      return u;
    });
    if (!updated) throw notFound();
    return { user: this.userJson(updated) };
  }
}

const unwrapInput = <T>(d: Parameters<typeof unwrap<T>>[0]): T => {
  try {
    return unwrap(d);
  } catch (err) {
    if (err instanceof PeopleInputError) throw err.field === 'base' ? new ApiError(400, { error: 'InvalidRequest', description: err.description }) : invalid(err.field, err.description);
    throw err;
  }
};

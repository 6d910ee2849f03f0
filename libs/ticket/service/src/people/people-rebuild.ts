import type { GroupEvent, Message, OrganizationEvent } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { ReadModelFold, ReadModelRebuild, RowWriter } from '@mailroom/event-store';
import { evolveGroup, evolveOrganization, PEOPLE_READ_MODEL, type GroupRow, type MembershipRow, type OrganizationRow } from './people-projection';

/** Groups, memberships and organizations folded in memory with the live path's `evolveGroup` and `evolveOrganization`. */
class PeopleReadModelFold implements ReadModelFold {
  private readonly groups = new Map<number, { version: number; row: GroupRow }>();
  private readonly memberships = new Map<number, MembershipRow>();
  private readonly organizations = new Map<number, { version: number; row: OrganizationRow; deleted: boolean }>();

  fold(m: Message): void {
    if (m.kind !== 'event') return;
    if (m.type.startsWith('group.') || m.type.startsWith('group_membership.')) this.group(m, { type: m.type, data: m.data } as GroupEvent);
    else if (m.type.startsWith('organization.')) {
      const e = { type: m.type, data: m.data } as OrganizationEvent;
      const current = this.organizations.get(e.data.organizationId);
      if (e.type !== 'organization.created' && (!current || current.version + 1 !== m.streamVersion)) return;
      const next = evolveOrganization(current?.row ?? null, e);
      if (next) this.organizations.set(e.data.organizationId, { version: m.streamVersion, ...next });
    }
  }

  private group(m: Message, e: GroupEvent): void {
    const current = this.groups.get(e.data.groupId);
    if (e.type !== 'group.created' && (!current || current.version + 1 !== m.streamVersion)) return;
    const next = evolveGroup(current?.row ?? null, e);
    if (!next) return;
    this.groups.set(e.data.groupId, { version: m.streamVersion, row: next.row });
    const change = next.membership;
    if (!change) return;
    if ('insert' in change) {
      if (!this.memberships.has(change.insert.id)) this.memberships.set(change.insert.id, change.insert);
    } else if ('delete' in change) this.memberships.delete(change.delete);
    else {
      const before = this.memberships.get(change.patch.id);
      if (before) this.memberships.set(before.id, { ...before, default: change.patch.default, updated_at: change.patch.updated_at });
    }
  }

  async write(tx: Db, insertRows: RowWriter): Promise<Record<string, number>> {
    const groups = [...this.groups.values()].map(({ version, row }) => ({ id: row.id, version, deleted: row.deleted, is_default: row.default, data: row }));
    const memberships = [...this.memberships.values()].map((row) => ({ id: row.id, group_id: row.group_id, user_id: row.user_id, data: row }));
    const organizations = [...this.organizations.values()].map(({ version, row, deleted }) => ({ id: row.id, version, deleted, data: row }));
    return {
      'ticket.groups': await insertRows(tx, 'ticket.groups', groups),
      'ticket.group_memberships': await insertRows(tx, 'ticket.group_memberships', memberships),
      'ticket.organizations': await insertRows(tx, 'ticket.organizations', organizations),
    };
  }
}

export const peopleReadModelRebuild: ReadModelRebuild = {
  name: 'people',
  processorId: PEOPLE_READ_MODEL,
  tables: ['ticket.groups', 'ticket.group_memberships', 'ticket.organizations'],
  eventTypes: ['group.', 'group_membership.', 'organization.'],
  start: () => new PeopleReadModelFold(),
};

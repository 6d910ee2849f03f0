import { splitName } from '../names';
import type { Person, ViewOrganization } from '../notification-view';

const ROLE_LABELS: Readonly<Record<Person['role'], string>> = { end_user: 'End user', agent: 'Agent', admin: 'Admin' };

/** `{{<user>.organization.*}}` and `{{ticket.organization.*}}`. */
export const organizationDrop = (org: ViewOrganization | null | undefined) =>
  org
    ? {
        id: org.id,
        name: org.name,
        external_id: org.externalId ?? '',
        details: org.details ?? '',
        notes: org.notes ?? '',
        tags: (org.tags ?? []).join(' '),
        is_shared: org.isShared ?? false,
        is_shared_comments: org.isSharedComments ?? false,
      }
    : null;

/** `{{ticket.requester.*}}`, `{{ticket.assignee.*}}`, `{{current_user.*}}` and the like. */
export const userDrop = (person: Person | null | undefined) => {
  if (!person) return null;
  const { firstName, lastName } = splitName(person.name);
  return {
    id: person.id,
    name: person.name,
    first_name: firstName,
    last_name: lastName,
    email: person.email ?? '',
    role: ROLE_LABELS[person.role],
    // Zendesk's extended role is the custom role's name; without custom roles it is the role.
    extended_role: ROLE_LABELS[person.role],
    language: person.language ?? '',
    locale: person.locale ?? '',
    phone: person.phone ?? '',
    external_id: person.externalId ?? '',
    details: person.details ?? '',
    notes: person.notes ?? '',
    time_zone: person.timeZone ?? '',
    tags: (person.tags ?? []).join(' '),
    signature: person.role === 'end_user' ? '' : (person.signature ?? ''),
    organization: organizationDrop(person.organization),
  };
};

export type UserDrop = ReturnType<typeof userDrop>;

import type { TicketEvent } from '@mailroom/contracts';
import type { FieldChanges } from './ticket';

export type RuleFieldChanges = Omit<FieldChanges, 'subject' | 'requesterId' | 'tags'>;

/** What a later update changed, in the rule-action field names the audit shows. */
export interface RuleChangesKept {
  changes: RuleFieldChanges;
  /** Action fields (`status`, `group_id`, `current_tags`, `cc`, …) whose change was dropped. */
  superseded: string[];
}

const SCALARS: Partial<Record<TicketEvent['type'], { key: 'status' | 'priority' | 'type' | 'groupId' | 'assigneeId'; fields: string[] }>> = {
  'ticket.status_changed': { key: 'status', fields: ['status'] },
  'ticket.priority_changed': { key: 'priority', fields: ['priority'] },
  'ticket.type_changed': { key: 'type', fields: ['type', 'ticket_type_id'] },
  'ticket.group_changed': { key: 'groupId', fields: ['group_id'] },
  'ticket.assignee_changed': { key: 'assigneeId', fields: ['assignee_id'] },
};

const TAG_FIELDS = ['current_tags', 'set_tags', 'remove_tags'];

/**
 * Triggers run after the update that set them off, so by the time their changes reach the ticket
 * someone may have changed it again (an agent picked another group, the customer's next reply
 * reopened it). A field that a later update changed keeps that later value: the rules decided on
 * a ticket that no longer exists, the person who changed it saw a newer one. Every other change of
 * the rules still applies — including a tag or CC the later update did not touch.
 */
export const withoutSupersededChanges = (changes: RuleFieldChanges, later: readonly TicketEvent[]): RuleChangesKept => {
  const kept: RuleFieldChanges = { ...changes };
  const superseded = new Set<string>();
  for (const e of later) {
    const scalar = SCALARS[e.type];
    if (scalar && kept[scalar.key] !== undefined) {
      delete kept[scalar.key];
      scalar.fields.forEach((f) => superseded.add(f));
    } else if (e.type === 'ticket.tags_changed') {
      // A tag the rules add that someone removed since stays removed, and the other way round.
      const add = kept.addTags?.filter((t) => !e.data.removed.includes(t));
      const remove = kept.removeTags?.filter((t) => !e.data.added.includes(t));
      if ((add?.length ?? 0) !== (kept.addTags?.length ?? 0) || (remove?.length ?? 0) !== (kept.removeTags?.length ?? 0)) TAG_FIELDS.forEach((f) => superseded.add(f));
      kept.addTags = add;
      kept.removeTags = remove;
    } else if (e.type === 'ticket.ccs_changed' && kept.addCcIds) {
      const add = kept.addCcIds.filter((id) => !e.data.removed.includes(id));
      if (add.length !== kept.addCcIds.length) superseded.add('cc');
      kept.addCcIds = add;
    }
  }
  for (const k of ['addTags', 'removeTags', 'addCcIds'] as const) if (kept[k] !== undefined && kept[k]!.length === 0 && changes[k]!.length > 0) delete kept[k];
  return { changes: kept, superseded: [...superseded] };
};

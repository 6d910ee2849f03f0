import type { RuleTicket } from '../model';

/**
 * What each condition field reads, for the compiled trigger cycle (`compiled-rule-set.ts`).
 *
 * During one cycle the update, the directory, the clock and the schedules stay fixed; only trigger
 * actions change the ticket, and only some of its fields. A condition that reads none of those
 * fields cannot change its verdict within the cycle ("static"), so it is judged once per update; a
 * condition that reads some ("dynamic") is judged again only after an action changed one of them.
 * A field missing here is treated as reading the whole ticket, so forgetting an entry costs speed,
 * never correctness; the spec checks that every condition handler has one.
 */

/** Ticket fields that actions can change, one bit each. */
export const SLOT = {
  status: 1 << 0,
  priority: 1 << 1,
  type: 1 << 2,
  group: 1 << 3,
  assignee: 1 << 4,
  tags: 1 << 5,
  ccs: 1 << 6,
  satisfaction: 1 << 7,
  schedule: 1 << 8,
  customFields: 1 << 9,
} as const;

export const ALL_SLOTS = (1 << 10) - 1;

/** The slot of each ticket key that actions may change; any other key changing is unexpected. */
export const SLOT_OF_KEY: Readonly<Partial<Record<keyof RuleTicket, number>>> = {
  status: SLOT.status,
  priority: SLOT.priority,
  type: SLOT.type,
  groupId: SLOT.group,
  assigneeId: SLOT.assignee,
  tags: SLOT.tags,
  ccIds: SLOT.ccs,
  satisfactionScore: SLOT.satisfaction,
  scheduleId: SLOT.schedule,
  customFields: SLOT.customFields,
};

/**
 * Slots each condition field reads (0 = static: only the update, fields no action changes —
 * requester, organization, recipient, subject, via, counts, privacy — the directory, the clock).
 */
export const CONDITION_READS: Readonly<Record<string, number>> = {
  // field-conditions: value and change operators compare the ticket now with `update.before`.
  status: SLOT.status,
  priority: SLOT.priority,
  type: SLOT.type,
  group_id: SLOT.group,
  assignee_id: SLOT.assignee,
  requester_id: 0,
  organization_id: 0,
  satisfaction_score: SLOT.satisfaction,
  schedule_id: SLOT.schedule,
  // update-conditions
  update_type: 0,
  comment_is_public: 0,
  ticket_is_public: 0,
  role: 0,
  recipient: 0,
  via_id: 0,
  current_via_id: 0,
  current_tags: SLOT.tags,
  // text-conditions
  subject_includes_word: 0,
  comment_includes_word: 0,
  // count-conditions
  reopens: 0,
  replies: 0,
  // people-conditions: the requester never changes within a cycle.
  requester_role: 0,
  locale_id: 0,
  requester_time_zone: 0,
  // schedule-conditions: the ticket's schedule can be changed by `schedule_id`.
  in_business_hours: SLOT.schedule,
  within_schedule: 0,
};

/**
 * Fields whose verdict depends on the update alone (its type, comment, channel, actor): the same
 * for every update that agrees on those, so the engine keeps one candidate list per such shape.
 */
export const UPDATE_ONLY_FIELDS: ReadonlySet<string> = new Set(['update_type', 'comment_is_public', 'role', 'current_via_id']);

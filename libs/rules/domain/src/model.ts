import type {
  MailOrigin,
  Role,
  RuleNotification,
  RuleWebhookRequest,
  SatisfactionScore,
  TicketPriority,
  TicketStatus,
  TicketType,
  Via,
} from '@mailroom/contracts';

/** A condition in Zendesk's JSON: `{"field": "status", "operator": "is", "value": "open"}`. */
export interface Condition {
  field: string;
  operator: string;
  value?: unknown;
}

/** An action in Zendesk's JSON: `{"field": "priority", "value": "normal"}`. */
export interface Action {
  field: string;
  value: unknown;
}

/** A ticket trigger in the Zendesk Triggers API shape. */
export interface Trigger {
  id: string;
  title: string;
  active: boolean;
  position: number;
  category_id: string | null;
  description?: string;
  conditions: { all: Condition[]; any: Condition[] };
  actions: Action[];
}

/** A custom ticket field's value: text, number, checkbox, drop-down tag, date (YYYY-MM-DD), or none. */
export type CustomFieldValue = string | number | boolean | null;

/**
 * The ticket state the rules service projects: what conditions look at and actions change.
 * Optional fields are ones the projection may not carry yet; the engine reads a missing one as
 * its Zendesk default (noted per field), so the projection can grow one field at a time.
 */
export interface RuleTicket {
  id: number;
  status: TicketStatus;
  priority: TicketPriority | null;
  type: TicketType | null;
  groupId: number | null;
  assigneeId: number | null;
  requesterId: number;
  /** The requester's organization (`organization_id`); null for none. */
  organizationId: number | null;
  tags: string[];
  ccIds: number[];
  /** The support address the ticket was received at. */
  recipient: string | null;
  subject: string;
  /** Zendesk's `is_public`: the ticket has at least one public comment (`ticket_is_public`). */
  hasPublicComments: boolean;
  /** The channel the ticket was created through (`via_id`); unknown when the projection lacks it. */
  via?: Via['channel'];
  /** Times the ticket went from solved back to open, pending or on-hold (`reopens`); missing = 0. */
  reopens?: number;
  /** Public comments by agents so far (`replies`); missing = 0. */
  replies?: number;
  /** `satisfaction_score`; missing = `unoffered`. */
  satisfactionScore?: SatisfactionScore;
  /** Custom ticket field values by field id (`custom_fields_<id>`); a missing id has no value. */
  customFields?: Record<string, CustomFieldValue>;
  /** The business-hours schedule applied to the ticket; missing/null = the account's default schedule. */
  scheduleId?: number | null;
}

export interface Person {
  id: number;
  name: string;
  email: string | null;
  role: 'end_user' | 'agent' | 'admin';
  /** Language as a locale code, e.g. `en-US` (`locale_id` conditions match the code or its language). */
  locale?: string;
  /** Zendesk's numeric locale id (1 = English), when known. */
  localeId?: number;
  /** IANA time zone of the user (`requester_time_zone`). */
  timeZone?: string;
  /** Groups an agent belongs to; used to keep an assignee consistent with the ticket's group. */
  groupIds?: number[];
  /** The group Zendesk puts a ticket in when this agent is assigned and the ticket has no group. */
  defaultGroupId?: number;
}

/** One ticket update as rules see it: who did what through which channel, and the state around it. */
export interface RuleUpdate {
  updateId: string;
  isCreate: boolean;
  actor: { userId: number | null; role: Role };
  via: Via;
  comment: { authorId: number; public: boolean; body: string } | null;
  /** The email this update came from, when it came by email. */
  mail: MailOrigin | null;
  /** The ticket before the update; null on create. Source of "previous" values for changed/value_previous. */
  before: RuleTicket | null;
  /** The ticket after the update, before any trigger ran. */
  after: RuleTicket;
  /** When the update happened (ISO 8601); the clock for business-hours conditions unless one is passed in. */
  occurredAt?: string;
}

/**
 * A business-hours schedule as Zendesk's Schedules API has it. `intervals` are minutes of the
 * week counted from Sunday 00:00 in the schedule's time zone (Monday 09:00 = 1980), end exclusive;
 * `holidays` are whole local days, both dates inclusive, and count as outside business hours.
 */
export interface Schedule {
  id: number;
  name?: string;
  /** IANA time zone, e.g. `Europe/Paris`. */
  time_zone: string;
  intervals: { start_time: number; end_time: number }[];
  holidays: { name?: string; start_date: string; end_date: string }[];
}

/** The people rules need to know about: recipients and the "all agents" audience. */
export interface Directory {
  person(id: number): Person | undefined;
  /** Every agent and admin who may be notified about any ticket. */
  agents(): Person[];
  /**
   * The agents of a group (`notification_group`); undefined when the group is unknown. A directory
   * without it cannot email groups: those actions are skipped with the reason.
   */
  groupMembers?(groupId: number): Person[] | undefined;
}

/** How one condition came out, for the admin's "why did / didn't it fire" view. */
export interface ConditionCheck {
  group: 'all' | 'any';
  index: number;
  condition: Condition;
  matched: boolean;
  /** What the ticket or update had, in words. */
  detail?: string;
  /** Set when the condition could not be evaluated as written (unknown field, operator or value). */
  problem?: string;
}

export type ActionOutcomeKind = 'changed' | 'unchanged' | 'notification' | 'webhook' | 'skipped';

export interface ActionOutcome {
  index: number;
  action: Action;
  outcome: ActionOutcomeKind;
  note?: string;
  /** The email it asked for, with who gets it and who was left out. */
  notification?: RuleNotification;
  webhook?: RuleWebhookRequest;
}

export interface TriggerExplanation {
  triggerId: string;
  title: string;
  /** Whether its conditions held when it was last evaluated. */
  matched: boolean;
  fired: boolean;
  /** 1 for the first trigger that fired in this update, 2 for the next, …; null if it did not fire. */
  firedOrder: number | null;
  /** Results of its last evaluation (for a trigger that fired: the evaluation that made it fire). */
  conditions: ConditionCheck[];
  /** Only for a trigger that fired. */
  actions: ActionOutcome[];
  /** Set when the trigger was not evaluated at all. */
  skipped?: string;
}

export type { RuleNotification, RuleWebhookRequest, SatisfactionScore };

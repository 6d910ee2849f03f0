import type {
  MailOrigin,
  Role,
  RuleNotification,
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

/** The ticket state the rules service projects: what conditions look at and actions change. */
export interface RuleTicket {
  id: number;
  status: TicketStatus;
  priority: TicketPriority | null;
  type: TicketType | null;
  groupId: number | null;
  assigneeId: number | null;
  requesterId: number;
  organizationId: number | null;
  tags: string[];
  ccIds: number[];
  /** The support address the ticket was received at. */
  recipient: string | null;
  subject: string;
  hasPublicComments: boolean;
  /** The channel the ticket was created through (`via_id`); unknown when the projection lacks it. */
  via?: Via['channel'];
}

export interface Person {
  id: number;
  name: string;
  email: string | null;
  role: 'end_user' | 'agent' | 'admin';
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
  /** The ticket before the update; null on create. */
  before: RuleTicket | null;
  /** The ticket after the update, before any trigger ran. */
  after: RuleTicket;
}

/** The people rules need to know about: recipients and the "all agents" audience. */
export interface Directory {
  person(id: number): Person | undefined;
  /** Every agent and admin who may be notified about any ticket. */
  agents(): Person[];
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

export type ActionOutcomeKind = 'changed' | 'unchanged' | 'notification' | 'skipped';

export interface ActionOutcome {
  index: number;
  action: Action;
  outcome: ActionOutcomeKind;
  note?: string;
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

export type { RuleNotification };

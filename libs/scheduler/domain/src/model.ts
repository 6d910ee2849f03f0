import type { SatisfactionScore, TicketPriority, TicketStatus, TicketType, Via } from '@mailroom/contracts';
import type { Action, Condition, CustomFieldValue } from '@mailroom/rules-domain';

export type { Action, Condition, Schedule, Directory, Person } from '@mailroom/rules-domain';

/**
 * An automation in the Zendesk Automations API shape (`{"automation": {…}}`). `default` marks the
 * ones Zendesk seeds; `raw_title` is the title before dynamic content, the title itself here.
 */
export interface Automation {
  id: string;
  title: string;
  active: boolean;
  position: number;
  conditions: { all: Condition[]; any: Condition[] };
  actions: Action[];
  default: boolean;
  raw_title: string;
  created_at: string;
  updated_at: string;
}

/**
 * A ticket as the scheduler's read model holds it: the fields automations test, keyed as the
 * columns of its table so that `toSqlFilter` and this type name the same things. Instants are
 * ISO 8601 strings; null when the ticket never had the event. Optional fields are ones the
 * projection may not carry yet; a missing one reads as its Zendesk default (noted per field).
 */
export interface AutomationTicket {
  id: number;
  status: TicketStatus;
  type: TicketType | null;
  priority: TicketPriority | null;
  group_id: number | null;
  assignee_id: number | null;
  requester_id: number;
  /** Missing = no organization. */
  organization_id?: number | null;
  tags: string[];
  /** Missing = `unoffered`. */
  satisfaction_score?: SatisfactionScore;
  /** The ticket's business-hours schedule; null or missing = the account's default (the first). */
  schedule_id?: number | null;
  /** The channel the ticket came through (`via_id` conditions). */
  via?: Via['channel'];
  recipient?: string | null;
  subject?: string;
  /** Zendesk's `is_public`; missing = true. */
  has_public_comments?: boolean;
  cc_ids?: number[];
  reopens?: number;
  replies?: number;
  custom_fields?: Record<string, CustomFieldValue>;

  /** Hours since created (`NEW`). */
  created_at: string;
  /** Hours since update (`updated_at`): any update, an automation's included. */
  updated_at: string;
  /** The last status change, whatever the status (not a condition of its own; kept for the audit). */
  status_changed_at?: string | null;
  /**
   * When the ticket last entered each status: Hours since open/pending/on-hold/solved/closed.
   * Kept after the ticket leaves the status — which is why Zendesk's standard automations pair
   * `SOLVED` with `status is solved`.
   */
  open_at: string | null;
  pending_at: string | null;
  hold_at: string | null;
  solved_at: string | null;
  closed_at: string | null;
  /** Hours since assigned: the last time the assignee changed to someone. */
  assigned_at: string | null;
  /** The last comment by the requester / by the assignee. */
  requester_updated_at: string | null;
  assignee_updated_at: string | null;
  /**
   * The due date of a task as an instant: Zendesk's due date "refers to 12 PM in your account's
   * timezone", so the projection stores noon of the due day in the account's time zone.
   */
  due_at: string | null;
  /** How many updates automations have made to this ticket (Zendesk stops at 100). */
  automation_updates: number;
}

import type { Actor, Via } from './envelope';
import type { RecordSatisfactionRatingV1 } from './satisfaction-events';
import type { AttachmentRef, CommentExtraction, MailCommandRefusal, MailOrigin, TicketPriority, TicketStatus, TicketType } from './ticket-events';

/**
 * Commands other services send to the ticket service. They travel like events: appended to the
 * log by the sender, forwarded to RabbitMQ's command exchange, consumed once by the ticket service.
 */

/** A person named by email (from a mail) or by id (from the API). */
export type PersonRef = { id: number } | { email: string; name?: string | null };

export interface CreateTicketV1 {
  /** Idempotency key: the same key never creates a second ticket (ingest uses the mail id). */
  creationKey: string;
  subject: string;
  requester: PersonRef;
  recipient: string | null;
  comment: { body: string; htmlBody: string; public: boolean; attachments: AttachmentRef[]; extraction?: CommentExtraction };
  ccs: PersonRef[];
  via: Via;
  mail: MailOrigin | null;
  priority?: TicketPriority | null;
  type?: TicketType | null;
  status?: TicketStatus;
  tags?: string[];
  /**
   * Mail commands of an agent opening the ticket by mail (`#requester customer@…`): the mail's
   * sender is then the submitter and the comment's author, and the ticket starts with these fields.
   * Ignored unless the sender is an agent or admin.
   */
  changes?: MailCommandChanges;
  /** The sender's mail commands that were refused, recorded with the first comment. */
  commandErrors?: MailCommandRefusal[];
}

export interface AddCommentV1 {
  ticketId: number;
  /** Idempotency key: the same key never adds a second comment (ingest uses the mail id). */
  commentKey: string;
  author: PersonRef;
  comment: { body: string; htmlBody: string; public: boolean; attachments: AttachmentRef[]; extraction?: CommentExtraction };
  via: Via;
  mail: MailOrigin | null;
  /** People the mail was also sent to, added as CCs of the ticket (48 at most on a ticket). */
  ccs?: PersonRef[];
  /** Field changes an agent asked for with mail commands (`#status solved`), made in the same update as the comment. */
  changes?: MailCommandChanges;
  /** The author's mail commands that were refused (agents only), recorded on the comment's update. */
  commandErrors?: MailCommandRefusal[];
}

/** What mail commands can change; the ticket service applies them for agents and admins only. */
export interface MailCommandChanges {
  status?: TicketStatus;
  priority?: TicketPriority | null;
  type?: TicketType | null;
  /** An agent by email or id; null unassigns. */
  assignee?: PersonRef | null;
  /** The new requester (`#requester`); an unknown address becomes an end user. */
  requester?: PersonRef;
  /** Older commands in the log name the group by id only; see `group`. */
  groupId?: number | null;
  /** `#group` as written: an id or a name, checked against the groups (unknown: refused). */
  group?: { id: number } | { name: string };
  addTags?: string[];
  removeTags?: string[];
}

export interface RuleNotification {
  notificationId: string;
  recipientIds: number[];
  suppressed: { userId: number; reason: string }[];
  subject: string;
  body: string;
}

/** A `notification_webhook` action: the body travels unrendered, the notifier renders and sends it. */
export interface RuleWebhookRequest {
  /** Deterministic per update, trigger and action: the notifier's idempotency key. */
  requestId: string;
  webhookId: string;
  body: string;
}

/** Zendesk's satisfaction states; rules can only move `unoffered` to `offered`. */
export type SatisfactionScore = 'unoffered' | 'offered' | 'good' | 'good_with_comment' | 'bad' | 'bad_with_comment';

export interface FiredRule {
  kind: 'trigger' | 'automation';
  id: string;
  title: string;
  actions: { field: string; value: unknown }[];
  notifications: RuleNotification[];
  /** Webhook calls the rule asked for (absent when none). */
  webhooks?: RuleWebhookRequest[];
}

export interface ApplyRuleActionsV1 {
  ticketId: number;
  /** The update the rules ran on: their changes belong to it. */
  updateId: string;
  /** The ticket version the rules saw; a field that a later update changed keeps that update's value. */
  basedOnVersion: number;
  changes: {
    status?: TicketStatus;
    priority?: TicketPriority | null;
    type?: TicketType | null;
    groupId?: number | null;
    assigneeId?: number | null;
    addTags?: string[];
    removeTags?: string[];
    /** Users the rules added as CCs (`cc` action). */
    addCcIds?: number[];
    satisfactionScore?: SatisfactionScore;
    /** Custom ticket field values the rules set, by field id; null clears a field. */
    customFields?: Record<string, string | number | boolean | null>;
    /** The business-hours schedule the rules set (`schedule_id` action); null for none. */
    scheduleId?: number | null;
  };
  fired: FiredRule[];
  /**
   * Zendesk's 28-day close of a solved ticket, sent by the scheduler with `fired` empty: made by
   * the system (`via` system), so no trigger runs on it, and applied only to a ticket still solved.
   */
  systemClose?: true;
  /**
   * The updates the same automation cycle's later automations made to this ticket, in the order
   * they fired (each judged on the ticket the ones before it left). The scheduler sends a ticket's
   * automation updates of one cycle as this one command, so they reach the ticket in that order:
   * the ticket service applies them after this one, in the same transaction, each as an update of
   * its own (its audit, its trigger cycle), with this command's ticket and `basedOnVersion`.
   */
  then?: FollowingRuleUpdateV1[];
}

/** One more rule update carried by an `ApplyRuleActionsV1` (see `then`). */
export interface FollowingRuleUpdateV1 {
  updateId: string;
  changes: ApplyRuleActionsV1['changes'];
  fired: FiredRule[];
}

export interface RecordDeliveryV1 {
  ticketId: number;
  notificationId: string;
  outcome:
    | { status: 'delivered'; to: string[]; messageId: string; relayResponse: string; at: string }
    | { status: 'failed'; to: string[]; error: string; permanent: boolean; at: string };
}

/**
 * The outcomes of several outgoing mails of one ticket, recorded together (the notifier's sender
 * sends one per ticket per pass). Each outcome is applied once per notification and recipient: an
 * outcome the ticket already has is skipped, so a repeated or overlapping batch adds nothing.
 */
export interface RecordDeliveriesV1 {
  ticketId: number;
  deliveries: { notificationId: string; outcome: RecordDeliveryV1['outcome'] }[];
}

/** The outcome of one webhook call (all its attempts), recorded on the ticket's audit. */
export interface RecordWebhookDeliveryV1 {
  ticketId: number;
  requestId: string;
  webhookId: string;
  endpoint: string;
  outcome:
    | { status: 'delivered'; statusCode: number; attempts: number; at: string }
    | { status: 'failed'; statusCode: number | null; error: string; attempts: number; at: string };
}

/** Final outcomes of several webhook calls of one ticket, recorded together (one per ticket per sender pass). */
export interface RecordWebhookDeliveriesV1 {
  ticketId: number;
  calls: Omit<RecordWebhookDeliveryV1, 'ticketId'>[];
}

/**
 * One address a delivery status notification (RFC 3464) reported as failed or delayed. Ingest
 * sends one per address of a report; the ticket service marks the user's email (hard bounce at
 * once, soft bounces after ten) and records the bounce on the ticket the bounced mail was about.
 */
export interface RecordBounceV1 {
  /** The report's mail in ingest.raw_mail; with the address, the bounce's idempotency key. */
  mailId: string;
  /** The address that bounced, lower-cased. */
  address: string;
  /** The ticket our bounced notification was about (from its Message-ID), null when unknown. */
  ticketId: number | null;
  /** The report's action for the address: `failed` or `delayed`. */
  action: string;
  /** Enhanced status code (`5.1.1`), null when the report has none. */
  status: string | null;
  diagnostic: string | null;
  /** A hard bounce (permanent failure); otherwise a soft one. */
  permanent: boolean;
  /** Message-ID of our mail that bounced, when the report names it. */
  originalMessageId: string | null;
  bouncedAt: string;
}

export type TicketCommandMessage =
  | { type: 'ticket.create_ticket'; data: CreateTicketV1 }
  | { type: 'ticket.add_comment'; data: AddCommentV1 }
  | { type: 'ticket.apply_rule_actions'; data: ApplyRuleActionsV1 }
  | { type: 'ticket.record_delivery'; data: RecordDeliveryV1 }
  | { type: 'ticket.record_deliveries'; data: RecordDeliveriesV1 }
  | { type: 'ticket.record_webhook_delivery'; data: RecordWebhookDeliveryV1 }
  | { type: 'ticket.record_webhook_deliveries'; data: RecordWebhookDeliveriesV1 }
  | { type: 'ticket.record_bounce'; data: RecordBounceV1 }
  | { type: 'ticket.record_satisfaction_rating'; data: RecordSatisfactionRatingV1 };

export type { Actor, Via };

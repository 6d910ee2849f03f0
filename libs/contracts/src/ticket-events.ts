import type { Via } from './envelope';
import type { SatisfactionOfferedV1, SatisfactionRatedV1 } from './satisfaction-events';

export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';
export type TicketType = 'question' | 'incident' | 'problem' | 'task';

export const TICKET_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
export const TICKET_PRIORITIES: readonly TicketPriority[] = ['low', 'normal', 'high', 'urgent'];
export const TICKET_TYPES: readonly TicketType[] = ['question', 'incident', 'problem', 'task'];

export const ticketStreamId = (ticketId: number): string => `ticket-${ticketId}`;
export const userStreamId = (userId: number): string => `user-${userId}`;

export interface AttachmentRef {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  /** Content-ID for inline parts (cid:), null otherwise. */
  contentId: string | null;
  inline: boolean;
}

/** What we know of the email an update came from: needed for threading and CC suppression. */
export interface MailOrigin {
  mailId: string;
  messageId: string;
  /** Every address the mail was sent to (To and Cc), lower-cased. */
  recipients: string[];
  /** The support address it was received at. */
  supportAddress: string;
  /**
   * Set when the mail was machine-made (an agent recovered it from a suspension for an automated
   * cause): the suspension cause. Rules then send no automatic email back to its sender.
   */
  automated?: string;
  /**
   * Sender authentication of the mail (SPF, DKIM, DMARC, ARC) as ingest judged it under the
   * account's policy; absent on older events and for mail recovered before it was recorded.
   */
  authentication?: MailAuthentication;
}

/** The sender authentication verdict kept with a mail's comment (README "Sender authentication"). */
export interface MailAuthentication {
  policy: 'off' | 'agents' | 'all';
  /** Null when the policy did not ask for a check of this sender. */
  results: {
    source: 'computed' | 'trusted_relay';
    spf: string;
    dkim: string;
    dmarc: string;
    arc: string;
    fromDomain: string | null;
    aligned: boolean;
    authservId?: string;
  } | null;
  outcome: 'pass' | 'unaligned' | 'temperror' | 'fail' | 'not_checked';
  /** Whether From is proved; an agent's mail commands run only then. */
  authenticated: boolean;
  /** Authenticated for another domain than From's (Zendesk flags such comments). */
  potentialSpoofing: boolean;
  note: string | null;
}

export interface TicketCreatedV1 {
  ticketId: number;
  subject: string;
  requesterId: number;
  submitterId: number;
  /** The support address the customer wrote to (ticket.recipient), null for non-email tickets. */
  recipient: string | null;
  status: TicketStatus;
  priority: TicketPriority | null;
  type: TicketType | null;
  groupId: number | null;
  assigneeId: number | null;
  tags: string[];
  ccIds: number[];
  externalId: string | null;
  /** The requester's organization at creation; absent on older events (read as null). */
  organizationId?: number | null;
  via: Via;
  mail: MailOrigin | null;
  createdAt: string;
}

export interface CommentAddedV1 {
  ticketId: number;
  commentId: number;
  authorId: number;
  body: string;
  htmlBody: string;
  public: boolean;
  attachments: AttachmentRef[];
  via: Via;
  mail: MailOrigin | null;
  /** How the text was taken from its mail; absent for comments not from mail (and on older events). */
  extraction?: CommentExtraction;
  createdAt: string;
}

/**
 * A mail comment is the reply without the quoted history below it (the signature stays); the
 * whole mail stays in ingest.raw_mail (`mail.mailId`), served by `…/comments/{id}/original`.
 */
export interface CommentExtraction {
  /** What the cut history was recognised by (`delimiter`, `quote_header`, `outlook_header`, `quoted_block`); null when nothing was cut. */
  replyCutBy: string | null;
}

/** An agent's mail command that changed nothing (`#status nonsense`, or a change the ticket refused). */
export interface MailCommandRefusal {
  /** The command as written, with its `#` (`#status`). */
  command: string;
  /** Its value as written; null when it had none. */
  value: string | null;
  error: string;
}

/** A refused mail command, recorded in the update of the comment it came with, for the agent to see. */
export interface MailCommandRefusedV1 extends MailCommandRefusal {
  ticketId: number;
  commentId: number;
}

/** The trigger or automation an event came from. */
export interface RuleRef {
  kind: 'trigger' | 'automation';
  id: string;
  title: string;
}

export interface FieldChangedV1<T> {
  ticketId: number;
  from: T;
  to: T;
  /** For a change made by rules: the rule whose action made it (the last one to set the field). */
  rule?: RuleRef;
}

export interface TagsChangedV1 {
  ticketId: number;
  added: string[];
  removed: string[];
  tags: string[];
  rule?: RuleRef;
}

export interface CcsChangedV1 {
  ticketId: number;
  added: number[];
  removed: number[];
  ccIds: number[];
  rule?: RuleRef;
}

export interface TriggerFiredV1 {
  ticketId: number;
  triggerId: string;
  title: string;
  /** An automation's firing (the scheduler's update) rather than a trigger's; absent: a trigger. */
  kind?: 'automation';
  /** The actions the trigger applied, in Zendesk's {field, value} form. */
  actions: { field: string; value: unknown }[];
  /**
   * Action fields whose change was not made because an update after the one the trigger ran on
   * changed that field (its value stands). Absent when every action applied.
   */
  superseded?: string[];
}

export interface NotificationRequestedV1 {
  ticketId: number;
  notificationId: string;
  /** The rule that asked for it (Zendesk's Notification audit event `via.source.from`). */
  rule: RuleRef;
  recipientIds: number[];
  /** People left out by Zendesk's suppression rules, with the reason. */
  suppressed: { userId: number; reason: string }[];
  /** Admin-authored Liquid templates; rendered by the notifier. */
  subject: string;
  body: string;
}

export interface NotificationDeliveredV1 {
  ticketId: number;
  notificationId: string;
  to: string[];
  messageId: string;
  relayResponse: string;
  deliveredAt: string;
}

export interface NotificationFailedV1 {
  ticketId: number;
  notificationId: string;
  to: string[];
  error: string;
  permanent: boolean;
  failedAt: string;
}

/** A rule's `notification_webhook` action: the body template travels unrendered, the notifier renders and calls. */
export interface WebhookRequestedV1 {
  ticketId: number;
  /** The notifier's idempotency key (RuleWebhookRequest.requestId). */
  requestId: string;
  webhookId: string;
  rule: RuleRef;
  body: string;
}

export interface WebhookDeliveredV1 {
  ticketId: number;
  requestId: string;
  webhookId: string;
  endpoint: string;
  statusCode: number;
  attempts: number;
  deliveredAt: string;
}

export interface WebhookFailedV1 {
  ticketId: number;
  requestId: string;
  webhookId: string;
  endpoint: string;
  /** The last answer's status code; null when none came (timeout, refused, not rendered). */
  statusCode: number | null;
  error: string;
  attempts: number;
  failedAt: string;
}

/** A mail of ours about this ticket bounced (a delivery status notification came back for it). */
export interface DeliveryBouncedV1 {
  ticketId: number;
  /** The report's mail in ingest.raw_mail (its suspended ticket shows the whole report). */
  mailId: string;
  address: string;
  /** The user with that address, null when none has it. */
  userId: number | null;
  action: string;
  status: string | null;
  diagnostic: string | null;
  permanent: boolean;
  originalMessageId: string | null;
  /** Whether the address is marked undeliverable after this bounce. */
  undeliverable: boolean;
  bouncedAt: string;
}

export type TicketEvent =
  | { type: 'ticket.created'; data: TicketCreatedV1 }
  | { type: 'ticket.comment_added'; data: CommentAddedV1 }
  | { type: 'ticket.mail_command_refused'; data: MailCommandRefusedV1 }
  | { type: 'ticket.status_changed'; data: FieldChangedV1<TicketStatus> }
  | { type: 'ticket.priority_changed'; data: FieldChangedV1<TicketPriority | null> }
  | { type: 'ticket.type_changed'; data: FieldChangedV1<TicketType | null> }
  | { type: 'ticket.subject_changed'; data: FieldChangedV1<string> }
  | { type: 'ticket.group_changed'; data: FieldChangedV1<number | null> }
  | { type: 'ticket.assignee_changed'; data: FieldChangedV1<number | null> }
  | { type: 'ticket.requester_changed'; data: FieldChangedV1<number> }
  | { type: 'ticket.tags_changed'; data: TagsChangedV1 }
  | { type: 'ticket.ccs_changed'; data: CcsChangedV1 }
  | { type: 'ticket.trigger_fired'; data: TriggerFiredV1 }
  | { type: 'ticket.notification_requested'; data: NotificationRequestedV1 }
  | { type: 'ticket.notification_delivered'; data: NotificationDeliveredV1 }
  | { type: 'ticket.notification_failed'; data: NotificationFailedV1 }
  | { type: 'ticket.webhook_requested'; data: WebhookRequestedV1 }
  | { type: 'ticket.webhook_delivered'; data: WebhookDeliveredV1 }
  | { type: 'ticket.webhook_failed'; data: WebhookFailedV1 }
  | { type: 'ticket.delivery_bounced'; data: DeliveryBouncedV1 }
  | { type: 'ticket.satisfaction_offered'; data: SatisfactionOfferedV1 }
  | { type: 'ticket.satisfaction_rated'; data: SatisfactionRatedV1 };

export type TicketEventType = TicketEvent['type'];

export const TICKET_EVENT_TYPES: readonly TicketEventType[] = [
  'ticket.created',
  'ticket.comment_added',
  'ticket.mail_command_refused',
  'ticket.status_changed',
  'ticket.priority_changed',
  'ticket.type_changed',
  'ticket.subject_changed',
  'ticket.group_changed',
  'ticket.assignee_changed',
  'ticket.requester_changed',
  'ticket.tags_changed',
  'ticket.ccs_changed',
  'ticket.trigger_fired',
  'ticket.notification_requested',
  'ticket.notification_delivered',
  'ticket.notification_failed',
  'ticket.webhook_requested',
  'ticket.webhook_delivered',
  'ticket.webhook_failed',
  'ticket.delivery_bounced',
  'ticket.satisfaction_offered',
  'ticket.satisfaction_rated',
];

/**
 * Events that record what rules and deliveries did rather than change the ticket: they never make
 * an update of their own (no trigger cycle, no new `updated_at` for automations).
 */
export const RECORD_ONLY_TICKET_EVENTS: ReadonlySet<TicketEventType> = new Set<TicketEventType>([
  'ticket.mail_command_refused',
  'ticket.trigger_fired',
  'ticket.notification_requested',
  'ticket.notification_delivered',
  'ticket.notification_failed',
  'ticket.webhook_requested',
  'ticket.webhook_delivered',
  'ticket.webhook_failed',
  'ticket.delivery_bounced',
]);

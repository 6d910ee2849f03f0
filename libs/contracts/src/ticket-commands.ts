import type { Actor, Via } from './envelope';
import type { AttachmentRef, MailOrigin, TicketPriority, TicketStatus, TicketType } from './ticket-events';

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
  comment: { body: string; htmlBody: string; public: boolean; attachments: AttachmentRef[] };
  ccs: PersonRef[];
  via: Via;
  mail: MailOrigin | null;
  priority?: TicketPriority | null;
  type?: TicketType | null;
  status?: TicketStatus;
  tags?: string[];
}

export interface AddCommentV1 {
  ticketId: number;
  /** Idempotency key: the same key never adds a second comment (ingest uses the mail id). */
  commentKey: string;
  author: PersonRef;
  comment: { body: string; htmlBody: string; public: boolean; attachments: AttachmentRef[] };
  via: Via;
  mail: MailOrigin | null;
}

export interface RuleNotification {
  notificationId: string;
  recipientIds: number[];
  suppressed: { userId: number; reason: string }[];
  subject: string;
  body: string;
}

export interface FiredRule {
  kind: 'trigger' | 'automation';
  id: string;
  title: string;
  actions: { field: string; value: unknown }[];
  notifications: RuleNotification[];
}

export interface ApplyRuleActionsV1 {
  ticketId: number;
  /** The update the rules ran on: their changes belong to it. */
  updateId: string;
  /** The ticket version the rules saw; field changes are refused on a newer ticket. */
  basedOnVersion: number;
  changes: {
    status?: TicketStatus;
    priority?: TicketPriority | null;
    type?: TicketType | null;
    groupId?: number | null;
    assigneeId?: number | null;
    addTags?: string[];
    removeTags?: string[];
  };
  fired: FiredRule[];
}

export interface RecordDeliveryV1 {
  ticketId: number;
  notificationId: string;
  outcome:
    | { status: 'delivered'; to: string[]; messageId: string; relayResponse: string; at: string }
    | { status: 'failed'; to: string[]; error: string; permanent: boolean; at: string };
}

export type TicketCommandMessage =
  | { type: 'ticket.create_ticket'; data: CreateTicketV1 }
  | { type: 'ticket.add_comment'; data: AddCommentV1 }
  | { type: 'ticket.apply_rule_actions'; data: ApplyRuleActionsV1 }
  | { type: 'ticket.record_delivery'; data: RecordDeliveryV1 };

export type { Actor, Via };

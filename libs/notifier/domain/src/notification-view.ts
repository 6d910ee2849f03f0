import type { TicketPriority, TicketStatus, TicketType } from '@mailroom/contracts';

/** An organization as placeholders show it (`{{ticket.organization.name}}`, `{{user.organization.*}}`). */
export interface ViewOrganization {
  id: number;
  name: string;
  externalId?: string | null;
  details?: string;
  notes?: string;
  tags?: string[];
  isShared?: boolean;
  isSharedComments?: boolean;
}

/** Someone a notification is about or for. Optional fields render empty when unknown. */
export interface Person {
  id: number;
  name: string;
  email: string | null;
  role: 'end_user' | 'agent' | 'admin';
  /** Language name ("English") and locale ("en-US"). */
  language?: string;
  locale?: string;
  phone?: string | null;
  externalId?: string | null;
  details?: string;
  notes?: string;
  timeZone?: string;
  tags?: string[];
  /** Agents only. */
  signature?: string;
  organization?: ViewOrganization | null;
}

export interface ViewAttachment {
  fileName: string;
  /** Where the recipient can download it, when the ticket service serves it. */
  url?: string | null;
}

export interface ViewComment {
  id: number;
  author: Person;
  /** The comment as plain text: the only form of customer content that reaches an email. */
  body: string;
  /** The sender's HTML as received. Kept for completeness; never rendered into mail (see html.ts). */
  htmlBody: string;
  public: boolean;
  createdAt: string;
  attachments?: ViewAttachment[];
}

/** Zendesk's ticket satisfaction states (legacy CSAT), without the `_with_comment` variants. */
export type SatisfactionScore = 'unoffered' | 'offered' | 'good' | 'bad';

export interface ViewSatisfaction {
  score: SatisfactionScore;
  comment: string | null;
  /**
   * The unforgeable part of the requester's rating links (see satisfactionToken); null when the
   * notifier has no secret to make one, which leaves the rating links out.
   */
  token: string | null;
}

/** What the notifier projects per ticket: everything a notification may show. */
export interface NotificationView {
  ticket: {
    id: number;
    encodedId: string;
    subject: string;
    status: TicketStatus;
    priority: TicketPriority | null;
    type: TicketType | null;
    tags: string[];
    recipient: string | null;
    createdAt: string;
    updatedAt: string;
    /** The channel in words, as Zendesk shows it: "Mail", "Web service", … */
    via: string;
    groupName: string | null;
    requester: Person;
    /** The agent who opened the ticket on the requester's behalf (or the requester). */
    submitter?: Person | null;
    assignee: Person | null;
    ccs: Person[];
    followers?: Person[];
    externalId?: string | null;
    /** Task tickets. */
    dueAt?: string | null;
    /** In any order; sorted by creation time where it matters. */
    comments: ViewComment[];
  };
  account: { name: string; baseUrl: string };
  /** Who made the update that caused the notification (`current_user`); null for the system. */
  currentUser?: Person | null;
  satisfaction?: ViewSatisfaction;
  /**
   * When the notification is rendered (the update's time, never the wall clock): dates in the same
   * year leave the year out, as Zendesk's do. Without it the year is always shown.
   */
  now?: string;
}

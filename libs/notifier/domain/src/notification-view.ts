import type { TicketPriority, TicketStatus, TicketType } from '@mailroom/contracts';

/** Someone a notification is about or for. */
export interface Person {
  id: number;
  name: string;
  email: string | null;
  role: 'end_user' | 'agent' | 'admin';
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
    assignee: Person | null;
    ccs: Person[];
    /** In any order; sorted by creation time where it matters. */
    comments: ViewComment[];
  };
  account: { name: string; baseUrl: string };
  /** Who made the update that caused the notification (`current_user`); null for the system. */
  currentUser?: Person | null;
}

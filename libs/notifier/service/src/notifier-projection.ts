import type { Message, RatedScore, TicketEvent, TicketPriority, TicketStatus, TicketType } from '@mailroom/contracts';
import type { ViewSatisfaction } from '@mailroom/notifier-domain';

/** What the notifier keeps per ticket: enough to render any notification and thread it. */
export interface StoredView {
  id: number;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority | null;
  type: TicketType | null;
  tags: string[];
  recipient: string | null;
  createdAt: string;
  updatedAt: string;
  via: string;
  groupId: number | null;
  requesterId: number;
  assigneeId: number | null;
  ccIds: number[];
  comments: { id: number; authorId: number; body: string; htmlBody: string; public: boolean; createdAt: string; attachments?: { fileName: string }[] }[];
  submitterId?: number;
  externalId?: string | null;
  /** The update that created the ticket, who made it and through which channel: for placeholder suppression. */
  createdUpdateId?: string | null;
  createdByRole?: string | null;
  createdVia?: string;
  /** Message-IDs of the mail the customer sent us, oldest first: our replies point to them. */
  inboundMessageIds: string[];
  /**
   * The ticket's satisfaction rating, from its `satisfaction_offered` and `satisfaction_rated`
   * events (absent: unoffered; a view stored before the notifier followed ratings also reads as
   * unoffered until its ticket's events are replayed).
   */
  satisfaction?: { score: 'offered' | RatedScore; comment: string | null };
}

/** The rating as placeholders show it (`{{satisfaction.current_rating}}`, `current_comment`), with the requester's link token. */
export const viewSatisfaction = (v: StoredView, token: string | null): ViewSatisfaction => ({
  score: v.satisfaction?.score ?? 'unoffered',
  comment: v.satisfaction?.comment ?? null,
  token,
});

const VIA_WORDS: Record<string, string> = { email: 'Mail', api: 'Web service', web: 'Web form', rule: 'Rule', closed_ticket: 'Closed ticket', system: 'System' };

export const evolveView = (v: StoredView | null, e: TicketEvent, m: Message): StoredView | null => {
  const at = m.metadata.occurredAt;
  if (e.type === 'ticket.created') {
    const d = e.data;
    return {
      id: d.ticketId,
      subject: d.subject,
      status: d.status,
      priority: d.priority,
      type: d.type,
      tags: d.tags,
      recipient: d.recipient,
      createdAt: d.createdAt,
      updatedAt: d.createdAt,
      via: VIA_WORDS[d.via.channel] ?? d.via.channel,
      groupId: d.groupId,
      requesterId: d.requesterId,
      assigneeId: d.assigneeId,
      ccIds: d.ccIds,
      comments: [],
      submitterId: d.submitterId,
      externalId: d.externalId,
      createdUpdateId: m.metadata.updateId ?? null,
      createdByRole: m.metadata.actor?.role ?? null,
      createdVia: d.via.channel,
      inboundMessageIds: d.mail ? [d.mail.messageId] : [],
    };
  }
  if (!v) return null;
  switch (e.type) {
    case 'ticket.comment_added': {
      const d = e.data;
      const ids = d.mail && !v.inboundMessageIds.includes(d.mail.messageId) ? [...v.inboundMessageIds, d.mail.messageId].slice(-20) : v.inboundMessageIds;
      return { ...v, updatedAt: d.createdAt, inboundMessageIds: ids, comments: [...v.comments, { id: d.commentId, authorId: d.authorId, body: d.body, htmlBody: d.htmlBody, public: d.public, createdAt: d.createdAt, attachments: (d.attachments ?? []).map((a) => ({ fileName: a.fileName })) }] };
    }
    case 'ticket.status_changed':
      return { ...v, status: e.data.to, updatedAt: at };
    case 'ticket.priority_changed':
      return { ...v, priority: e.data.to, updatedAt: at };
    case 'ticket.type_changed':
      return { ...v, type: e.data.to, updatedAt: at };
    case 'ticket.subject_changed':
      return { ...v, subject: e.data.to, updatedAt: at };
    case 'ticket.group_changed':
      return { ...v, groupId: e.data.to, updatedAt: at };
    case 'ticket.assignee_changed':
      return { ...v, assigneeId: e.data.to, updatedAt: at };
    case 'ticket.requester_changed':
      return { ...v, requesterId: e.data.to, updatedAt: at };
    case 'ticket.tags_changed':
      return { ...v, tags: e.data.tags, updatedAt: at };
    case 'ticket.ccs_changed':
      return { ...v, ccIds: e.data.ccIds, updatedAt: at };
    // As the ticket keeps them: offering leaves an earlier comment; a rating replaces score and comment.
    case 'ticket.satisfaction_offered':
      return { ...v, satisfaction: { score: 'offered', comment: v.satisfaction?.comment ?? null }, updatedAt: at };
    case 'ticket.satisfaction_rated':
      return { ...v, satisfaction: { score: e.data.score, comment: e.data.comment }, updatedAt: at };
    default:
      return v;
  }
};

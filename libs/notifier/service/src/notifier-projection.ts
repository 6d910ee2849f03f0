import type { Message, RatedScore, TicketEvent, TicketPriority, TicketStatus, TicketType } from '@mailroom/contracts';
import { blankSnapshot, evolveTicketSnapshot, type TicketSnapshot } from '@mailroom/ticket-domain';
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

type StoredComment = StoredView['comments'][number];

/**
 * The notifier's state of a ticket: the ticket snapshot (`@mailroom/ticket-domain`), the comments
 * notifications quote (kept here only: no other projection needs every body, so the snapshot does
 * not carry them), and the view the fields set once at creation are read from.
 */
export interface NotifierTicket {
  snapshot: TicketSnapshot;
  comments: StoredComment[];
  /** The stored view (or the one made at creation): via, submitter, external id, the creating update. */
  base: StoredView;
}

/** The view a ticket is stored and rendered as: its creation fields, the snapshot's, its comments. */
export const viewOf = (t: NotifierTicket): StoredView => {
  const s = t.snapshot;
  const v: StoredView = {
    ...t.base,
    id: s.id,
    subject: s.subject,
    status: s.status,
    priority: s.priority,
    type: s.type,
    tags: s.tags,
    recipient: s.recipient,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    groupId: s.groupId,
    requesterId: s.requesterId,
    assigneeId: s.assigneeId,
    ccIds: s.ccIds,
    comments: t.comments,
    inboundMessageIds: s.inboundMessageIds,
  };
  if (s.satisfaction) v.satisfaction = { score: s.satisfaction.score, comment: s.satisfaction.comment };
  return v;
};

/** A stored view read back (what the view does not keep, blank: see `blankSnapshot`). */
export const notifierTicketOf = (v: StoredView): NotifierTicket => ({
  snapshot: blankSnapshot({
    id: v.id,
    subject: v.subject,
    status: v.status,
    priority: v.priority,
    type: v.type,
    tags: v.tags,
    recipient: v.recipient,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    groupId: v.groupId,
    requesterId: v.requesterId,
    assigneeId: v.assigneeId,
    ccIds: v.ccIds,
    submitterId: v.submitterId ?? 0,
    externalId: v.externalId ?? null,
    inboundMessageIds: v.inboundMessageIds,
    satisfaction: v.satisfaction
      ? { id: v.id, score: v.satisfaction.score, comment: v.satisfaction.comment, requesterId: v.requesterId, assigneeId: null, groupId: null, createdAt: '', updatedAt: '' }
      : null,
  }),
  comments: v.comments,
  base: v,
});

/** The view made at the ticket's creation: the snapshot's fields and the creating update's. */
const createdView = (s: TicketSnapshot, m: Message): StoredView => {
  const channel = s.via?.channel ?? 'system';
  return {
    id: s.id,
    subject: s.subject,
    status: s.status,
    priority: s.priority,
    type: s.type,
    tags: s.tags,
    recipient: s.recipient,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    via: VIA_WORDS[channel] ?? channel,
    groupId: s.groupId,
    requesterId: s.requesterId,
    assigneeId: s.assigneeId,
    ccIds: s.ccIds,
    comments: [],
    submitterId: s.submitterId,
    externalId: s.externalId,
    createdUpdateId: m.metadata.updateId ?? null,
    createdByRole: m.metadata.actor?.role ?? null,
    createdVia: channel,
    inboundMessageIds: s.inboundMessageIds,
  };
};

/** One log message applied: the snapshot's evolve, and a comment added to the list beside it. Null before the creation. */
export const evolveNotifierTicket = (t: NotifierTicket | null, m: Message): NotifierTicket | null => {
  const snapshot = evolveTicketSnapshot(t?.snapshot ?? null, m);
  if (!snapshot) return null;
  if (m.type === 'ticket.created' || !t) return { snapshot, comments: [], base: createdView(snapshot, m) };
  if (m.type === 'ticket.comment_added') {
    const d = m.data as Extract<TicketEvent, { type: 'ticket.comment_added' }>['data'];
    const comment: StoredComment = { id: d.commentId, authorId: d.authorId, body: d.body, htmlBody: d.htmlBody, public: d.public, createdAt: d.createdAt, attachments: (d.attachments ?? []).map((a) => ({ fileName: a.fileName })) };
    return { snapshot, comments: [...t.comments, comment], base: t.base };
  }
  return snapshot === t.snapshot ? t : { snapshot, comments: t.comments, base: t.base };
};

/** One event applied to a stored view (read back, evolved, mapped: the consumer folds a whole update at once). */
export const evolveView = (v: StoredView | null, e: TicketEvent, m: Message): StoredView | null => {
  const t = evolveNotifierTicket(v && notifierTicketOf(v), { ...m, type: e.type, data: e.data });
  return t && viewOf(t);
};

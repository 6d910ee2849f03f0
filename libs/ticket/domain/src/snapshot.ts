import {
  RECORD_ONLY_TICKET_EVENTS,
  type Actor,
  type MessageMetadata,
  type RatedScore,
  type SatisfactionScore,
  type TicketCreatedV1,
  type TicketEvent,
  type TicketEventType,
  type TicketPriority,
  type TicketStatus,
  type TicketType,
  type Via,
} from '@mailroom/contracts';

/**
 * The ticket's satisfaction rating (Zendesk's `satisfaction_rating`), from `satisfaction_offered`
 * and `satisfaction_rated`; a ticket never offered nor rated has none (`unoffered`).
 */
export interface SnapshotRating {
  /** The rating's id: the rating event's `ratingId`; an offered ticket's own id until rated. */
  id: number;
  score: 'offered' | RatedScore;
  comment: string | null;
  /** The requester offered the survey, or who rated. */
  requesterId: number;
  /** The agent and group rated: the ticket's when the survey was offered or the rating last given. */
  assigneeId: number | null;
  groupId: number | null;
  /** When first offered (or rated, when it never was offered); when last offered or rated (`ratedAt`). */
  createdAt: string;
  updatedAt: string;
}

/**
 * One ticket's state as every projection of ticket state reads it (DESIGN.md §4): the rules'
 * `rules.tickets`, the scheduler's `scheduler.tickets`, the notifier's views and the API's
 * `ticket.tickets` are each this snapshot mapped to their stored shape. Folded from the ticket's
 * events by `evolveTicketSnapshot`; the decider keeps its own state (ticket.ts: what commands need).
 *
 * Instants are the update's (`metadata.occurredAt`) unless said otherwise. A projection that keeps
 * less than this reads the rest back as blanks (`blankSnapshot`): no field's evolution depends on
 * another field, so its own fields come out the same.
 */
export interface TicketSnapshot {
  id: number;
  subject: string;
  /** The ticket's first comment text (Zendesk's `description`): the first comment with a non-empty body. */
  description: string;
  status: TicketStatus;
  priority: TicketPriority | null;
  type: TicketType | null;
  groupId: number | null;
  assigneeId: number | null;
  requesterId: number;
  submitterId: number;
  /** The requester's organization when the ticket was created. */
  organizationId: number | null;
  /** The support address the ticket was received at. */
  recipient: string | null;
  tags: string[];
  ccIds: number[];
  /** How the ticket was created; null when a projection that kept none is read back. */
  via: Via | null;
  externalId: string | null;
  createdAt: string;
  /**
   * Zendesk's `updated_at` as the API and notifications show it: the creation, each comment (at the
   * comment's own `createdAt`), each field change, the survey offered (the first time) and each
   * rating. Records of rules and deliveries (RECORD_ONLY_TICKET_EVENTS) leave it.
   */
  updatedAt: string;
  /**
   * Automations' "hours since update": the update of every event that is not a record
   * (RECORD_ONLY_TICKET_EVENTS), comments at the update's instant, a repeated offer included.
   */
  touchedAt: string;
  /** The last status change (the creation's instant at first). */
  statusChangedAt: string | null;
  /** When the ticket last entered each status; kept after it leaves it (`new` has none: createdAt). */
  openAt: string | null;
  pendingAt: string | null;
  holdAt: string | null;
  solvedAt: string | null;
  closedAt: string | null;
  /** The last time the assignee changed to someone (the creation's, when created assigned). */
  assignedAt: string | null;
  /** The last comment whose writer (the update's actor) is an end user; the creation at first. */
  requesterUpdatedAt: string | null;
  /** The last comment whose writer is an agent or admin. */
  assigneeUpdatedAt: string | null;
  /** Zendesk's `is_public`: a public comment exists. */
  hasPublicComments: boolean;
  /** Times a solved ticket went back to open, pending or on-hold. */
  reopens: number;
  /** Public comments by agents (`isAgentReply`). */
  replies: number;
  satisfaction: SnapshotRating | null;
  /** Message-IDs of the mail the customer sent us, oldest first, the last INBOUND_MESSAGE_IDS_KEPT. */
  inboundMessageIds: string[];
}

/** What the evolve reads of a log message: its event and the update's instant and actor. */
export interface SnapshotMessage {
  type: string;
  data: unknown;
  metadata: Pick<MessageMetadata, 'occurredAt' | 'actor'>;
}

/** How many inbound Message-IDs a ticket keeps for threading our replies. */
export const INBOUND_MESSAGE_IDS_KEPT = 20;

/** Zendesk counts a reopen each time a solved ticket goes back to open, pending or on-hold. */
export const isReopen = (from: TicketStatus, to: TicketStatus): boolean => from === 'solved' && (to === 'open' || to === 'pending' || to === 'hold');

const isAgentRole = (role: Actor['role'] | undefined): boolean => role === 'agent' || role === 'admin';

/** A reply (`replies`): a public comment written by an agent or admin as themselves (the update's actor is its author). */
export const isAgentReply = (comment: { authorId: number; public: boolean }, actor: Actor | undefined): boolean =>
  comment.public && actor?.userId === comment.authorId && isAgentRole(actor?.role);

/** `satisfaction_score` as conditions and automations name it: the `_with_comment` variants when there is a comment. */
export const satisfactionScoreOf = (s: TicketSnapshot): SatisfactionScore => {
  const r = s.satisfaction;
  if (!r) return 'unoffered';
  if (r.score === 'offered') return 'offered';
  return r.comment ? `${r.score}_with_comment` : r.score;
};

/**
 * Stands for a comment a projection knew existed but did not keep (it stores `good_with_comment`,
 * not the text): read back so that `satisfactionScoreOf` gives the same score again.
 */
export const UNKEPT_RATING_COMMENT = '(comment not kept)';

/** A rating read back from a stored `satisfaction_score` (the rules' and the scheduler's): the score, and blanks. */
export const ratingOfScore = (score: SatisfactionScore | null | undefined, ticketId: number, requesterId: number): SnapshotRating | null => {
  if (!score || score === 'unoffered') return null;
  const rated = score.startsWith('good') ? 'good' : score.startsWith('bad') ? 'bad' : 'offered';
  return { id: ticketId, score: rated, comment: score.endsWith('_with_comment') ? UNKEPT_RATING_COMMENT : null, requesterId, assigneeId: null, groupId: null, createdAt: '', updatedAt: '' };
};

const VIAS = new Map<Via['channel'], Via>();

/** A `via` read back from a projection that kept only its channel (one shared object per channel: never change it). */
export const viaOfChannel = (channel: Via['channel']): Via => {
  let via = VIAS.get(channel);
  if (!via) VIAS.set(channel, (via = { channel, source: { from: {}, to: {}, rel: null } }));
  return via;
};

const BLANK: TicketSnapshot = {
  id: 0,
  subject: '',
  description: '',
  status: 'new',
  priority: null,
  type: null,
  groupId: null,
  assigneeId: null,
  requesterId: 0,
  submitterId: 0,
  organizationId: null,
  recipient: null,
  tags: [],
  ccIds: [],
  via: null,
  externalId: null,
  createdAt: '',
  updatedAt: '',
  touchedAt: '',
  statusChangedAt: null,
  openAt: null,
  pendingAt: null,
  holdAt: null,
  solvedAt: null,
  closedAt: null,
  assignedAt: null,
  requesterUpdatedAt: null,
  assigneeUpdatedAt: null,
  hasPublicComments: false,
  reopens: 0,
  replies: 0,
  satisfaction: null,
  inboundMessageIds: [],
};

/**
 * A snapshot read back from a projection that keeps only some of its fields: those given, the
 * rest blank. Safe because each field evolves from the events and itself only (see TicketSnapshot).
 */
export const blankSnapshot = (fields: Partial<TicketSnapshot> & Pick<TicketSnapshot, 'id'>): TicketSnapshot => ({ ...BLANK, tags: [], ccIds: [], inboundMessageIds: [], ...fields });

/** The column-like key of the instant a status sets. */
type StatusInstant = 'openAt' | 'pendingAt' | 'holdAt' | 'solvedAt' | 'closedAt';
const STATUS_INSTANT: Record<TicketStatus, StatusInstant | null> = { new: null, open: 'openAt', pending: 'pendingAt', hold: 'holdAt', solved: 'solvedAt', closed: 'closedAt' };

const created = (d: TicketCreatedV1): TicketSnapshot => {
  const s: TicketSnapshot = {
    id: d.ticketId,
    subject: d.subject,
    description: '',
    status: d.status,
    priority: d.priority,
    type: d.type,
    groupId: d.groupId,
    assigneeId: d.assigneeId,
    requesterId: d.requesterId,
    submitterId: d.submitterId,
    organizationId: d.organizationId ?? null,
    recipient: d.recipient,
    tags: d.tags,
    ccIds: d.ccIds,
    via: d.via,
    externalId: d.externalId,
    createdAt: d.createdAt,
    updatedAt: d.createdAt,
    touchedAt: d.createdAt,
    statusChangedAt: d.createdAt,
    openAt: null,
    pendingAt: null,
    holdAt: null,
    solvedAt: null,
    closedAt: null,
    assignedAt: d.assigneeId !== null ? d.createdAt : null,
    requesterUpdatedAt: d.createdAt,
    assigneeUpdatedAt: null,
    hasPublicComments: false,
    reopens: 0,
    replies: 0,
    satisfaction: null,
    inboundMessageIds: d.mail ? [d.mail.messageId] : [],
  };
  const instant = STATUS_INSTANT[d.status];
  if (instant) s[instant] = d.createdAt;
  return s;
};

const RECORD_ONLY: ReadonlySet<string> = RECORD_ONLY_TICKET_EVENTS;

/**
 * The ticket after one of its log messages (pure, no copies beyond the one new snapshot): null
 * before its creation. A creation starts afresh; messages of other types (and records of rules
 * and deliveries) leave the ticket as it was, the same object.
 */
export const evolveTicketSnapshot = (s: TicketSnapshot | null, m: SnapshotMessage): TicketSnapshot | null => {
  const e = m as unknown as TicketEvent;
  if (e.type === 'ticket.created') return created(e.data);
  if (!s || RECORD_ONLY.has(e.type) || !e.type.startsWith('ticket.')) return s;
  const at = m.metadata.occurredAt;
  switch (e.type as Exclude<TicketEventType, 'ticket.created'>) {
    case 'ticket.comment_added': {
      const d = (e as Extract<TicketEvent, { type: 'ticket.comment_added' }>).data;
      const actor = m.metadata.actor;
      const next: TicketSnapshot = {
        ...s,
        description: s.description || d.body,
        hasPublicComments: s.hasPublicComments || d.public,
        replies: isAgentReply(d, actor) ? s.replies + 1 : s.replies,
        updatedAt: d.createdAt,
        touchedAt: at,
      };
      if (d.mail && !s.inboundMessageIds.includes(d.mail.messageId)) next.inboundMessageIds = [...s.inboundMessageIds, d.mail.messageId].slice(-INBOUND_MESSAGE_IDS_KEPT);
      if (actor?.role === 'end_user') next.requesterUpdatedAt = at;
      else if (isAgentRole(actor?.role)) next.assigneeUpdatedAt = at;
      return next;
    }
    case 'ticket.status_changed': {
      const d = (e as Extract<TicketEvent, { type: 'ticket.status_changed' }>).data;
      const next: TicketSnapshot = { ...s, status: d.to, statusChangedAt: at, reopens: isReopen(d.from, d.to) ? s.reopens + 1 : s.reopens, updatedAt: at, touchedAt: at };
      const instant = STATUS_INSTANT[d.to];
      if (instant) next[instant] = at;
      return next;
    }
    case 'ticket.priority_changed':
      return { ...s, priority: (e as Extract<TicketEvent, { type: 'ticket.priority_changed' }>).data.to, updatedAt: at, touchedAt: at };
    case 'ticket.type_changed':
      return { ...s, type: (e as Extract<TicketEvent, { type: 'ticket.type_changed' }>).data.to, updatedAt: at, touchedAt: at };
    case 'ticket.subject_changed':
      return { ...s, subject: (e as Extract<TicketEvent, { type: 'ticket.subject_changed' }>).data.to, updatedAt: at, touchedAt: at };
    case 'ticket.group_changed':
      return { ...s, groupId: (e as Extract<TicketEvent, { type: 'ticket.group_changed' }>).data.to, updatedAt: at, touchedAt: at };
    case 'ticket.assignee_changed': {
      const to = (e as Extract<TicketEvent, { type: 'ticket.assignee_changed' }>).data.to;
      return { ...s, assigneeId: to, assignedAt: to !== null ? at : s.assignedAt, updatedAt: at, touchedAt: at };
    }
    case 'ticket.requester_changed':
      return { ...s, requesterId: (e as Extract<TicketEvent, { type: 'ticket.requester_changed' }>).data.to, updatedAt: at, touchedAt: at };
    case 'ticket.tags_changed':
      return { ...s, tags: (e as Extract<TicketEvent, { type: 'ticket.tags_changed' }>).data.tags, updatedAt: at, touchedAt: at };
    case 'ticket.ccs_changed':
      return { ...s, ccIds: (e as Extract<TicketEvent, { type: 'ticket.ccs_changed' }>).data.ccIds, updatedAt: at, touchedAt: at };
    case 'ticket.satisfaction_offered': {
      // The decider offers an unoffered ticket only. An offer after a rating (as the decider's own
      // evolve takes it) makes the score `offered` again, its comment and record kept; the read
      // model and the scheduler ignore such a repeat (`isRepeatedOffer`).
      const d = (e as Extract<TicketEvent, { type: 'ticket.satisfaction_offered' }>).data;
      const rating: SnapshotRating = s.satisfaction
        ? { ...s.satisfaction, score: 'offered' }
        : { id: s.id, score: 'offered', comment: null, requesterId: d.requesterId, assigneeId: s.assigneeId, groupId: s.groupId, createdAt: at, updatedAt: at };
      return { ...s, satisfaction: rating, updatedAt: at, touchedAt: at };
    }
    case 'ticket.satisfaction_rated': {
      const d = (e as Extract<TicketEvent, { type: 'ticket.satisfaction_rated' }>).data;
      const rating: SnapshotRating = {
        id: d.ratingId,
        score: d.score,
        comment: d.comment,
        requesterId: d.requesterId,
        assigneeId: s.assigneeId,
        groupId: s.groupId,
        createdAt: s.satisfaction?.createdAt ?? d.ratedAt,
        updatedAt: d.ratedAt,
      };
      return { ...s, satisfaction: rating, updatedAt: at, touchedAt: at };
    }
    default:
      return s;
  }
};

/** A survey offered to a ticket offered or rated already (the decider never asks for one; older logs may hold one). */
export const isRepeatedOffer = (s: TicketSnapshot | null, m: SnapshotMessage): boolean => m.type === 'ticket.satisfaction_offered' && !!s?.satisfaction;

/** A ticket's messages folded in order from a snapshot (null: before its creation). */
export const foldTicketSnapshot = (s: TicketSnapshot | null, messages: readonly SnapshotMessage[]): TicketSnapshot | null => {
  let next = s;
  for (const m of messages) next = evolveTicketSnapshot(next, m);
  return next;
};

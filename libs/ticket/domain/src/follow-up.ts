import type { Actor, MailCommandRefusal, MailOrigin, Via } from '@mailroom/contracts';
import type { FieldChanges, NewComment, TicketCommand, TicketState } from './ticket';

export interface FollowUpInput {
  /** The id the follow-up gets. */
  ticketId: number;
  now: string;
  actor: Actor;
  /** The reply that arrived for the closed ticket: the follow-up's first comment. */
  comment: NewComment;
  /** How the reply came in (email from … to …); the follow-up's via keeps it and names the closed ticket. */
  via: Via;
  mail: MailOrigin | null;
  /** People the reply was also sent to. */
  ccIds: number[];
  /** Field changes asked for in the reply (agents' mail commands). */
  changes?: Pick<FieldChanges, 'status' | 'priority' | 'type' | 'groupId' | 'assigneeId' | 'requesterId' | 'addTags' | 'removeTags'>;
  /** The reply's refused mail commands, recorded with its comment on the follow-up. */
  commandErrors?: MailCommandRefusal[];
}

/**
 * A reply to a closed ticket starts a follow-up (reference §5.7): a new ticket that names the
 * closed one in `via` (`channel: 'closed_ticket'`, `source.from.ticket_id`, `rel: 'follow_up'`)
 * and inherits its subject, requester, CCs and all tags. Comments, priority, type, group and
 * assignee are not copied. The follow-up answers from the support address the reply was sent to,
 * else the closed ticket's. Whoever wrote the reply is its submitter; they are not made a CC for
 * it (a third party who held a forwarded notification must not join the conversation that way).
 */
export const followUpCommand = (closed: TicketState, input: FollowUpInput): Extract<TicketCommand, { type: 'CreateTicket' }> => {
  const author = input.comment.authorId;
  const c = input.changes ?? {};
  const requesterId = c.requesterId ?? closed.requesterId;
  const ccIds = [...closed.ccIds, ...input.ccIds].filter((id, i, all) => id !== requesterId && all.indexOf(id) === i);
  const tags = [...closed.tags, ...(c.addTags ?? [])].filter((t) => !(c.removeTags ?? []).includes(t));
  return {
    type: 'CreateTicket',
    now: input.now,
    actor: input.actor,
    via: {
      channel: 'closed_ticket',
      source: { from: { ...input.via.source.from, ticket_id: closed.id, subject: closed.subject }, to: input.via.source.to, rel: 'follow_up' },
    },
    ticketId: input.ticketId,
    subject: closed.subject,
    requesterId,
    submitterId: author,
    recipient: input.mail?.supportAddress ?? closed.recipient,
    comment: input.comment,
    ccIds,
    fields: { status: c.status, priority: c.priority ?? null, type: c.type ?? null, groupId: c.groupId ?? null, assigneeId: c.assigneeId ?? null, tags },
    mail: input.mail,
    ...(input.commandErrors?.length ? { commandErrors: input.commandErrors } : {}),
  };
};

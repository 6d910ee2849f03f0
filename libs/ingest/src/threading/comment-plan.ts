import type { MailCommandChanges, TicketPriority, TicketStatus, TicketType } from '@mailroom/contracts';
import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from '@mailroom/contracts';
import { ccCandidates, normaliseAddress, type Address, type InboundMail, type SupportAddress } from '@mailroom/mail-domain';
import type { ThreadDecision } from './resolve-thread';

export interface CommentPlanInput {
  mail: Pick<InboundMail, 'to' | 'cc'>;
  /** The new text of the reply (quoted history already cut off). */
  body: string;
  /** Who wrote it (Reply-To, else From). */
  author: Address;
  thread: Extract<ThreadDecision, { kind: 'comment' }>;
  supportAddresses: readonly SupportAddress[];
}

export interface CommentPlan {
  /** The comment text, without the mail-command lines. */
  body: string;
  public: boolean;
  /** Why the comment is private (empty when public). */
  privateBecause: string | null;
  /** Addresses of the mail to add as CCs of the ticket (the ticket service caps the total at 48). */
  ccs: Address[];
  /** An agent's mail-command changes; null when there are none. */
  changes: MailCommandChanges | null;
}

/**
 * How a reply by email lands on its ticket (reference §5.5, §5.6), decided on the ticket and
 * author as the directory knows them:
 *
 * * a third party — not the requester, a CC, the assignee or an agent — who had a real reference
 *   (our Message-ID, plus-address or encoded id) comments privately, and the people on their mail
 *   are not added as CCs;
 * * a CC who replied without the requester among the recipients ("Reply" instead of "Reply all")
 *   comments privately, so the requester is not surprised by a conversation they never saw;
 * * the requester and other CCs comment publicly;
 * * agents comment publicly unless they write `#note` or `#public false`, or the ticket is private
 *   (only private comments so far); their mail commands change the ticket in the same update.
 *
 * Everyone but a third party brings the other To/Cc addresses in as CCs.
 */
export const planComment = (input: CommentPlanInput): CommentPlan => {
  const { thread } = input;
  const isAgent = thread.author !== null && (thread.author.role === 'agent' || thread.author.role === 'admin');
  const commands = isAgent ? readMailCommands(input.body) : { body: input.body, changes: null, public: null };
  const ccs = thread.relation === 'stranger' ? [] : ccCandidates(input.mail, input.supportAddresses, input.author);
  const plan = (isPublic: boolean, privateBecause: string | null): CommentPlan => ({
    body: commands.body,
    public: isPublic,
    privateBecause: isPublic ? null : privateBecause,
    ccs,
    changes: commands.changes,
  });

  switch (thread.relation) {
    case 'stranger':
      return plan(false, 'the author is neither the requester, a CC nor an agent of the ticket');
    case 'cc': {
      if (isAgent) break;
      const requesters = new Set(thread.ticket?.requesterEmails ?? []);
      const recipients = [...input.mail.to, ...input.mail.cc].map((a) => normaliseAddress(a)?.address);
      if (requesters.size > 0 && !recipients.some((a) => a && requesters.has(a))) return plan(false, 'a CC replied without the requester among the recipients');
      return plan(true, null);
    }
    case 'requester':
      if (!isAgent) return plan(true, null);
      break;
    case 'assignee':
    case 'agent':
      break;
    default: {
      const _exhaustive: never = thread.relation;
      return _exhaustive;
    }
  }
  if (commands.public === false) return plan(false, 'the agent asked for a private note');
  if (thread.ticket && !thread.ticket.isPublic) return plan(false, 'the ticket is private');
  return plan(true, null);
};

const COMMAND = /^\s*#(status|assignee|note|public|priority|type|tags|notags)\b[ \t]*(.*)$/i;

/**
 * Mail commands an agent writes at the top of a reply, one per line (`#status solved`,
 * `#assignee jo@acme.test`, `#note`, `#public false`, `#priority high`, `#type incident`,
 * `#tags a b`, `#notags a`); reading stops at the first other non-blank line, and the command
 * lines are left out of the comment. Unknown values are ignored.
 */
export const readMailCommands = (body: string): { body: string; changes: MailCommandChanges | null; public: boolean | null } => {
  const lines = body.split(/\r?\n/);
  const changes: MailCommandChanges = {};
  let isPublic: boolean | null = null;
  let i = 0;
  for (; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const m = COMMAND.exec(lines[i]);
    if (!m) break;
    const name = m[1].toLowerCase();
    const value = m[2].trim();
    const word = value.toLowerCase();
    if (name === 'status' && (TICKET_STATUSES as readonly string[]).includes(word)) changes.status = word as TicketStatus;
    else if (name === 'priority' && (TICKET_PRIORITIES as readonly string[]).includes(word)) changes.priority = word as TicketPriority;
    else if (name === 'type' && (TICKET_TYPES as readonly string[]).includes(word)) changes.type = word as TicketType;
    else if (name === 'assignee' && value) changes.assignee = word === 'none' ? null : { email: word };
    else if (name === 'note') isPublic = false;
    else if (name === 'public') isPublic = !/^(false|no|0)$/.test(word);
    else if (name === 'tags' && value) changes.addTags = value.split(/[\s,]+/).filter(Boolean);
    else if (name === 'notags' && value) changes.removeTags = value.split(/[\s,]+/).filter(Boolean);
  }
  if (i === 0 || lines.slice(0, i).every((l) => !l.trim())) return { body, changes: null, public: null };
  // A reply of commands only still needs a comment: it keeps its text.
  const rest = lines.slice(i).join('\n').trim() || body.trim();
  return { body: rest, changes: Object.keys(changes).length ? changes : null, public: isPublic };
};

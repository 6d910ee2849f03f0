import type { MailCommandChanges, MailCommandRefusal } from '@mailroom/contracts';
import {
  decideCcs,
  decideCommentVisibility,
  DEFAULT_VISIBILITY_SETTINGS,
  isSuspendedUpdate,
  parseMailCommands,
  recipientFacts,
  threadingStrength,
  type Address,
  type ExtractedReply,
  type InboundMail,
  type MailCommandError,
  type ParsedMailCommands,
  type SupportAddress,
  type SuspensionCause,
  type TicketRelation,
  type UpdateSuspensionCause,
  type VisibilitySettings,
} from '@mailroom/mail-domain';
import type { ThreadDecision } from './resolve-thread';

export interface CommentPlanInput {
  mail: Pick<InboundMail, 'to' | 'cc'>;
  /** The new text of the reply (quoted history already cut off). */
  body: string;
  /** Who wrote it: the From address (Reply-To gives no rights). */
  author: Address;
  thread: Extract<ThreadDecision, { kind: 'comment' }>;
  supportAddresses: readonly SupportAddress[];
  settings?: VisibilitySettings;
  /** The account's CC blocklist (addresses or domains). */
  ccBlocklist?: readonly string[];
  /** Causes an agent overrode by recovering this mail from the suspended tickets: not suspended again. */
  recoveredFrom?: readonly SuspensionCause[];
  /**
   * Set when the author is an agent whose mail is not authenticated under the sender
   * authentication policy: their command lines stay in the comment as text, and each is
   * recorded as not run, with this reason, on the update's audit.
   */
  commandsRefusedBecause?: string | null;
}

export type CommentPlan =
  | {
      kind: 'comment';
      /** The comment text, without the mail-command lines. */
      body: string;
      public: boolean;
      /** Why the comment is private (null when public). */
      privateBecause: string | null;
      /** Addresses of the mail to add as CCs of the ticket (the ticket service caps the total at 48). */
      ccs: Address[];
      /** An agent's mail-command changes; null when there are none. */
      changes: MailCommandChanges | null;
      /** Mail commands that were refused, for the record. */
      commandErrors: MailCommandError[];
    }
  | { kind: 'suspend'; cause: UpdateSuspensionCause; detail: string };

/**
 * How a reply by email lands on its ticket, from the ticket and author as the ticket directory
 * knows them: the agent's mail commands ({@link parseMailCommands}), public, private or suspended
 * ({@link decideCommentVisibility}, reference §5.5) and which To/Cc people become CCs
 * ({@link decideCcs}, §5.6).
 *
 * Mailroom has no restricted agent roles: every agent and admin may update every ticket. A
 * subject number is weak threading (anyone can type one); resolveThread only follows it for the
 * requester and CCs, who may update the ticket anyway.
 */
export const planComment = (input: CommentPlanInput): CommentPlan => {
  const { thread, author } = input;
  const person = thread.author;
  const role = person?.role === 'agent' || person?.role === 'admin' ? person.role : 'end_user';
  const isAgent = role !== 'end_user';
  const ticket = thread.ticket;

  const relations: TicketRelation[] = [];
  if (person && ticket) {
    if (ticket.requesterId === person.id) relations.push('requester');
    if (ticket.ccIds.includes(person.id)) relations.push('cc');
    if (ticket.assigneeId === person.id) relations.push('assignee');
  }

  const refusedBecause = isAgent ? (input.commandsRefusedBecause ?? null) : null;
  const commands: ParsedMailCommands = refusedBecause ? notRun(input.body, refusedBecause) : parseMailCommands(input.body, { authorIsAgent: isAgent });
  const recipients = [...input.mail.to, ...input.mail.cc].map((a) => a.address.toLowerCase());
  const requesterEmail = ticket?.requesterEmails.find((e) => recipients.includes(e)) ?? ticket?.requesterEmails[0] ?? null;
  const facts = recipientFacts(input.mail, input.supportAddresses, requesterEmail, author);
  let visibility = decideCommentVisibility({
    author: { role, relations, known: person !== null, ...(isAgent ? { canEditTicket: true } : {}) },
    threading: thread.matchedBy === 'subject_number' ? 'weak' : threadingStrength(thread.matchedBy),
    requesterWasRecipient: facts.requesterWasRecipient,
    otherRecipients: facts.otherRecipients,
    settings: input.settings ?? DEFAULT_VISIBILITY_SETTINGS,
    ticketIsPrivate: ticket ? !ticket.isPublic : false,
    commandPublic: commands.public,
  });
  if (isSuspendedUpdate(visibility)) {
    if (!input.recoveredFrom?.includes(visibility.suspend)) return { kind: 'suspend', cause: visibility.suspend, detail: visibility.reason };
    // An agent vouched for the mail, not for its author: it joins the ticket as a note for the
    // agents (the requester is not told, the author gets no CC), who can then answer publicly.
    visibility = { public: false, reason: `recovered from the suspended tickets (${visibility.suspend}): a note for agents` };
  }

  const mayAddCcs = isAgent || relations.includes('requester') || relations.includes('cc');
  const ccs = decideCcs({
    mail: input.mail,
    supportAddresses: input.supportAddresses,
    requester: requesterEmail,
    author,
    authorMayAddCcs: mayAddCcs,
    existingCcs: ticket?.ccEmails ?? [],
    blocklist: input.ccBlocklist,
  }).add;

  return {
    kind: 'comment',
    // A reply of commands only still needs a comment: it keeps its text.
    body: commands.body.trim() || input.body.trim(),
    public: visibility.public,
    privateBecause: visibility.public ? null : visibility.reason,
    ccs,
    changes: commands.honoured ? changesOf(commands) : null,
    commandErrors: commands.errors,
  };
};

export interface NewTicketPlan {
  /** The first comment's text, without the mail-command lines. */
  body: string;
  /** False when the agent opened the ticket with `#note` or `#public false`. */
  public: boolean;
  changes: MailCommandChanges | null;
  commandErrors: MailCommandError[];
}

/**
 * A mail that starts a ticket: an agent or admin may open it with Mail API lines, as in a reply —
 * typically `#requester customer@…` to open a ticket on a customer's behalf, with `#assignee`,
 * `#group`, `#status`, `#tags`. Anyone else's `#` lines are just text.
 */
export const planNewTicket = (text: string, author: { role: string } | null, commandsRefusedBecause: string | null = null): NewTicketPlan => {
  const isAgent = author?.role === 'agent' || author?.role === 'admin';
  if (isAgent && commandsRefusedBecause) {
    const refused = notRun(text, commandsRefusedBecause);
    return { body: text, public: refused.public !== false, changes: null, commandErrors: refused.errors };
  }
  const commands = parseMailCommands(text, { authorIsAgent: isAgent });
  if (!commands.honoured) return { body: text, public: true, changes: null, commandErrors: [] };
  return { body: commands.body.trim() || text.trim(), public: commands.public !== false, changes: changesOf(commands), commandErrors: commands.errors };
};

/**
 * The text a mail comment shows: the reply without the quoted history, its signature kept (as
 * Zendesk keeps it; extractReply only splits it off). A mail with nothing above the history
 * keeps its whole text, and one with no text at all its subject.
 */
export const commentText = (extracted: Pick<ExtractedReply, 'reply' | 'signature'>, mail: Pick<InboundMail, 'text' | 'subject'>): string => {
  const kept = [extracted.reply.trim(), extracted.signature.trim()].filter(Boolean).join('\n\n');
  return kept || mail.text.trim() || mail.subject;
};

/**
 * An unauthenticated agent's mail: nothing is applied and the text stays as written, but every
 * command line is named on the audit as not run (so the agent sees why their #status did nothing).
 * A `#note` / `#public false` still keeps the comment private: visibility fails closed.
 */
const notRun = (text: string, reason: string): ParsedMailCommands => {
  const parsed = parseMailCommands(text, { authorIsAgent: true });
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const errors: MailCommandError[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const m = /^#([a-z][a-z_]*)(?:[ \t]+.*)?$/i.exec(line);
    if (!m) break;
    errors.push({ line: i + 1, text: line, command: m[1].toLowerCase(), reason: 'invalid_value', message: `not run: ${reason}` });
  }
  return { errors, body: text, honoured: false, ...(parsed.public === false ? { public: false } : {}) };
};

/** Refused mail commands as the ticket's audit shows them (`#status`, `nonsense`, why). */
export const commandRefusals = (errors: readonly MailCommandError[]): MailCommandRefusal[] =>
  errors.map((e) => {
    const value = e.text.replace(/^#\S*\s*/, '').trim();
    return { command: `#${e.command}`, value: value || null, error: e.message };
  });

/** Mail commands as ticket changes; the ticket service resolves the people and the group they name. */
const changesOf = (c: ParsedMailCommands): MailCommandChanges | null => {
  const changes: MailCommandChanges = {};
  if (c.status) changes.status = c.status;
  if (c.priority) changes.priority = c.priority;
  if (c.type) changes.type = c.type;
  if (c.tags?.length) changes.addTags = c.tags;
  if (c.assignee) changes.assignee = c.assignee;
  if (c.requester) changes.requester = c.requester;
  if (c.group) changes.group = c.group;
  return Object.keys(changes).length ? changes : null;
};

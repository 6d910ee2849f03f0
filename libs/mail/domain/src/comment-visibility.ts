import { Address, InboundMail, normaliseAddress, normaliseEmail } from './inbound-mail';
import { isSupportAddress, SupportAddress } from './support-addresses';
import { TicketMatch } from './threading';

/**
 * Whether an email reply to an existing ticket becomes a public comment, a private one, or no
 * comment at all (a suspended mail): Zendesk's check order of reference §5.5, as one pure
 * decision. The first rule that applies decides.
 */

export type AuthorRole = 'end_user' | 'agent' | 'admin';
/** What the author is on the ticket; several at once are possible (an assignee who is also CC). */
export type TicketRelation = 'requester' | 'cc' | 'assignee' | 'follower';

/**
 * How the mail was tied to its ticket. `strong`: by something only we can have written — the
 * encoded id in the body, the plus-address token or one of our notification Message-IDs (all of
 * them carry a MAC in Mailroom). `weak`: anything a third party could have copied or guessed
 * (say, the Message-ID of a customer's own mail).
 */
export type ThreadingStrength = 'strong' | 'weak';

/** Every way {@link findTicketReference} matches is MAC-protected, hence strong. */
export const threadingStrength = (matchedBy: TicketMatch | null): ThreadingStrength => {
  switch (matchedBy) {
    case 'message_id':
    case 'reply_to_token':
    case 'body_token':
      return 'strong';
    case null:
      return 'weak';
    default: {
      const _exhaustive: never = matchedBy;
      return _exhaustive;
    }
  }
};

export interface VisibilitySettings {
  /** "Make email comments from CCed end users public" (Zendesk's default: on). */
  ccEndUserCommentsPublic: boolean;
  /** "Agent comments via email are public by default" (Zendesk's default: on). */
  agentEmailCommentsPublic: boolean;
}

export const DEFAULT_VISIBILITY_SETTINGS: VisibilitySettings = {
  ccEndUserCommentsPublic: true,
  agentEmailCommentsPublic: true,
};

export interface CommentVisibilityInput {
  author: {
    role: AuthorRole;
    relations: readonly TicketRelation[];
    /** The sender was a user before this mail (else one was just created for them). */
    known: boolean;
    /** False for roles that may only write private notes (light agents, custom roles). Default true. */
    canCommentPublicly?: boolean;
    /**
     * Whether the author may update this ticket. Defaults to the reference's reading: an end user
     * who is its requester or a CC, an agent or admin who is its assignee, a follower or a CC.
     * Pass true for agents whose role gives them every ticket.
     */
    canEditTicket?: boolean;
  };
  threading: ThreadingStrength;
  /** The requester was among the To/Cc of this mail (see {@link recipientFacts}). */
  requesterWasRecipient: boolean;
  /** Someone other than the requester, the author and our support addresses was in To/Cc. */
  otherRecipients: boolean;
  settings: VisibilitySettings;
  /** The ticket was created with a private first comment and has had no public one since. */
  ticketIsPrivate: boolean;
  /**
   * What the author's Mail API commands said ({@link parseMailCommands}, agents only):
   * false for `#note` or `#public false`, true for `#public true`, undefined for neither.
   */
  commandPublic?: boolean;
  /** The mail contains text of the ticket's private comments (reference §5.5 step 9). */
  containsPrivateContent?: boolean;
}

export type UpdateSuspensionCause = 'unknown_user_update' | 'other_user_update';

export type CommentVisibility =
  | { public: boolean; reason: string }
  | { suspend: UpdateSuspensionCause; reason: string };

export const isSuspendedUpdate = (v: CommentVisibility): v is { suspend: UpdateSuspensionCause; reason: string } => 'suspend' in v;

const has = (relations: readonly TicketRelation[], ...wanted: TicketRelation[]): boolean =>
  wanted.some((r) => relations.includes(r));

const defaultCanEdit = (role: AuthorRole, relations: readonly TicketRelation[]): boolean =>
  role === 'end_user' ? has(relations, 'requester', 'cc') : has(relations, 'assignee', 'follower', 'cc', 'requester');

const privately = (reason: string): CommentVisibility => ({ public: false, reason });

/**
 * The visibility of an email comment on an existing ticket. Choices made where §5.5 is open:
 *
 * - Suspension outranks everything: a mail we cannot trust to be about this ticket (weak
 *   threading) from someone who may not update it makes no comment. The cause is
 *   `unknown_user_update` when the sender was not a user before, else `other_user_update`.
 * - With strong threading the same author adds a private note (a third party answering a
 *   notification someone forwarded them): agents see it, the requester is not told.
 * - A follower who is nothing else on the ticket always writes privately.
 * - The CC rule (step 3) is about end users, as its setting says. With the setting on, a CC
 *   who answers only us comments publicly; one who drops the requester but writes to others is
 *   having a side conversation, which stays private.
 * - Steps 4 and 5 come before the ticket's own privacy (step 8), as in the reference: an end user
 *   who is allowed to write is always public.
 * - `#public true` overrides only the account default of step 7: it cannot publish on a private
 *   ticket, for a role that may not comment publicly, or over private content.
 */
export const decideCommentVisibility = (input: CommentVisibilityInput): CommentVisibility => {
  const { author, settings } = input;
  const relations = author.relations;
  const isEndUser = author.role === 'end_user';
  const canEdit = author.canEditTicket ?? defaultCanEdit(author.role, relations);

  if (!canEdit) {
    if (input.threading === 'weak') {
      return author.known
        ? { suspend: 'other_user_update', reason: 'the sender may not update this ticket and the mail carries none of our ticket references' }
        : { suspend: 'unknown_user_update', reason: 'an unknown sender tried to update this ticket without one of our ticket references' };
    }
    return privately(
      isEndUser
        ? 'the author is neither the requester nor a CC of the ticket'
        : 'the agent is neither assignee, follower nor CC of the ticket',
    );
  }

  if (!isEndUser && has(relations, 'follower') && !has(relations, 'assignee', 'cc', 'requester')) {
    return privately('followers’ email replies are private');
  }

  if (isEndUser && has(relations, 'cc') && !has(relations, 'requester') && !input.requesterWasRecipient) {
    if (!settings.ccEndUserCommentsPublic) return privately('a CC replied without the requester, and CCs’ email comments are private');
    if (input.otherRecipients) return privately('a CC replied to other people without the requester');
  }

  if (isEndUser) return { public: true, reason: 'end users’ email comments are public' };

  if (author.canCommentPublicly === false) return privately('the author’s role may not comment publicly');
  if (input.commandPublic === false) return privately('the agent asked for a private note (#note or #public false)');
  if (!settings.agentEmailCommentsPublic && input.commandPublic !== true) {
    return privately('agents’ email comments are private by default');
  }
  if (input.ticketIsPrivate) return privately('the ticket is private');
  if (input.containsPrivateContent) return privately('the mail contains text of private comments');
  return { public: true, reason: 'agent email comment' };
};

export interface RecipientFacts {
  requesterWasRecipient: boolean;
  otherRecipients: boolean;
}

/**
 * The two recipient facts {@link decideCommentVisibility} needs, from the mail's To and Cc:
 * whether the requester was among them, and whether anyone else was who is neither the author
 * nor one of our support addresses (plus-forms included). Addresses compare case-insensitively.
 */
export const recipientFacts = (
  mail: Pick<InboundMail, 'to' | 'cc'>,
  supportAddresses: readonly SupportAddress[],
  requesterEmail: string | null,
  author: Address | string | null,
): RecipientFacts => {
  const requester = requesterEmail ? normaliseEmail(requesterEmail) : null;
  const authorEmail = typeof author === 'string' ? normaliseEmail(author) : (normaliseAddress(author)?.address ?? null);
  let requesterWasRecipient = false;
  let otherRecipients = false;
  for (const candidate of [...(mail.to ?? []), ...(mail.cc ?? [])]) {
    const address = normaliseAddress(candidate)?.address;
    if (!address) continue;
    if (address === requester) requesterWasRecipient = true;
    else if (address !== authorEmail && !isSupportAddress(address, supportAddresses)) otherRecipients = true;
  }
  return { requesterWasRecipient, otherRecipients };
};

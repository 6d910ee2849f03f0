import type { Person } from '../notification-view';

/**
 * Placeholder suppression on ticket creation (reference §4.2). Where anyone may open a ticket, a
 * spammer can send a message to any address and have the acknowledgement carry their text to it.
 * Zendesk then leaves the comment placeholders empty in trigger emails sent at creation.
 */

/**
 * The account setting. Zendesk derives it from two others ("anyone can submit tickets" on, "ask
 * users to register" off); Mailroom accepts mail from anyone, so it is one switch, off by default
 * to keep the customer's message in the acknowledgement.
 */
export const DEFAULT_SUPPRESS_PLACEHOLDERS_ON_CREATION = false;

export interface PlaceholderSuppressionInput {
  /** The account setting. */
  suppressOnCreation: boolean;
  /** What asked for the notification: emails from automations are never suppressed. */
  ruleKind: 'trigger' | 'automation';
  /** The trigger fired on the update that created the ticket. */
  firedOnTicketCreation: boolean;
  /** How the ticket was created (`via.channel`); tickets created through the API are not suppressed. */
  createdVia: string | null;
  /** Who wrote the first message; null when unknown, which suppresses nothing. */
  creatorRole: Person['role'] | 'system' | null;
  recipientRole: Person['role'];
}

/** True when every comment placeholder must render empty for this recipient. */
export const shouldSuppressCommentPlaceholders = (input: PlaceholderSuppressionInput): boolean =>
  input.suppressOnCreation &&
  input.ruleKind === 'trigger' &&
  input.firedOnTicketCreation &&
  input.createdVia !== 'api' &&
  input.creatorRole === 'end_user' &&
  input.recipientRole === 'end_user';

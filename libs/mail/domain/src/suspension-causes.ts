/**
 * Why a mail was set aside instead of becoming a ticket or a comment: Zendesk's cause names and
 * ids (reference §6.3), so an operator who knows Zendesk reads the same words, plus the text the
 * API shows. Mailroom's own limits (parse time, MIME depth, …) map onto the nearest cause and
 * say the specific reason in the suspended ticket's `error_messages`.
 */
export const SUSPENSION_CAUSES = {
  spam: { id: 0, text: 'Detected as spam' },
  not_on_whitelist: { id: 1, text: 'Sender domain not on allowlist' },
  auto_mailer: { id: 3, text: 'Automated response mail' },
  loop: { id: 4, text: 'Detected as mail loop' },
  unknown_user_update: { id: 5, text: 'Unknown user tried to update existing ticket' },
  other_user_update: { id: 6, text: 'End user only allowed to update their own tickets' },
  auto_delivery_failure: { id: 7, text: 'Automated response mail, delivery failed' },
  auto_vacation: { id: 8, text: 'Automated response mail, out of office' },
  system_user: { id: 9, text: 'Detected email as being from a system user' },
  unknown_author: { id: 10, text: 'Permission denied for unknown email submitter' },
  blank: { id: 11, text: 'Email has no content' },
  blocklisted: { id: 13, text: 'Email is from a blocklisted sender or domain' },
  backscatter: { id: 14, text: 'Backscatter from remote mail server' },
  to_noreply: { id: 16, text: 'Email for "noreply" address' },
  unprocessable_email: { id: 19, text: 'Automatic email processing failed' },
  from_support_address: { id: 22, text: 'Received from a support address' },
  content_processor_timed_out: { id: 24, text: 'Email took too long to process' },
  /** SPF/DKIM/DMARC did not prove the From domain where the sender authentication policy requires it. */
  failed_email_authentication: { id: 26, text: 'Email authentication failed' },
  from_noreply: { id: 27, text: 'Email from "noreply" address' },
  ccs_limit_reached: { id: 30, text: 'CCs/followers limit reached' },
} as const;

export type SuspensionCause = keyof typeof SUSPENSION_CAUSES;

export const isSuspensionCause = (value: string): value is SuspensionCause => Object.prototype.hasOwnProperty.call(SUSPENSION_CAUSES, value);

/** The ingest worker's decision for one mail, before any ticket command is built. */
export type MailVerdict =
  | { kind: 'accept' }
  /** Set aside, raw mail kept, recoverable through the suspended tickets API. */
  | { kind: 'suspend'; cause: SuspensionCause; detail: string; /** The ticket the mail is about, when known (a bounce of our notification). */ ticketId?: number | null }
  /** Not kept as a suspended ticket (recorded on the mail's stream only): a sender past every limit. */
  | { kind: 'reject'; detail: string };

/** Command type (routing key on the commands exchange) asking ingest to recover a suspended ticket. */
export const RECOVER_SUSPENDED_TICKET = 'ingest.recover_suspended_ticket';

/**
 * Sent by the suspended tickets API; ingest re-runs the stored raw mail through the normal flow,
 * skipping the check that suspended it. The agent becomes the requester only when the mail has
 * no usable sender of its own.
 */
export interface RecoverSuspendedTicketV1 {
  suspendedTicketId: number;
  /** The suspension being recovered (a recovered mail suspended again for another cause is a new one). */
  recoveryCount: number;
  agent: { id: number; email: string | null; name: string };
  requestedAt: string;
}

/**
 * Causes that say a machine sent the mail. A recovered mail suspended for one of them still gets
 * no automatic email back to its sender (Zendesk: notifications to bulk and automated senders stay
 * suppressed after recovery), so a recovered auto-responder cannot start a loop.
 */
export const AUTOMATED_SENDER_CAUSES: readonly SuspensionCause[] = [
  'auto_mailer',
  'auto_vacation',
  'auto_delivery_failure',
  'system_user',
  'backscatter',
  'loop',
  'from_support_address',
  'from_noreply',
];

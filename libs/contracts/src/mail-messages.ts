/** Messages of the mail stream (`mail-<mailId>`), written by ingest. */
export const mailStreamId = (mailId: string): string => `mail-${mailId}`;

export interface MailReceivedV1 {
  mailId: string;
  mailFrom: string | null;
  rcptTo: string[];
  size: number;
  remoteAddress: string | null;
  receivedAt: string;
}

/** What the ingest worker decided to do with a mail; the ticket command it sent follows. */
export interface MailRoutedV1 {
  mailId: string;
  messageId: string;
  supportAddress: string;
  outcome: 'new_ticket' | 'comment' | 'duplicate' | 'suspended' | 'rejected';
  ticketId: number | null;
  /** How the ticket was found: which threading rule matched. */
  matchedBy: 'message_id' | 'reply_to_token' | 'body_token' | 'subject_number' | null;
  /** For a duplicate: the mail it repeats. */
  duplicateOf: string | null;
  reason: string | null;
  /** For a suspended mail: Zendesk's cause name (`auto_mailer`, `loop`, …) and the suspended ticket's id. */
  cause?: string | null;
  suspendedTicketId?: number | null;
}

export type MailMessage =
  | { type: 'mail.received'; data: MailReceivedV1 }
  | { type: 'mail.routed'; data: MailRoutedV1 };

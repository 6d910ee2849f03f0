/**
 * Account settings (`/api/v2/account/settings`) live in one stream, `account`. Each change is one
 * `account.settings_changed` event carrying the whole settings after the change, so the last event
 * alone says what is in force. The ticket service writes the same value to `account.settings` in
 * the transaction that appends the event; other services read that row.
 */
export const ACCOUNT_STREAM = 'account';

/** The account email template (reference §4.3), in the notifier domain's shape. */
export interface AccountEmailTemplateV1 {
  htmlTemplate: string;
  textTemplate: string;
  delimiter: string;
  delimiterEnabled: boolean;
  simplifiedThreading: boolean;
}

export interface AccountSettingsV1 {
  emailTemplate: AccountEmailTemplateV1;
  /** Placeholder suppression on ticket creation (reference §4.2). */
  suppressPlaceholdersOnCreation: boolean;
  /**
   * Who writes public comments by email (reference §5.5). Absent in settings stored before these
   * existed: Zendesk's defaults (both on).
   */
  emailCommentVisibility?: EmailCommentVisibilityV1;
  /** The CC blocklist (reference §5.6): addresses and domains never made CCs from mail. Absent: empty. */
  ccBlocklist?: string[];
  /**
   * Customer satisfaction ratings (reference §7). Turning them on adds the standard satisfaction
   * request automation. Absent: off, as on a new Zendesk account.
   */
  customerSatisfaction?: boolean;
}

export interface EmailCommentVisibilityV1 {
  /** "Make email comments from CCed end users public". */
  ccEndUserCommentsPublic: boolean;
  /** "Agent comments via email are public by default". */
  agentEmailCommentsPublic: boolean;
}

export interface AccountSettingsChangedV1 {
  settings: AccountSettingsV1;
  /** Zendesk's names of the settings this change touched, e.g. `email.html_mail_template`. */
  changed: string[];
  changedAt: string;
}

export type AccountEvent = { type: 'account.settings_changed'; data: AccountSettingsChangedV1 };

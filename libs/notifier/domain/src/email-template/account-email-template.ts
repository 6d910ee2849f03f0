import { parseError } from '../render/bounded-liquid';

/**
 * The account email template (reference §4.3): one HTML and one plain-text template that every
 * notification is wrapped in, both parts always sent (multipart). Admin-authored Liquid with these
 * placeholders:
 *
 *   {{content}}         the notification the trigger or automation wrote (required)
 *   {{delimiter}}       the reply delimiter, when it is on
 *   {{footer}}          who sends this and, for agents, the ticket's properties; carries the
 *                       encoded ticket id that threads a reply
 *   {{footer_link}}     empty: Mailroom does not advertise itself
 *   {{quoted_content}}  the earlier conversation (simplified threading)
 *   {{styles}} {{attributes}} {{lang}}   for the HTML head and body tag
 *
 * Pure data and checks, so that the ticket service can store it behind an account settings API.
 */

export interface AccountEmailTemplate {
  htmlTemplate: string;
  textTemplate: string;
  /** The reply delimiter text (Zendesk's `mail_delimiter`). Plain text, never Liquid. */
  delimiter: string;
  /** Zendesk's `no_mail_delimiter`, the other way round. */
  delimiterEnabled: boolean;
  /**
   * Simplified threading: the earlier conversation goes into {{quoted_content}} (and the standard
   * triggers show only the newest comment). Off, {{quoted_content}} is empty.
   */
  simplifiedThreading: boolean;
}

export const DEFAULT_DELIMITER = '##- Please type your reply above this line -##';

export const DEFAULT_TEXT_EMAIL_TEMPLATE = '{{delimiter}}\n\n{{content}}\n\n{{footer}}\n\n{{quoted_content}}';

export const DEFAULT_HTML_EMAIL_TEMPLATE = [
  '<!DOCTYPE html>',
  '<html dir="auto" {{lang}}>',
  '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
  '<style>table td{border-collapse:collapse;} {{styles}}</style></head>',
  '<body {{attributes}} style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif">',
  '<div style="color:#9ca3af;font-size:12px;margin:0 0 16px">{{delimiter}}</div>',
  '<div style="font-size:14px;line-height:1.5;color:#1f2937">{{content}}</div>',
  '<div style="margin:24px 0 0;font-size:12px;color:#6b7280">{{footer}} {{footer_link}}</div>',
  '{{quoted_content}}',
  '</body>',
  '</html>',
].join('\n');

export const DEFAULT_ACCOUNT_EMAIL_TEMPLATE: Readonly<AccountEmailTemplate> = Object.freeze({
  htmlTemplate: DEFAULT_HTML_EMAIL_TEMPLATE,
  textTemplate: DEFAULT_TEXT_EMAIL_TEMPLATE,
  delimiter: DEFAULT_DELIMITER,
  delimiterEnabled: true,
  simplifiedThreading: true,
});

/** Longest template accepted, per part, in characters. */
export const MAX_EMAIL_TEMPLATE_CHARS = 65_536;
export const MAX_DELIMITER_CHARS = 200;

export const EMAIL_TEMPLATE_PLACEHOLDERS = ['content', 'delimiter', 'footer', 'footer_link', 'quoted_content', 'styles', 'attributes', 'lang'] as const;

const CONTENT = /\{\{-?\s*content\s*-?\}\}/;

export type AccountEmailTemplateValidation = { ok: true; template: AccountEmailTemplate } | { ok: false; errors: string[] };

const checkTemplate = (name: string, value: unknown, errors: string[]): void => {
  if (typeof value !== 'string') {
    errors.push(`${name} must be a string`);
    return;
  }
  if (value.length > MAX_EMAIL_TEMPLATE_CHARS) errors.push(`${name} is too long (${value.length} characters, at most ${MAX_EMAIL_TEMPLATE_CHARS})`);
  if (!CONTENT.test(value)) errors.push(`${name} must contain {{content}}`);
  const parse = value.length <= MAX_EMAIL_TEMPLATE_CHARS ? parseError(value) : null;
  if (parse) errors.push(`${name} is not valid Liquid: ${parse}`);
};

/** Checks a whole template as it would be stored; the messages name the field (for a 422). */
export const validateAccountEmailTemplate = (input: unknown): AccountEmailTemplateValidation => {
  if (typeof input !== 'object' || input === null) return { ok: false, errors: ['the email template must be an object'] };
  const t = input as Record<string, unknown>;
  const errors: string[] = [];
  checkTemplate('htmlTemplate', t.htmlTemplate, errors);
  checkTemplate('textTemplate', t.textTemplate, errors);
  if (typeof t.delimiterEnabled !== 'boolean') errors.push('delimiterEnabled must be true or false');
  if (typeof t.simplifiedThreading !== 'boolean') errors.push('simplifiedThreading must be true or false');
  if (typeof t.delimiter !== 'string') errors.push('delimiter must be a string');
  else {
    if (/[\r\n]/.test(t.delimiter)) errors.push('delimiter must be one line');
    if (t.delimiter.length > MAX_DELIMITER_CHARS) errors.push(`delimiter is too long (at most ${MAX_DELIMITER_CHARS} characters)`);
    if (t.delimiterEnabled === true && !t.delimiter.trim()) errors.push('delimiter must not be empty while it is enabled');
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    template: {
      htmlTemplate: t.htmlTemplate as string,
      textTemplate: t.textTemplate as string,
      delimiter: (t.delimiter as string).trim(),
      delimiterEnabled: t.delimiterEnabled as boolean,
      simplifiedThreading: t.simplifiedThreading as boolean,
    },
  };
};

/** Zendesk's names for these settings, as its account settings API shows them. */
export interface ZendeskEmailTemplateSettings {
  html_mail_template?: string;
  text_mail_template?: string;
  mail_delimiter?: string;
  no_mail_delimiter?: boolean;
  simplified_email_threading?: boolean;
}

/** Applies a partial update in Zendesk's names to the current template, then validates the result. */
export const applyEmailTemplateSettings = (
  current: AccountEmailTemplate,
  patch: ZendeskEmailTemplateSettings,
): AccountEmailTemplateValidation =>
  validateAccountEmailTemplate({
    htmlTemplate: patch.html_mail_template ?? current.htmlTemplate,
    textTemplate: patch.text_mail_template ?? current.textTemplate,
    delimiter: patch.mail_delimiter ?? current.delimiter,
    delimiterEnabled: patch.no_mail_delimiter === undefined ? current.delimiterEnabled : !patch.no_mail_delimiter,
    simplifiedThreading: patch.simplified_email_threading ?? current.simplifiedThreading,
  });

export const toZendeskEmailTemplateSettings = (t: AccountEmailTemplate): Required<ZendeskEmailTemplateSettings> => ({
  html_mail_template: t.htmlTemplate,
  text_mail_template: t.textTemplate,
  mail_delimiter: t.delimiter,
  no_mail_delimiter: !t.delimiterEnabled,
  simplified_email_threading: t.simplifiedThreading,
});

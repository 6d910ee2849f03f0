import type { AccountSettingsV1, EmailCommentVisibilityV1 } from '@mailroom/contracts';
import { DEFAULT_VISIBILITY_SETTINGS, parseCcBlocklist } from '@mailroom/mail-domain';
import {
  applyEmailTemplateSettings,
  DEFAULT_ACCOUNT_EMAIL_TEMPLATE,
  DEFAULT_SUPPRESS_PLACEHOLDERS_ON_CREATION,
  toZendeskEmailTemplateSettings,
  type ZendeskEmailTemplateSettings,
} from '@mailroom/notifier-domain';

/**
 * The account settings Mailroom has, in Zendesk's `/api/v2/account/settings` shape: the email
 * template (reference §4.3) under `email`; placeholder suppression on creation (§4.2), who
 * comments publicly by email (§5.5) and the CC blocklist (§5.6) under `tickets`; satisfaction
 * ratings (§7) under `customer_satisfaction.enabled`. Pure: parse a
 * PUT body, apply it to the current settings, validate the result.
 *
 * Zendesk keeps the last three in its admin pages only; their API names here are Mailroom's.
 */

export const DEFAULT_ACCOUNT_SETTINGS: Readonly<AccountSettingsV1> = Object.freeze({
  emailTemplate: { ...DEFAULT_ACCOUNT_EMAIL_TEMPLATE },
  suppressPlaceholdersOnCreation: DEFAULT_SUPPRESS_PLACEHOLDERS_ON_CREATION,
  emailCommentVisibility: { ...DEFAULT_VISIBILITY_SETTINGS },
  ccBlocklist: [],
  customerSatisfaction: false,
});

/** Settings stored before a setting existed take its default. */
export const withDefaultSettings = (s: AccountSettingsV1): Required<AccountSettingsV1> => ({
  emailTemplate: s.emailTemplate,
  suppressPlaceholdersOnCreation: s.suppressPlaceholdersOnCreation,
  emailCommentVisibility: s.emailCommentVisibility ?? { ...DEFAULT_VISIBILITY_SETTINGS },
  ccBlocklist: s.ccBlocklist ?? [],
  customerSatisfaction: s.customerSatisfaction ?? false,
});

/** What GET shows. */
export const toZendeskAccountSettings = (stored: AccountSettingsV1): { settings: Record<string, Record<string, unknown>> } => {
  const s = withDefaultSettings(stored);
  return {
    settings: {
      tickets: {
        suppress_placeholders_on_creation: s.suppressPlaceholdersOnCreation,
        email_comments_public_by_default: s.emailCommentVisibility.agentEmailCommentsPublic,
        cc_end_user_email_comments_public: s.emailCommentVisibility.ccEndUserCommentsPublic,
        email_cc_blocklist: s.ccBlocklist.join(' '),
      },
      email: {
        ...toZendeskEmailTemplateSettings(s.emailTemplate),
        // Facts of how Mailroom sends, shown as Zendesk shows them; not settable.
        modern_email_template: true,
        rich_content_in_emails: true,
      },
      customer_satisfaction: { enabled: s.customerSatisfaction },
    },
  };
};

export interface SettingsFieldError {
  /** `email.html_mail_template`, `tickets.suppress_placeholders_on_creation`, … */
  field: string;
  description: string;
}

export type SettingsChange = { ok: true; settings: AccountSettingsV1; changed: string[] } | { ok: false; errors: SettingsFieldError[] };

const EMAIL_STRINGS = ['html_mail_template', 'text_mail_template', 'mail_delimiter'] as const;
const EMAIL_BOOLEANS = ['no_mail_delimiter', 'simplified_email_threading'] as const;
const EMAIL_READ_ONLY = ['modern_email_template', 'rich_content_in_emails'] as const;
const TICKET_BOOLEANS = ['suppress_placeholders_on_creation', 'email_comments_public_by_default', 'cc_end_user_email_comments_public'] as const;
const MAX_BLOCKLIST_ENTRIES = 1000;
/** An address (`name@example.com`) or a whole domain (`example.com`, `@example.com`). */
const BLOCKLIST_ENTRY = /^(?:[^\s@]+@|@)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;

/** The blocklist as Zendesk's admin page takes it: text, entries apart by spaces, commas or lines. */
const parseBlocklistSetting = (value: unknown): { entries: string[] } | { error: string } => {
  const entries = typeof value === 'string' ? parseCcBlocklist(value) : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.flatMap((v) => parseCcBlocklist(v)) : null;
  if (entries === null) return { error: 'email_cc_blocklist: must be text (addresses and domains apart by spaces) or a list of them' };
  const bad = entries.filter((e) => !BLOCKLIST_ENTRY.test(e));
  if (bad.length) return { error: `email_cc_blocklist: ${bad.slice(0, 3).map((e) => JSON.stringify(e)).join(', ')} ${bad.length === 1 ? 'is neither an email address nor a domain' : 'are neither email addresses nor domains'}` };
  const unique = [...new Set(entries.map((e) => e.toLowerCase()))];
  if (unique.length > MAX_BLOCKLIST_ENTRIES) return { error: `email_cc_blocklist: has ${unique.length} entries, at most ${MAX_BLOCKLIST_ENTRIES}` };
  return { entries: unique };
};

/** The notifier domain's field names, mapped back to Zendesk's for the error details. */
const DOMAIN_FIELD: Record<string, string> = {
  htmlTemplate: 'email.html_mail_template',
  textTemplate: 'email.text_mail_template',
  delimiter: 'email.mail_delimiter',
  delimiterEnabled: 'email.no_mail_delimiter',
  simplifiedThreading: 'email.simplified_email_threading',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Applies `{settings: {email: {...}, tickets: {...}}}` to the current settings. Unknown sections
 * and keys are refused rather than ignored, so an admin never believes a setting took effect that
 * Mailroom does not have; read-only keys are accepted when they repeat the value shown.
 */
export const changeAccountSettings = (current: AccountSettingsV1, body: unknown): SettingsChange => {
  const errors: SettingsFieldError[] = [];
  const settings = isObject(body) ? body.settings : undefined;
  if (!isObject(settings)) return { ok: false, errors: [{ field: 'settings', description: 'The body must be {"settings": {...}}' }] };
  const shown = toZendeskAccountSettings(current).settings;
  for (const section of Object.keys(settings)) {
    if (section !== 'email' && section !== 'tickets' && section !== 'customer_satisfaction') errors.push({ field: section, description: `${section}: is not an account setting Mailroom has` });
    else if (!isObject(settings[section])) errors.push({ field: section, description: `${section}: must be an object` });
  }
  const email = isObject(settings.email) ? settings.email : {};
  const tickets = isObject(settings.tickets) ? settings.tickets : {};
  const satisfaction = isObject(settings.customer_satisfaction) ? settings.customer_satisfaction : {};
  const patch: ZendeskEmailTemplateSettings = {};
  const changed: string[] = [];
  for (const [key, value] of Object.entries(email)) {
    const field = `email.${key}`;
    if ((EMAIL_STRINGS as readonly string[]).includes(key)) {
      if (typeof value !== 'string') errors.push({ field, description: `${key}: must be text` });
      else (patch as Record<string, unknown>)[key] = value;
    } else if ((EMAIL_BOOLEANS as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') errors.push({ field, description: `${key}: must be true or false` });
      else (patch as Record<string, unknown>)[key] = value;
    } else if ((EMAIL_READ_ONLY as readonly string[]).includes(key)) {
      if (value !== shown.email[key]) errors.push({ field, description: `${key}: is read-only` });
    } else errors.push({ field, description: `${key}: is not an email setting Mailroom has` });
  }
  const base = withDefaultSettings(current);
  let suppress = base.suppressPlaceholdersOnCreation;
  const visibility: EmailCommentVisibilityV1 = { ...base.emailCommentVisibility };
  let blocklist = base.ccBlocklist;
  for (const [key, value] of Object.entries(tickets)) {
    const field = `tickets.${key}`;
    if (key === 'email_cc_blocklist') {
      const parsed = parseBlocklistSetting(value);
      if ('error' in parsed) errors.push({ field, description: parsed.error });
      else blocklist = parsed.entries;
    } else if (!(TICKET_BOOLEANS as readonly string[]).includes(key)) errors.push({ field, description: `${key}: is not a ticket setting Mailroom has` });
    else if (typeof value !== 'boolean') errors.push({ field, description: `${key}: must be true or false` });
    else if (key === 'suppress_placeholders_on_creation') suppress = value;
    else if (key === 'email_comments_public_by_default') visibility.agentEmailCommentsPublic = value;
    else visibility.ccEndUserCommentsPublic = value;
  }
  let customerSatisfaction = base.customerSatisfaction;
  for (const [key, value] of Object.entries(satisfaction)) {
    const field = `customer_satisfaction.${key}`;
    if (key !== 'enabled') errors.push({ field, description: `${key}: is not a customer satisfaction setting Mailroom has` });
    else if (typeof value !== 'boolean') errors.push({ field, description: `${key}: must be true or false` });
    else customerSatisfaction = value;
  }
  if (errors.length) return { ok: false, errors };
  const template = applyEmailTemplateSettings(current.emailTemplate, patch);
  if (!template.ok) {
    return {
      ok: false,
      errors: template.errors.map((message) => {
        const name = Object.keys(DOMAIN_FIELD).find((k) => message.startsWith(`${k} `));
        const field = name ? DOMAIN_FIELD[name] : 'email';
        const zendeskName = field.split('.').pop()!;
        return { field, description: name ? `${zendeskName}${message.slice(name.length)}` : message };
      }),
    };
  }
  const before = toZendeskAccountSettings(current).settings;
  const next: AccountSettingsV1 = { emailTemplate: template.template, suppressPlaceholdersOnCreation: suppress, emailCommentVisibility: visibility, ccBlocklist: blocklist, customerSatisfaction };
  const after = toZendeskAccountSettings(next).settings;
  for (const section of ['email', 'tickets', 'customer_satisfaction'] as const) {
    for (const key of Object.keys(after[section])) if (after[section][key] !== before[section][key]) changed.push(`${section}.${key}`);
  }
  return { ok: true, settings: next, changed };
};

/** Zendesk's 422 body for settings errors. */
export const settingsErrorBody = (errors: SettingsFieldError[]): Record<string, unknown> => ({
  error: 'RecordInvalid',
  description: 'Record validation errors',
  details: Object.fromEntries(
    [...new Set(errors.map((e) => e.field))].map((field) => [field, errors.filter((e) => e.field === field).map((e) => ({ description: e.description, error: 'InvalidValue' }))]),
  ),
});

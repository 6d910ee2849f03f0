import { DEFAULT_ACCOUNT_EMAIL_TEMPLATE } from '@mailroom/notifier-domain';
import { changeAccountSettings, DEFAULT_ACCOUNT_SETTINGS, settingsErrorBody, toZendeskAccountSettings } from './account-settings';

const current = { ...DEFAULT_ACCOUNT_SETTINGS, emailTemplate: { ...DEFAULT_ACCOUNT_SETTINGS.emailTemplate } };

describe('account settings', () => {
  it('shows the email template under Zendesk’s names', () => {
    expect(toZendeskAccountSettings(current).settings.email).toMatchObject({
      html_mail_template: DEFAULT_ACCOUNT_EMAIL_TEMPLATE.htmlTemplate,
      text_mail_template: DEFAULT_ACCOUNT_EMAIL_TEMPLATE.textTemplate,
      mail_delimiter: DEFAULT_ACCOUNT_EMAIL_TEMPLATE.delimiter,
      no_mail_delimiter: false,
      simplified_email_threading: true,
    });
    expect(toZendeskAccountSettings(current).settings.tickets).toEqual({ suppress_placeholders_on_creation: false });
  });

  it('applies a partial change and names what changed', () => {
    const r = changeAccountSettings(current, { settings: { email: { text_mail_template: 'Hi!\n{{content}}\n{{footer}}', no_mail_delimiter: true }, tickets: { suppress_placeholders_on_creation: true } } });
    expect(r).toMatchObject({ ok: true, changed: ['email.text_mail_template', 'email.no_mail_delimiter', 'tickets.suppress_placeholders_on_creation'] });
    expect(r.ok && r.settings).toEqual({
      emailTemplate: { ...DEFAULT_ACCOUNT_EMAIL_TEMPLATE, textTemplate: 'Hi!\n{{content}}\n{{footer}}', delimiterEnabled: false },
      suppressPlaceholdersOnCreation: true,
    });
  });

  it('accepts the settings it showed, unchanged, as a change of nothing', () => {
    expect(changeAccountSettings(current, toZendeskAccountSettings(current))).toMatchObject({ ok: true, changed: [] });
  });

  it('refuses a template without {{content}} or with broken Liquid, naming Zendesk’s field', () => {
    const r = changeAccountSettings(current, { settings: { email: { html_mail_template: '<p>{{footer}}</p>', text_mail_template: '{{content}} {% if %}' } } });
    expect(r.ok).toBe(false);
    const body = settingsErrorBody(r.ok ? [] : r.errors) as { error: string; details: Record<string, { description: string }[]> };
    expect(body.error).toBe('RecordInvalid');
    expect(body.details['email.html_mail_template'][0].description).toBe('html_mail_template must contain {{content}}');
    expect(body.details['email.text_mail_template'][0].description).toMatch(/^text_mail_template is not valid Liquid/);
  });

  it('refuses unknown settings, wrong types and read-only changes rather than ignoring them', () => {
    const r = changeAccountSettings(current, {
      settings: { email: { mail_delimiter: 5, modern_email_template: false, html_template: 'x' }, tickets: { suppress_placeholders_on_creation: 'yes' }, branding: {} },
    });
    expect(r.ok ? [] : r.errors.map((e) => e.field).sort()).toEqual(['branding', 'email.html_template', 'email.mail_delimiter', 'email.modern_email_template', 'tickets.suppress_placeholders_on_creation']);
    expect(changeAccountSettings(current, { email: {} })).toMatchObject({ ok: false, errors: [{ field: 'settings' }] });
  });

  it('refuses an empty delimiter while the delimiter is on', () => {
    const r = changeAccountSettings(current, { settings: { email: { mail_delimiter: '   ' } } });
    expect(r).toMatchObject({ ok: false, errors: [{ field: 'email.mail_delimiter' }] });
  });
});

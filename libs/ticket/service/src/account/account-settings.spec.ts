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
    expect(toZendeskAccountSettings(current).settings.tickets).toEqual({
      suppress_placeholders_on_creation: false,
      email_comments_public_by_default: true,
      cc_end_user_email_comments_public: true,
      email_cc_blocklist: '',
    });
  });

  it('applies a partial change and names what changed', () => {
    const r = changeAccountSettings(current, { settings: { email: { text_mail_template: 'Hi!\n{{content}}\n{{footer}}', no_mail_delimiter: true }, tickets: { suppress_placeholders_on_creation: true } } });
    expect(r).toMatchObject({ ok: true, changed: ['email.text_mail_template', 'email.no_mail_delimiter', 'tickets.suppress_placeholders_on_creation'] });
    expect(r.ok && r.settings).toEqual({
      emailTemplate: { ...DEFAULT_ACCOUNT_EMAIL_TEMPLATE, textTemplate: 'Hi!\n{{content}}\n{{footer}}', delimiterEnabled: false },
      suppressPlaceholdersOnCreation: true,
      emailCommentVisibility: { ccEndUserCommentsPublic: true, agentEmailCommentsPublic: true },
      ccBlocklist: [],
      customerSatisfaction: false,
    });
  });

  it('turns satisfaction ratings on and off under customer_satisfaction.enabled, off by default', () => {
    expect(toZendeskAccountSettings(current).settings.customer_satisfaction).toEqual({ enabled: false });
    const on = changeAccountSettings(current, { settings: { customer_satisfaction: { enabled: true } } });
    expect(on).toMatchObject({ ok: true, changed: ['customer_satisfaction.enabled'], settings: { customerSatisfaction: true } });
    const bad = changeAccountSettings(current, { settings: { customer_satisfaction: { enabled: 'yes', survey: 'long' } } });
    expect(bad.ok ? [] : bad.errors.map((e) => e.field)).toEqual(['customer_satisfaction.enabled', 'customer_satisfaction.survey']);
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

  it('sets who comments publicly by email and the CC blocklist, normalised', () => {
    const r = changeAccountSettings(current, {
      settings: { tickets: { email_comments_public_by_default: false, cc_end_user_email_comments_public: false, email_cc_blocklist: 'Boss@Partner.test,\n@noreply.test  example.org boss@partner.test' } },
    });
    expect(r).toMatchObject({ ok: true, changed: ['tickets.email_comments_public_by_default', 'tickets.cc_end_user_email_comments_public', 'tickets.email_cc_blocklist'] });
    if (!r.ok) return;
    expect(r.settings.emailCommentVisibility).toEqual({ ccEndUserCommentsPublic: false, agentEmailCommentsPublic: false });
    expect(r.settings.ccBlocklist).toEqual(['boss@partner.test', '@noreply.test', 'example.org']);
    expect(toZendeskAccountSettings(r.settings).settings.tickets.email_cc_blocklist).toBe('boss@partner.test @noreply.test example.org');
    // A list is taken too; an empty text clears it.
    const list = changeAccountSettings(r.settings, { settings: { tickets: { email_cc_blocklist: ['a.test', 'b@c.test'] } } });
    expect(list.ok && list.settings.ccBlocklist).toEqual(['a.test', 'b@c.test']);
    const cleared = changeAccountSettings(r.settings, { settings: { tickets: { email_cc_blocklist: '' } } });
    expect(cleared.ok && cleared.settings.ccBlocklist).toEqual([]);
  });

  it('refuses blocklist entries that are neither addresses nor domains, and wrong types', () => {
    const r = changeAccountSettings(current, { settings: { tickets: { email_cc_blocklist: 'fine.test nodot http://x.test/', cc_end_user_email_comments_public: 'off' } } });
    expect(r.ok).toBe(false);
    const body = settingsErrorBody(r.ok ? [] : r.errors) as { details: Record<string, { description: string }[]> };
    expect(body.details['tickets.email_cc_blocklist'][0].description).toBe('email_cc_blocklist: "nodot", "http://x.test/" are neither email addresses nor domains');
    expect(body.details['tickets.cc_end_user_email_comments_public'][0].description).toBe('cc_end_user_email_comments_public: must be true or false');
    expect(changeAccountSettings(current, { settings: { tickets: { email_cc_blocklist: 5 } } })).toMatchObject({ ok: false, errors: [{ field: 'tickets.email_cc_blocklist' }] });
    const many = Array.from({ length: 1001 }, (_, i) => `d${i}.test`).join(' ');
    expect(changeAccountSettings(current, { settings: { tickets: { email_cc_blocklist: many } } })).toMatchObject({ ok: false, errors: [{ description: 'email_cc_blocklist: has 1001 entries, at most 1000' }] });
  });

  it('gives settings stored before these existed Zendesk’s defaults', () => {
    const old = { emailTemplate: { ...DEFAULT_ACCOUNT_EMAIL_TEMPLATE }, suppressPlaceholdersOnCreation: true };
    expect(toZendeskAccountSettings(old).settings.tickets).toMatchObject({ email_comments_public_by_default: true, cc_end_user_email_comments_public: true, email_cc_blocklist: '' });
    expect(changeAccountSettings(old, { settings: { tickets: { email_cc_blocklist: 'x.test' } } })).toMatchObject({ ok: true, changed: ['tickets.email_cc_blocklist'], settings: { suppressPlaceholdersOnCreation: true } });
  });
});

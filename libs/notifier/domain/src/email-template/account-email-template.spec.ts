import {
  DEFAULT_ACCOUNT_EMAIL_TEMPLATE,
  DEFAULT_DELIMITER,
  MAX_EMAIL_TEMPLATE_CHARS,
  applyEmailTemplateSettings,
  toZendeskEmailTemplateSettings,
  validateAccountEmailTemplate,
} from './account-email-template';

const valid = { ...DEFAULT_ACCOUNT_EMAIL_TEMPLATE };
const errorsOf = (input: unknown) => {
  const r = validateAccountEmailTemplate(input);
  return r.ok ? [] : r.errors;
};

describe('the account email template', () => {
  it('has defaults that pass its own checks, with every part in place', () => {
    expect(validateAccountEmailTemplate(valid)).toEqual({ ok: true, template: valid });
    for (const p of ['{{content}}', '{{delimiter}}', '{{footer}}', '{{quoted_content}}']) {
      expect(DEFAULT_ACCOUNT_EMAIL_TEMPLATE.textTemplate).toContain(p);
      expect(DEFAULT_ACCOUNT_EMAIL_TEMPLATE.htmlTemplate).toContain(p);
    }
    expect(DEFAULT_ACCOUNT_EMAIL_TEMPLATE).toMatchObject({ delimiter: DEFAULT_DELIMITER, delimiterEnabled: true, simplifiedThreading: true });
  });

  it('must contain {{content}} in both parts', () => {
    expect(errorsOf({ ...valid, htmlTemplate: '<p>{{footer}}</p>' })).toEqual(['htmlTemplate must contain {{content}}']);
    expect(errorsOf({ ...valid, textTemplate: '{{ content }}' })).toEqual([]);
    expect(errorsOf({ ...valid, textTemplate: 'content' })).toEqual(['textTemplate must contain {{content}}']);
  });

  it('refuses templates over the size limit, broken Liquid, and wrong types', () => {
    expect(errorsOf({ ...valid, textTemplate: `{{content}}${'x'.repeat(MAX_EMAIL_TEMPLATE_CHARS)}` })).toEqual([
      `textTemplate is too long (${MAX_EMAIL_TEMPLATE_CHARS + 11} characters, at most ${MAX_EMAIL_TEMPLATE_CHARS})`,
    ]);
    expect(errorsOf({ ...valid, htmlTemplate: '{{content}}{% if x %}' })).toEqual([expect.stringMatching(/^htmlTemplate is not valid Liquid: tag .*not closed/)]);
    expect(errorsOf({ ...valid, delimiterEnabled: 'yes', textTemplate: 7 })).toEqual(['textTemplate must be a string', 'delimiterEnabled must be true or false']);
    expect(errorsOf(null)).toEqual(['the email template must be an object']);
  });

  it('wants a one-line delimiter, not empty while it is on', () => {
    expect(errorsOf({ ...valid, delimiter: 'two\nlines' })).toEqual(['delimiter must be one line']);
    expect(errorsOf({ ...valid, delimiter: ' ' })).toEqual(['delimiter must not be empty while it is enabled']);
    expect(errorsOf({ ...valid, delimiter: '', delimiterEnabled: false })).toEqual([]);
    expect(errorsOf({ ...valid, delimiter: 'x'.repeat(201) })).toEqual(['delimiter is too long (at most 200 characters)']);
  });

  it('takes partial updates in Zendesk\'s setting names and gives them back', () => {
    const r = applyEmailTemplateSettings(valid, { text_mail_template: '{{content}}\n\n{{footer}}', no_mail_delimiter: true });
    expect(r).toEqual({ ok: true, template: { ...valid, textTemplate: '{{content}}\n\n{{footer}}', delimiterEnabled: false } });
    if (!r.ok) return;
    expect(toZendeskEmailTemplateSettings(r.template)).toMatchObject({ no_mail_delimiter: true, mail_delimiter: DEFAULT_DELIMITER, simplified_email_threading: true });
    expect(applyEmailTemplateSettings(valid, { html_mail_template: 'no content' })).toMatchObject({ ok: false });
  });
});

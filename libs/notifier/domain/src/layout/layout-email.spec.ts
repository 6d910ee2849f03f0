import { composeEmail } from '../compose-email';
import { DEFAULT_ACCOUNT_EMAIL_TEMPLATE, type AccountEmailTemplate } from '../email-template/account-email-template';
import { alice, carol, comment, smith, viewOf } from '../test-fixtures';
import { DEFAULT_DELIMITER, type LayoutInput, layoutEmail } from './layout-email';

const view = viewOf();
const laidOut = (recipient = alice, extra: Partial<LayoutInput> = {}) => {
  const result = layoutEmail({ renderedText: 'Hello there.', renderedHtml: '<p>Hello there.</p>', view, recipient, ...extra });
  if (!result.ok) throw new Error(result.error);
  return result;
};
const withTemplate = (t: Partial<AccountEmailTemplate>): AccountEmailTemplate => ({ ...DEFAULT_ACCOUNT_EMAIL_TEMPLATE, ...t });
const inOrder = (text: string, parts: string[]) => {
  const at = parts.map((p) => text.indexOf(p));
  expect(at.every((i) => i >= 0)).toBe(true);
  expect(at).toEqual([...at].sort((a, b) => a - b));
};

describe('the email layout with the default account template', () => {
  it('puts the reply delimiter first, then the content, the footer with the encoded id, then the history', () => {
    const { text } = laidOut();
    expect(text.split('\n')[0]).toBe(DEFAULT_DELIMITER);
    inOrder(text, [DEFAULT_DELIMITER, 'Hello there.', 'You are receiving this message from Acme Support support.', '[ABC123-XY9Z]', 'wrote:']);
  });

  it('carries the delimiter, the content unescaped and a hidden encoded id in the HTML part', () => {
    const { html } = laidOut();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<html dir="auto" lang="en">');
    inOrder(html, [DEFAULT_DELIMITER, '<p>Hello there.</p>', 'Acme Support support.', '[ABC123-XY9Z]</span>', '<blockquote']);
    expect(html).toMatch(/<span style="[^"]*display:none[^"]*">\[ABC123-XY9Z\]<\/span>/);
  });

  it('quotes the earlier conversation the recipient may see, newest first, never the private note to an end user', () => {
    const forCustomer = laidOut(alice);
    expect(forCustomer.text).toContain('On March 1, 2026 09:00, Alice van der Berg wrote:\n> The printer is on fire.\n> Please help.');
    // The newest comment is the content's business, not the history's.
    expect(forCustomer.text).not.toContain('Unplug it');
    expect(forCustomer.text + forCustomer.html).not.toContain('SECRET');
    expect(forCustomer.html).toContain('<blockquote');

    const forAgent = laidOut(smith);
    expect(forAgent.text.indexOf('SECRET')).toBeGreaterThan(0);
    expect(forAgent.text.indexOf('SECRET')).toBeLessThan(forAgent.text.indexOf('The printer is on fire'));
  });

  it('shows a CC only the public history', () => {
    const agentCc = { ...carol, role: 'agent' as const };
    const { text, html } = laidOut(agentCc, { view: viewOf({ ccs: [agentCc] }) });
    expect(text + html).not.toContain('SECRET');
    expect(text).toContain('The printer is on fire');
  });

  it('shows ticket properties under the footer to agents only', () => {
    expect(laidOut(smith).text).toContain('Ticket #42 · Status: on-hold · Priority: high · Requester: Alice van der Berg');
    expect(laidOut(alice).text).not.toContain('Status:');
  });

  it('escapes quoted customer text in HTML and keeps its Liquid literal', () => {
    const earlier = comment({ id: 1, body: '<b>bold</b> {{ticket.id}} {% for x in (1..3) %}x{% endfor %}', createdAt: '2026-01-01T00:00:00Z' });
    const later = comment({ id: 2, body: 'later', createdAt: '2026-01-02T00:00:00Z' });
    const result = layoutEmail({ renderedText: '', renderedHtml: '', view: viewOf({ comments: [earlier, later] }), recipient: alice });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.html).toContain('&lt;b&gt;bold&lt;/b&gt; {{ticket.id}} {% for x in (1..3) %}x{% endfor %}');
    expect(result.text).toContain('> <b>bold</b> {{ticket.id}} {% for x in (1..3) %}x{% endfor %}');
  });

  it('treats rendered content as data: Liquid in it is not run by the account template', () => {
    const { text, html } = laidOut(alice, { renderedText: '{{footer}} {% if true %}yes{% endif %}', renderedHtml: '<p>{{footer}}</p>' });
    expect(text).toContain('{{footer}} {% if true %}yes{% endif %}');
    expect(html).toContain('<p>{{footer}}</p>');
  });
});

describe('the email layout with an account template', () => {
  it('renders the admin\'s own text and HTML templates around the content', () => {
    const template = withTemplate({
      textTemplate: 'Hi!\n{{delimiter}}\n{{content}}\n==\n{{footer}}\n{{quoted_content}}',
      htmlTemplate: '<html><body><h1>Acme</h1><i>{{delimiter}}</i>{{content}}<footer>{{footer}}</footer>{{quoted_content}}</body></html>',
    });
    const { text, html } = laidOut(alice, { template });
    inOrder(text, ['Hi!', DEFAULT_DELIMITER, 'Hello there.', '==', '[ABC123-XY9Z]', 'Alice van der Berg wrote:']);
    inOrder(html, ['<h1>Acme</h1>', `<i>${DEFAULT_DELIMITER}</i>`, '<p>Hello there.</p>', '<footer>', '[ABC123-XY9Z]', '<blockquote']);
  });

  it('keeps the encoded id above the history and the delimiter on top when the template leaves them out', () => {
    const template = withTemplate({ textTemplate: '{{content}}\n{{quoted_content}}', htmlTemplate: '<body>{{content}}{{quoted_content}}</body>' });
    const { text, html } = laidOut(alice, { template });
    expect(text.startsWith(`${DEFAULT_DELIMITER}\n\nHello there.`)).toBe(true);
    inOrder(text, ['Hello there.', '[ABC123-XY9Z]', 'wrote:']);
    inOrder(html, ['<p>Hello there.</p>', '[ABC123-XY9Z]</span>', '<blockquote']);
    const bare = laidOut(alice, { template: withTemplate({ textTemplate: '{{content}}', htmlTemplate: '{{content}}' }) });
    expect(bare.text.endsWith('[ABC123-XY9Z]')).toBe(true);
    expect(bare.html).toContain('[ABC123-XY9Z]</span>');
  });

  it('uses the account\'s delimiter, escaped in HTML, or none when it is turned off', () => {
    const own = laidOut(alice, { template: withTemplate({ delimiter: '-- Reply <above> & here --' }) });
    expect(own.text.startsWith('-- Reply <above> & here --\n')).toBe(true);
    expect(own.html).toContain('-- Reply &lt;above&gt; &amp; here --');
    const none = laidOut(alice, { template: withTemplate({ delimiterEnabled: false }) });
    expect(none.text.startsWith('Hello there.')).toBe(true);
    expect(none.text + none.html).not.toContain(DEFAULT_DELIMITER);
  });

  it('leaves the quoted history out without simplified threading, or when asked to', () => {
    expect(laidOut(alice, { template: withTemplate({ simplifiedThreading: false }) }).text).not.toContain('wrote:');
    expect(laidOut(alice, { withoutQuotedContent: true }).html).not.toContain('<blockquote');
  });

  it.each([
    ['a syntax error', '{{content}} {% if %}', /^HTML email template could not be rendered/],
    ['an endless loop', '{{content}}{% for i in (1..100000000) %}x{% endfor %}', /^HTML email template could not be rendered: memory alloc limit exceeded/],
    ['huge output', `{{content}}{% for i in (1..2000) %}${'x'.repeat(1000)}{% endfor %}`, /^HTML email template is too large once rendered/],
  ])('fails with a message, not an exception, on %s in the account template', (_, htmlTemplate, message) => {
    const result = layoutEmail({ renderedText: 'a', renderedHtml: 'a', view, recipient: alice, template: withTemplate({ htmlTemplate }) });
    expect(result).toEqual({ ok: false, error: expect.stringMatching(message) });
  });
});

describe('composing an email', () => {
  it('renders the templates and lays them out in both parts', () => {
    const result = composeEmail({ subject: 'Re: {{ticket.title}}', body: '{{ticket.latest_public_comment_html}}' }, view, alice);
    expect(result).toMatchObject({ ok: true, subject: 'Re: Printer on fire' });
    if (!result.ok) return;
    expect(result.text).toContain('Unplug it, then call us.');
    expect(result.text).toContain('[ABC123-XY9Z]');
    expect(result.html).toContain('<p style="margin:0 0 12px">Unplug it, then call us.</p>');
  });

  it('always gives a text part and an HTML part, whatever the trigger wrote', () => {
    for (const body of ['', 'Plain words.', '<p>Admin <b>HTML</b></p>']) {
      const result = composeEmail({ subject: 's', body }, view, smith);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.text).toContain(DEFAULT_DELIMITER);
      expect(result.html).toContain('</html>');
    }
  });

  it('uses simplified threading by default: the newest comment as content, the rest quoted', () => {
    const result = composeEmail({ subject: 's', body: '{{ticket.latest_comment_html}}' }, view, alice);
    if (!result.ok) throw new Error(result.error);
    const [content, history] = result.text.split('[ABC123-XY9Z]');
    expect(content).toContain('Unplug it, then call us.');
    expect(content).not.toContain('The printer is on fire');
    expect(history).toContain('> The printer is on fire.');
  });

  it('passes a render failure on instead of sending a half-made email', () => {
    expect(composeEmail({ subject: 's', body: '{% endfor %}' }, view, alice)).toMatchObject({ ok: false });
    const broken = { ...DEFAULT_ACCOUNT_EMAIL_TEMPLATE, textTemplate: '{{content}} {% unknown %}' };
    expect(composeEmail({ subject: 's', body: 'b' }, view, alice, { emailTemplate: broken })).toEqual({
      ok: false,
      error: expect.stringMatching(/^text email template could not be rendered/),
    });
  });
});

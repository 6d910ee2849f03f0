import { composeEmail } from '../compose-email';
import { alice, comment, smith, viewOf } from '../test-fixtures';
import { DEFAULT_DELIMITER, layoutEmail } from './layout-email';

const view = viewOf();
const laidOut = (recipient = alice, extra: Partial<Parameters<typeof layoutEmail>[0]> = {}) =>
  layoutEmail({ renderedText: 'Hello there.', renderedHtml: '<p>Hello there.</p>', view, recipient, ...extra });

describe('the email layout', () => {
  it('puts the reply delimiter first, then the content, the footer and the encoded ticket id', () => {
    const { text } = laidOut();
    const lines = text.split('\n');
    expect(lines[0]).toBe(DEFAULT_DELIMITER);
    const order = ['Hello there.', 'You are receiving this message from Acme Support support.', '[ABC123-XY9Z]'].map((s) =>
      text.indexOf(s),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('carries the delimiter and a hidden encoded id in the HTML part', () => {
    const { html } = laidOut();
    expect(html.indexOf(DEFAULT_DELIMITER)).toBeLessThan(html.indexOf('<p>Hello there.</p>'));
    expect(html).toMatch(/<span style="[^"]*display:none[^"]*">\[ABC123-XY9Z\]<\/span>/);
  });

  it('quotes the earlier conversation the recipient may see, newest first, never the private note to an end user', () => {
    const forCustomer = laidOut(alice);
    expect(forCustomer.text).toContain('On March 1, 2026 09:00, Alice van der Berg wrote:\n> The printer is on fire.\n> Please help.');
    expect(forCustomer.text).not.toContain('Unplug it');
    expect(forCustomer.text + forCustomer.html).not.toContain('SECRET');
    expect(forCustomer.html).toContain('<blockquote');

    const forAgent = laidOut(smith);
    expect(forAgent.text.indexOf('SECRET')).toBeGreaterThan(0);
    expect(forAgent.text.indexOf('SECRET')).toBeLessThan(forAgent.text.indexOf('The printer is on fire'));
  });

  it('shows ticket properties under the footer to agents only', () => {
    expect(laidOut(smith).text).toContain('Ticket #42 · Status: on-hold · Priority: high · Requester: Alice van der Berg');
    expect(laidOut(alice).text).not.toContain('Status:');
  });

  it('escapes a custom footer and delimiter in HTML, and can leave out the quoted history', () => {
    const { text, html } = laidOut(alice, { footer: 'Acme <Support> & Co', delimiter: '-- reply above --', quotedContent: false });
    expect(text.startsWith('-- reply above --\n')).toBe(true);
    expect(html).toContain('Acme &lt;Support&gt; &amp; Co');
    expect(text).not.toContain('wrote:');
  });

  it('escapes quoted customer text in HTML', () => {
    const earlier = comment({ id: 1, body: '<b>bold</b> {{ticket.id}}', createdAt: '2026-01-01T00:00:00Z' });
    const later = comment({ id: 2, body: 'later', createdAt: '2026-01-02T00:00:00Z' });
    const { html } = layoutEmail({
      renderedText: '',
      renderedHtml: '',
      view: viewOf({ comments: [earlier, later] }),
      recipient: alice,
    });
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt; {{ticket.id}}');
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

  it('passes a render failure on instead of sending a half-made email', () => {
    expect(composeEmail({ subject: 's', body: '{% endfor %}' }, view, alice)).toMatchObject({ ok: false });
  });
});

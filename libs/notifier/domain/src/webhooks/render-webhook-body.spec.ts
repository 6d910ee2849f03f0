import { alice, comment, viewOf } from '../test-fixtures';
import { renderWebhookBody } from './render-webhook-body';

describe('webhook bodies', () => {
  const hostileSubject = 'Broken "quotes", a \\ backslash\nand "}, "admin": true, "x": "';
  const view = viewOf({ subject: hostileSubject, comments: [comment({ id: 1, author: alice, body: 'Line one\n"quoted" </script> {{ ticket.id }} {% raw %}' })] });

  it('renders placeholders into a JSON template with customer text JSON-escaped, as data', () => {
    const r = renderWebhookBody('{"id": {{ticket.id}}, "title": "{{ticket.title}}", "comment": "{{ticket.latest_comment}}", "requester": "{{ticket.requester.email}}"}', 'json', view);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const parsed = JSON.parse(r.body);
    expect(Object.keys(parsed)).toEqual(['id', 'title', 'comment', 'requester']);
    expect(parsed.id).toBe(42);
    expect(parsed.title).toBe(hostileSubject);
    expect(parsed.requester).toBe('alice@customer.test');
    // Customer text is a value: its Liquid is not run.
    expect(parsed.comment).toContain('{{ ticket.id }} {% raw %}');
    expect(parsed.comment).toContain('"quoted"');
  });

  it('| raw does not switch escaping off', () => {
    const r = renderWebhookBody('{"title": "{{ticket.title | raw}}"}', 'json', view);
    expect(r.ok && JSON.parse(r.body).title).toBe(hostileSubject);
  });

  it('escapes for XML and form bodies too', () => {
    const xml = renderWebhookBody('<ticket><title>{{ticket.title}}</title></ticket>', 'xml', viewOf({ subject: 'a < b & "c"' }));
    expect(xml).toEqual({ ok: true, body: '<ticket><title>a &lt; b &amp; &quot;c&quot;</title></ticket>' });
    const form = renderWebhookBody('title={{ticket.title}}&id={{ticket.id}}', 'form_encoded', viewOf({ subject: 'a&b=c d' }));
    expect(form).toEqual({ ok: true, body: 'title=a%26b%3Dc%20d&id=42' });
  });

  it('a template that renders to broken JSON fails with the reason', () => {
    const r = renderWebhookBody('{"title": {{ticket.title}}}', 'json', view);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/not valid JSON/);
  });

  it('a hostile template fails as a value within the limits, never throws', () => {
    const loop = renderWebhookBody('{% for a in (1..100000) %}{% for b in (1..100000) %}xxxxxxxxxx{% endfor %}{% endfor %}', 'json', view, { limits: { renderLimit: 200 } });
    expect(loop.ok).toBe(false);
    const broken = renderWebhookBody('{"a": "{% if %}"}', 'json', view);
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/webhook body/);
    const include = renderWebhookBody('{% include "/etc/passwd" %}', 'json', view);
    expect(include.ok).toBe(false);
  });

  it('private comments are visible to a webhook, as to an admin', () => {
    const r = renderWebhookBody('"{{ticket.latest_comment}}"', 'json', viewOf());
    expect(r.ok && JSON.parse(r.body)).toContain('Unplug it');
    const all = renderWebhookBody('"{{ticket.comments_formatted}}"', 'json', viewOf());
    expect(all.ok && JSON.parse(all.body)).toContain('SECRET: customer owes us money');
  });
});

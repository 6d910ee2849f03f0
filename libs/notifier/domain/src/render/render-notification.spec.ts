import { alice, comment, smith, viewOf } from '../test-fixtures';
import { renderNotification } from './render-notification';

const hostile = comment({
  id: 7,
  body: 'Ticket {{ticket.id}} {% raw %}{% endraw %} <script>alert("x")</script> & more',
  htmlBody: '<img src="x" onerror="steal()">',
  createdAt: '2026-03-03T09:00:00Z',
});
const hostileView = viewOf({ subject: 'Hi {{ticket.requester.email}}\nBcc: everyone@evil.test', comments: [hostile] });

const ok = (result: ReturnType<typeof renderNotification>) => {
  if (!result.ok) throw new Error(result.error);
  return result;
};

describe('rendering a notification', () => {
  it('gives a one-line subject, a text part and an HTML part from the admin\'s templates', () => {
    const result = ok(
      renderNotification(
        { subject: '[{{ticket.account}}]\nRe: {{ticket.title}}', body: 'Ticket #{{ticket.id}} was updated.\n\n{{ticket.latest_comment_html}}' },
        viewOf(),
        smith,
      ),
    );
    expect(result.subject).toBe('[Acme Support] Re: Printer on fire');
    expect(result.text).toBe('Ticket #42 was updated.\n\nAgent Smith, March 1, 2026 11:00\n\nUnplug it, then call us.');
    expect(result.html).toContain('Ticket #42 was updated.<br>\n<br>\n<div');
    expect(result.html).toContain('<strong>Agent Smith</strong>');
    expect(result.html).toContain('<p style="margin:0 0 12px">Unplug it, then call us.</p>');
  });

  it('keeps a customer\'s Liquid and HTML inert: literal in text, escaped in HTML', () => {
    const result = ok(
      renderNotification(
        { subject: '{{ticket.title}}', body: '{{ticket.latest_comment}}\n{{ticket.latest_comment_html}}\n{{ticket.title}}' },
        hostileView,
        alice,
      ),
    );
    expect(result.subject).toBe('Hi {{ticket.requester.email}} Bcc: everyone@evil.test');
    expect(result.text).toContain('Ticket {{ticket.id}} {% raw %}{% endraw %} <script>alert("x")</script> & more');
    expect(result.html).toContain('Ticket {{ticket.id}} {% raw %}{% endraw %} &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(result.html).not.toContain('<script');
    expect(result.html).not.toContain('alice@customer.test');
    expect(JSON.stringify(result)).not.toContain('onerror');
  });

  it('escapes customer text even where the admin wrote | raw, and does not double-escape | escape', () => {
    const result = ok(
      renderNotification(
        { subject: 's', body: '{{ticket.latest_comment | raw}}|{{ticket.title | escape}}|{{ticket.latest_comment_html | raw}}' },
        hostileView,
        alice,
      ),
    );
    expect(result.html).not.toContain('<script');
    expect(result.html).toContain('|Hi {{ticket.requester.email}}\nBcc: everyone@evil.test|'.replace('\n', '<br>\n'));
    expect(result.html).toContain('<strong>Alice van der Berg</strong>');
  });

  it('lets admins write their own HTML around placeholders', () => {
    const result = ok(renderNotification({ subject: 's', body: '<p>Hello <b>{{ticket.requester.first_name}}</b></p>\n<p>Bye</p>' }, viewOf(), alice));
    expect(result.html).toBe('<p>Hello <b>Alice</b></p>\n<p>Bye</p>');
    expect(result.text).toBe('<p>Hello <b>Alice</b></p>\n<p>Bye</p>');
  });

  it.each([
    ['a syntax error', '{% if ticket.id %}never closed', /body could not be rendered: .*not closed/],
    ['an endless loop', '{% for i in (1..999999999) %}x{% endfor %}', /body could not be rendered: memory alloc limit exceeded/],
    ['a hundred million iterations', '{% for i in (1..100000000) %}{{ ticket.id }}{% endfor %}', /body could not be rendered: memory alloc limit exceeded/],
    ['nested loops', '{% for i in (1..5000) %}{% for j in (1..5000) %}{% for k in (1..5000) %}{% endfor %}{% endfor %}{% endfor %}', /body could not be rendered: (memory alloc|template render) limit exceeded/],
    ['an unknown tag', '{% exec "rm -rf /" %}', /body could not be rendered: tag "exec" not found/],
    ['a file include', '{% include "package.json" %}', /body could not be rendered/],
    ['an overlong template', 'x'.repeat(70_000), /body template is too long/],
  ])('fails that one render with a message on %s, without throwing', (_, body, message) => {
    const result = renderNotification({ subject: 'fine', body }, viewOf(), smith);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(message) });
  });

  it('refuses output larger than the limit', () => {
    const body = '{% for i in (1..5000) %}{{ ticket.title }}{% endfor %}';
    expect(renderNotification({ subject: 's', body }, viewOf(), smith, { limits: { maxOutputChars: 50_000 } })).toEqual({
      ok: false,
      error: 'body is too large once rendered (more than 50000 characters)',
    });
    expect(renderNotification({ subject: 's', body }, viewOf(), smith).ok).toBe(true);
  });

  it('stops huge output while it is being written, not after', () => {
    // Each capture doubles: left alone this would need 2^40 characters.
    const doubling = '{% assign x = "xxxxxxxxxx" %}{% for i in (1..40) %}{% capture x %}{{ x }}{{ x }}{% endcapture %}{% endfor %}{{ x }}';
    expect(renderNotification({ subject: 's', body: doubling }, viewOf(), smith)).toEqual({
      ok: false,
      error: 'body is too large once rendered (more than 1000000 characters)',
    });
    const literal = `{% for i in (1..2000) %}${'y'.repeat(1000)}{% endfor %}`;
    expect(renderNotification({ subject: 's', body: literal }, viewOf(), smith)).toMatchObject({ ok: false, error: expect.stringMatching(/too large/) });
    const comments = '{% for i in (1..20000) %}{{ ticket.comments_formatted }}{% endfor %}';
    expect(renderNotification({ subject: 's', body: comments }, viewOf(), smith)).toMatchObject({ ok: false, error: expect.stringMatching(/too large|limit exceeded/) });
  });

  it('stops a render that runs longer than its time limit', () => {
    const result = renderNotification(
      { subject: 's', body: '{% for i in (1..3000) %}{% for j in (1..3000) %}{% endfor %}{% endfor %}' },
      viewOf(),
      smith,
      { limits: { renderLimit: 20, memoryLimit: 1e9 } },
    );
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/template render limit exceeded/) });
  });

  it('never runs Liquid that a customer wrote, wherever it appears', () => {
    const sneaky = comment({ id: 8, body: '{{ticket.requester.email}} {% for c in ticket.comments %}{{c.value}}{% endfor %} {{ "x" | append: "y" }}' });
    const view = viewOf({ comments: [sneaky], subject: '{% if true %}pwned{% endif %}' });
    const body =
      '{{ticket.title}}|{{ticket.latest_comment}}|{{ticket.latest_comment_html}}|{{ticket.comments_formatted}}|{{ticket.latest_comment_rich}}|' +
      '{{ticket.description}}|{% for c in ticket.comments %}{{c.value}}{{c.value_rich}}{% endfor %}';
    const result = ok(renderNotification({ subject: '{{ticket.title}}', body }, view, alice));
    expect(result.subject).toBe('{% if true %}pwned{% endif %}');
    for (const part of [result.text, result.html]) {
      expect(part).toContain('{{ticket.requester.email}} {% for c in ticket.comments %}{{c.value}}{% endfor %} {{ &quot;x&quot; | append: &quot;y&quot; }}'.replace(/&quot;/g, part === result.html ? '&quot;' : '"'));
      expect(part).not.toContain('alice@customer.test');
      expect(part.startsWith('{% if true %}pwned{% endif %}|')).toBe(true);
      expect(part).not.toContain('xy');
    }
  });

  it('escapes every customer value in the HTML part: names, subjects, file names', () => {
    const evil = { ...alice, name: '<img src=x onerror=alert(1)>' };
    const withFile = comment({ id: 5, author: evil, body: 'see file', attachments: [{ fileName: '<script>.pdf', url: 'https://files.test/a?x="><script>' }] });
    const view = viewOf({ requester: evil, subject: '<b>subject</b>', comments: [withFile] });
    const result = ok(
      renderNotification(
        { subject: 's', body: '{{ticket.requester.name}} {{ticket.title}} {{ticket.latest_comment_html}} {{ticket.comments_formatted}} {% for c in ticket.comments %}{{c.author.name}}{% for a in c.attachments %}{{a.filename}}{% endfor %}{% endfor %}' },
        view,
        smith,
      ),
    );
    expect(result.html).not.toMatch(/<img|<script|<b>subject/);
    expect(result.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(result.html).toContain('&lt;script&gt;.pdf');
    expect(result.text).toContain('Attachment: <script>.pdf');
  });

  it('blanks the comment placeholders when suppression applies, and only the comment ones', () => {
    const body = '{{ticket.id}}|{{ticket.latest_comment_html}}|{{ticket.comments_formatted}}|{{ticket.description}}|{% for c in ticket.comments %}x{% endfor %}';
    const result = ok(renderNotification({ subject: '{{ticket.title}}', body }, viewOf(), alice, { suppressCommentPlaceholders: true }));
    expect(result.text).toBe('42||||');
    expect(result.subject).toBe('Printer on fire');
    expect(ok(renderNotification({ subject: 's', body }, viewOf(), alice)).text).toContain('Unplug it');
  });

  it('names the subject when the subject template is the broken one', () => {
    expect(renderNotification({ subject: '{{ ticket.id', body: 'ok' }, viewOf(), smith)).toEqual({
      ok: false,
      error: expect.stringMatching(/^subject could not be rendered/),
    });
  });
});

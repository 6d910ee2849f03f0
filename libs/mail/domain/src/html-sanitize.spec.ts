import { attachmentContentUrl, sanitizeMailHtml, type SanitizedMailHtml } from './html-sanitize';

const noImages = { inlineImages: new Map<string, string>(), maxLinks: 100 };
const clean = (html: string, opts = noImages): string => {
  const r: SanitizedMailHtml = sanitizeMailHtml(html, opts);
  if (r.kind !== 'ok') throw new Error(`refused: ${r.kind}`);
  return r.html;
};

describe('sanitizeMailHtml', () => {
  it('drops scripts and styles with their content', () => {
    const out = clean('<p>Hi</p><script>alert(1)</script><style>p{display:none}</style><noscript>x</noscript>');
    expect(out).toBe('<p>Hi</p>');
  });

  it('drops event handlers and style attributes but keeps the element and its text', () => {
    const out = clean('<p onclick="steal()" style="position:fixed" onmouseover="x()">Printer</p><img src="https://x.test/a.png" onerror="x()">');
    expect(out).toBe('<p>Printer</p><img src="https://x.test/a.png" />');
  });

  it('removes javascript: and vbscript: links, keeping the link text', () => {
    const out = clean('<a href="javascript:alert(1)">one</a> <a href=" JaVaScRiPt:alert(1)">two</a> <a href="vbscript:x">three</a>');
    expect(out).not.toMatch(/script:/i);
    expect(out).toContain('one');
    expect(out).toContain('three');
  });

  it('opens kept links in a new tab without handing over the opener', () => {
    expect(clean('<a href="https://example.test/x" target="_self">x</a>')).toBe('<a href="https://example.test/x" target="_blank" rel="noopener noreferrer nofollow">x</a>');
  });

  it('drops forms, frames, objects and meta refreshes', () => {
    const out = clean('<form action="https://evil.test"><input name="p"></form><iframe src="https://evil.test"></iframe><object data="x"></object><meta http-equiv="refresh" content="0;url=https://evil.test">ok');
    expect(out).toBe('ok');
  });

  it('rewrites cid: images to the stored attachment and reports which were used', () => {
    const url = attachmentContentUrl('https://help.example.test', 'tok-1', 'logo.png');
    const r = sanitizeMailHtml('<p><img src="cid:logo@mail.test" alt="logo"><img src="cid:unknown@mail.test"></p>', { inlineImages: new Map([['logo@mail.test', url]]), maxLinks: 10 });
    expect(r).toEqual({ kind: 'ok', html: `<p><img src="${url.replace(/&/g, '&amp;')}" alt="logo" /></p>`, links: 0, inlineImagesUsed: ['logo@mail.test'] });
  });

  it('matches a URL-encoded or differently cased cid', () => {
    const r = sanitizeMailHtml('<img src="cid:Part1%2E123@Mail.test">', { inlineImages: new Map([['part1.123@mail.test', 'https://h.test/a']]), maxLinks: 10 });
    expect(r.kind === 'ok' && r.html).toBe('<img src="https://h.test/a" />');
  });

  it('keeps small inline data: images but not data: documents', () => {
    expect(clean('<img src="data:image/png;base64,iVBORw0KGgo=">')).toBe('<img src="data:image/png;base64,iVBORw0KGgo=" />');
    expect(clean('<img src="data:text/html;base64,PHNjcmlwdD4="><a href="data:text/html,x">y</a>')).toBe('<a>y</a>');
  });

  it('refuses HTML with more links than the limit', () => {
    const many = Array.from({ length: 11 }, (_, i) => `<a href="https://x.test/${i}">${i}</a>`).join('');
    expect(sanitizeMailHtml(many, { inlineImages: new Map(), maxLinks: 10 })).toEqual({ kind: 'too_many_links', links: 11 });
    expect(sanitizeMailHtml(many, { inlineImages: new Map(), maxLinks: 11 }).kind).toBe('ok');
  });

  it('keeps table layout attributes', () => {
    expect(clean('<table border="0" style="x"><tr><td colspan="2" bgcolor="red">a</td></tr></table>')).toBe('<table border="0"><tr><td colspan="2">a</td></tr></table>');
  });
});

describe('attachmentContentUrl', () => {
  it('names the file in the query and encodes it', () => {
    expect(attachmentContentUrl('https://h.test/', 'abc', 'a b&c.pdf')).toBe('https://h.test/attachments/token/abc/?name=a%20b%26c.pdf');
  });
});

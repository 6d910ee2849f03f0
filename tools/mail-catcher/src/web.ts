// The mail catcher's web page, on plain node:http. Every value that comes from a mail is
// HTML-escaped; a mail's HTML part is shown only inside a sandboxed iframe (no scripts, no
// same-origin, no forms, no top navigation) through an escaped `srcdoc`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CaughtMail } from './mail-catcher';

export interface WebServer {
  port: number;
  close(): Promise<void>;
}

export interface WebServerOptions {
  host: string;
  port: number;
  messages(): CaughtMail[];
  clear(): void;
}

// The page itself runs no script at all; inline styles only. Frames: the srcdoc iframe.
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function summary(m: CaughtMail) {
  return {
    id: m.id,
    receivedAt: m.receivedAt.toISOString(),
    envelope: m.envelope,
    from: m.from,
    to: m.to,
    cc: m.cc,
    replyTo: m.replyTo,
    subject: m.subject,
    messageId: m.messageId,
    inReplyTo: m.inReplyTo,
    references: m.references,
    smtpResponse: m.smtpResponse,
    size: m.raw.length,
  };
}

function detail(m: CaughtMail) {
  return { ...summary(m), headers: m.headers, text: m.text, html: m.html };
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}
pre{white-space:pre-wrap;word-break:break-word;background:#f8f8f8;padding:.75rem;border:1px solid #eee}
iframe{width:100%;height:32rem;border:1px solid #ccc;background:#fff}
.muted{color:#777}
`;

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="referrer" content="no-referrer">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body>${body}</body></html>`
  );
}

function indexPage(messages: CaughtMail[]): string {
  const rows = [...messages]
    .reverse()
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.receivedAt.toISOString())}</td>` +
        `<td>${escapeHtml(m.from)}</td>` +
        `<td>${escapeHtml(m.envelope.to.join(', '))}</td>` +
        `<td><a href="/messages/${encodeURIComponent(m.id)}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`,
    )
    .join('');
  return page(
    'Mail catcher',
    `<h1>Mail catcher</h1><p class="muted">${messages.length} mail(s), newest first. ` +
      `JSON: <a href="/api/messages">/api/messages</a>; <code>DELETE /api/messages</code> clears.</p>` +
      `<table><thead><tr><th>Received</th><th>From</th><th>To (envelope)</th><th>Subject</th></tr></thead>` +
      `<tbody>${rows || '<tr><td colspan="4" class="muted">No mail yet.</td></tr>'}</tbody></table>`,
  );
}

function messagePage(m: CaughtMail): string {
  const headerRows = Object.entries(m.headers)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  const html =
    m.html === null
      ? '<p class="muted">No HTML part.</p>'
      : // Empty sandbox attribute: every restriction applies (no scripts, unique origin).
        `<iframe sandbox="" referrerpolicy="no-referrer" title="HTML part" srcdoc="${escapeHtml(m.html)}"></iframe>`;
  return page(
    m.subject || '(no subject)',
    `<p><a href="/">&larr; all mail</a> · <a href="/messages/${encodeURIComponent(m.id)}/raw">raw</a></p>` +
      `<h1>${escapeHtml(m.subject || '(no subject)')}</h1>` +
      `<table><tbody>` +
      `<tr><th>Envelope from</th><td>${escapeHtml(m.envelope.from)}</td></tr>` +
      `<tr><th>Envelope to</th><td>${escapeHtml(m.envelope.to.join(', '))}</td></tr>` +
      `<tr><th>Received</th><td>${escapeHtml(m.receivedAt.toISOString())}</td></tr>` +
      `<tr><th>SMTP answer</th><td>${escapeHtml(m.smtpResponse)}</td></tr>` +
      `</tbody></table>` +
      `<h2>Headers</h2><table><tbody>${headerRows}</tbody></table>` +
      `<h2>Text part</h2><pre>${escapeHtml(m.text)}</pre>` +
      `<h2>HTML part</h2>${html}`,
  );
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(body);
}

function notFound(res: http.ServerResponse): void {
  send(res, 404, 'text/plain; charset=utf-8', 'Not found\n');
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://catcher.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const find = (id: string) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(id);
      } catch {
        return undefined;
      }
      return opts.messages().find((m) => m.id === decoded);
    };
    let match: RegExpMatchArray | null;

    if (path === '/api/messages') {
      if (method === 'GET') {
        return send(res, 200, 'application/json', JSON.stringify(opts.messages().map(summary)));
      }
      if (method === 'DELETE') {
        opts.clear();
        res.writeHead(204).end();
        return;
      }
      res.setHeader('allow', 'GET, DELETE');
      return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('allow', 'GET');
      return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
    }
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', indexPage(opts.messages()));
    if ((match = /^\/api\/messages\/([^/]+)$/.exec(path))) {
      const m = find(match[1]);
      return m ? send(res, 200, 'application/json', JSON.stringify(detail(m))) : notFound(res);
    }
    if ((match = /^\/messages\/([^/]+)\/raw$/.exec(path))) {
      const m = find(match[1]);
      return m ? send(res, 200, 'text/plain; charset=utf-8', m.raw) : notFound(res);
    }
    if ((match = /^\/messages\/([^/]+)$/.exec(path))) {
      const m = find(match[1]);
      return m ? send(res, 200, 'text/html; charset=utf-8', messagePage(m)) : notFound(res);
    }
    return notFound(res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

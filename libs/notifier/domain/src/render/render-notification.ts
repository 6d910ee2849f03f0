import { Drop, Liquid } from 'liquidjs';
import { SafeHtml, escapeHtml } from '../html';
import type { NotificationView, Person } from '../notification-view';
import { type PlaceholderFormat, buildPlaceholderContext } from '../placeholders/build-placeholder-context';

/**
 * Renders an admin-authored notification (a trigger's or automation's subject and body) for one
 * recipient. Only those templates are parsed as Liquid; ticket content — customer text included —
 * enters as placeholder values, escaped in the HTML part. Limits bound what a broken or hostile
 * template can cost; a template that fails gives an error value, never an exception.
 */

export interface RenderLimits {
  /** Longest template accepted, in characters (Zendesk keeps a business rule under 65 KB). */
  parseLimit: number;
  /** Time one render may take, in milliseconds. */
  renderLimit: number;
  /** liquidjs's allocation budget per render (ranges, joins, string building). */
  memoryLimit: number;
  /** Longest rendered subject or body, in characters. */
  maxOutputChars: number;
}

export const DEFAULT_RENDER_LIMITS: Readonly<RenderLimits> = {
  parseLimit: 65_536,
  renderLimit: 250,
  memoryLimit: 10_000_000,
  maxOutputChars: 1_000_000,
};

export interface NotificationTemplates {
  subject: string;
  body: string;
}

export type RenderedNotification =
  | { ok: true; subject: string; text: string; html: string }
  | { ok: false; error: string };

const plain = (value: unknown): string => {
  const v = value instanceof Drop ? value.valueOf() : value;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(plain).join('');
  return String(v);
};

/** Output escaping for the HTML part: our SafeHtml passes, everything else is escaped text. */
const escapeOutput = (value: unknown): string => {
  if (value instanceof SafeHtml) return value.html;
  if (Array.isArray(value)) return value.map(escapeOutput).join('');
  return escapeHtml(plain(value)).replace(/\r?\n/g, '<br>');
};

const unescapeHtml = (text: string): string =>
  text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name]!);

const engine = (format: PlaceholderFormat, limits: RenderLimits): Liquid => {
  const liquid = new Liquid({
    // No file system: {% include %}, {% render %} and {% layout %} find nothing.
    templates: {},
    strictVariables: false,
    ownPropertyOnly: true,
    timezoneOffset: 0,
    cache: false,
    parseLimit: limits.parseLimit,
    renderLimit: limits.renderLimit,
    memoryLimit: limits.memoryLimit,
    ...(format === 'html' ? { outputEscape: escapeOutput } : {}),
  });
  if (format === 'html') {
    // `| raw` skips output escaping; it must not become a way to put customer text into HTML.
    liquid.registerFilter('raw', { raw: true, handler: (v: unknown) => (v instanceof SafeHtml ? v : escapeOutput(v)) });
    // Escaping filters produce HTML that must not be escaped a second time.
    liquid.registerFilter('escape', (v: unknown) => new SafeHtml(escapeHtml(plain(v))));
    liquid.registerFilter('escape_once', (v: unknown) => new SafeHtml(escapeHtml(unescapeHtml(plain(v)))));
  }
  return liquid;
};

const firstLine = (error: unknown): string => String((error as Error)?.message ?? error).split('\n')[0].trim();

const render = (
  part: string,
  template: string,
  format: PlaceholderFormat,
  view: NotificationView,
  recipient: Person,
  limits: RenderLimits,
): { ok: true; output: string } | { ok: false; error: string } => {
  if (typeof template !== 'string') return { ok: false, error: `${part} template is missing` };
  if (template.length > limits.parseLimit) {
    return { ok: false, error: `${part} template is too long (${template.length} characters, at most ${limits.parseLimit})` };
  }
  let output: string;
  try {
    const context = buildPlaceholderContext(view, recipient, format);
    output = plain(engine(format, limits).parseAndRenderSync(template, context));
  } catch (error) {
    return { ok: false, error: `${part} could not be rendered: ${firstLine(error)}` };
  }
  if (output.length > limits.maxOutputChars) {
    return { ok: false, error: `${part} is too large once rendered (more than ${limits.maxOutputChars} characters)` };
  }
  return { ok: true, output };
};

/** Admin text is plain text unless it brings its own block markup; newlines then become line breaks. */
const looksLikeHtml = (template: string) => /<(p|div|br|table|ul|ol|h[1-6]|blockquote|pre)\b/i.test(template);

export const renderNotification = (
  templates: NotificationTemplates,
  view: NotificationView,
  recipient: Person,
  limits: Partial<RenderLimits> = {},
): RenderedNotification => {
  const all: RenderLimits = { ...DEFAULT_RENDER_LIMITS, ...limits };
  const subject = render('subject', templates.subject, 'text', view, recipient, all);
  if (!subject.ok) return subject;
  const text = render('body', templates.body, 'text', view, recipient, all);
  if (!text.ok) return text;
  const html = render('body', templates.body, 'html', view, recipient, all);
  if (!html.ok) return html;
  return {
    ok: true,
    // A subject is one line, whatever the template or the ticket title held.
    subject: subject.output.replace(/\s+/g, ' ').trim(),
    text: text.output.trim(),
    html: looksLikeHtml(templates.body) ? html.output.trim() : html.output.trim().replace(/\r?\n/g, '<br>\n'),
  };
};

import type { NotificationView, Person } from '../notification-view';
import { type PlaceholderFormat, type PlaceholderOptions, buildPlaceholderContext } from '../placeholders/build-placeholder-context';
import { DEFAULT_RENDER_LIMITS, type RenderLimits, type RenderResult, renderBounded } from './bounded-liquid';

/**
 * Renders an admin-authored notification (a trigger's or automation's subject and body) for one
 * recipient. Only those templates are parsed as Liquid; ticket content — customer text included —
 * enters as placeholder values, escaped in the HTML part. Limits bound what a broken or hostile
 * template can cost; a template that fails gives an error value, never an exception.
 */

export { DEFAULT_RENDER_LIMITS, type RenderLimits } from './bounded-liquid';

export interface NotificationTemplates {
  subject: string;
  body: string;
}

export interface RenderOptions extends PlaceholderOptions {
  limits?: Partial<RenderLimits>;
}

export type RenderedNotification =
  | { ok: true; subject: string; text: string; html: string }
  | { ok: false; error: string };

const render = (
  part: string,
  template: string,
  format: PlaceholderFormat,
  view: NotificationView,
  recipient: Person,
  limits: RenderLimits,
  options: PlaceholderOptions,
): RenderResult => {
  let context;
  try {
    context = buildPlaceholderContext(view, recipient, format, options);
  } catch (error) {
    return { ok: false, error: `${part} could not be rendered: ${String((error as Error)?.message ?? error)}` };
  }
  return renderBounded(part, template, context, format, limits);
};

/** Admin text is plain text unless it brings its own block markup; newlines then become line breaks. */
const looksLikeHtml = (template: string) => /<(p|div|br|table|ul|ol|h[1-6]|blockquote|pre)\b/i.test(template);

export const renderNotification = (
  templates: NotificationTemplates,
  view: NotificationView,
  recipient: Person,
  options: RenderOptions = {},
): RenderedNotification => {
  const all: RenderLimits = { ...DEFAULT_RENDER_LIMITS, ...options.limits };
  const subject = render('subject', templates.subject, 'text', view, recipient, all, options);
  if (!subject.ok) return subject;
  const text = render('body', templates.body, 'text', view, recipient, all, options);
  if (!text.ok) return text;
  const html = render('body', templates.body, 'html', view, recipient, all, options);
  if (!html.ok) return html;
  return {
    ok: true,
    // A subject is one line, whatever the template or the ticket title held.
    subject: subject.output.replace(/\s+/g, ' ').trim(),
    text: text.output.trim(),
    html: looksLikeHtml(templates.body) ? html.output.trim() : html.output.trim().replace(/\r?\n/g, '<br>\n'),
  };
};

import { layoutEmail, type LayoutInput } from './layout/layout-email';
import type { NotificationView, Person } from './notification-view';
import { type NotificationTemplates, type RenderLimits, renderNotification } from './render/render-notification';

export type ComposedEmail = { ok: true; subject: string; text: string; html: string } | { ok: false; error: string };

/** Render a notification for one recipient and put it in the account email template. */
export const composeEmail = (
  templates: NotificationTemplates,
  view: NotificationView,
  recipient: Person,
  options: { limits?: Partial<RenderLimits> } & Pick<LayoutInput, 'delimiter' | 'footer' | 'quotedContent'> = {},
): ComposedEmail => {
  const rendered = renderNotification(templates, view, recipient, options.limits);
  if (!rendered.ok) return rendered;
  const { text, html } = layoutEmail({
    renderedText: rendered.text,
    renderedHtml: rendered.html,
    view,
    recipient,
    delimiter: options.delimiter,
    footer: options.footer,
    quotedContent: options.quotedContent,
  });
  return { ok: true, subject: rendered.subject, text, html };
};

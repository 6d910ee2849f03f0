import type { WebhookRequestFormat } from '@mailroom/contracts';
import type { NotificationView, Person } from '../notification-view';
import { buildPlaceholderContext } from '../placeholders/build-placeholder-context';
import { DEFAULT_RENDER_LIMITS, type OutputEscape, type RenderLimits, renderBounded } from '../render/bounded-liquid';

/**
 * Renders the body of a `notification_webhook` action: the admin's template is Liquid with the
 * same placeholders and limits as emails; every placeholder value is escaped for the body's
 * format, so customer text (a subject with quotes, a comment with newlines) stays a value inside
 * the JSON string it was put in and can never add keys or end the document.
 */

const jsonEscape: OutputEscape = (text) => JSON.stringify(text).slice(1, -1);
const xmlEscape: OutputEscape = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
const formEscape: OutputEscape = (text) => encodeURIComponent(text);

export const WEBHOOK_BODY_ESCAPES: Readonly<Record<WebhookRequestFormat, OutputEscape>> = { json: jsonEscape, xml: xmlEscape, form_encoded: formEscape };

/** Webhooks are read by systems, not people: placeholders render as for an admin (private comments included, as in Zendesk). */
export const webhookReader = (accountName: string): Person => ({ id: 0, name: accountName, email: '', role: 'admin' });

export type RenderedWebhookBody = { ok: true; body: string } | { ok: false; error: string };

export const renderWebhookBody = (
  template: string,
  format: WebhookRequestFormat,
  view: NotificationView,
  options: { limits?: Partial<RenderLimits> } = {},
): RenderedWebhookBody => {
  const limits: RenderLimits = { ...DEFAULT_RENDER_LIMITS, ...options.limits };
  let scope: Record<string, unknown>;
  try {
    scope = buildPlaceholderContext(view, webhookReader(view.account.name), 'text');
  } catch (error) {
    return { ok: false, error: `webhook body could not be rendered: ${String((error as Error)?.message ?? error)}` };
  }
  const rendered = renderBounded('webhook body', template, scope, 'text', limits, WEBHOOK_BODY_ESCAPES[format]);
  if (!rendered.ok) return rendered;
  const body = rendered.output.trim();
  if (format === 'json' && body !== '') {
    try {
      JSON.parse(body);
    } catch (error) {
      return { ok: false, error: `webhook body is not valid JSON once rendered: ${String((error as Error)?.message ?? error).split('\n')[0]}` };
    }
  }
  return { ok: true, body };
};

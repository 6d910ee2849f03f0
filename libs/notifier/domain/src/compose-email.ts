import type { AccountEmailTemplate } from './email-template/account-email-template';
import { layoutEmail } from './layout/layout-email';
import type { NotificationView, Person } from './notification-view';
import { mayReadPrivateComments } from './placeholders/visibility';
import { type NotificationTemplates, type RenderOptions, renderNotification } from './render/render-notification';

export type ComposedEmail = { ok: true; subject: string; text: string; html: string } | { ok: false; error: string };

export interface ComposeOptions extends RenderOptions {
  /** The account email template; Mailroom's default when absent. */
  emailTemplate?: AccountEmailTemplate;
}

/**
 * Renders a notification for one recipient and puts it in the account email template: a subject,
 * a text part and an HTML part, or an error value that names what was broken. Never throws.
 */
export const composeEmail = (
  templates: NotificationTemplates,
  view: NotificationView,
  recipient: Person,
  options: ComposeOptions = {},
): ComposedEmail => {
  try {
    const rendered = renderNotification(templates, view, recipient, options);
    if (!rendered.ok) return rendered;
    const laidOut = layoutEmail({
      renderedText: rendered.text,
      renderedHtml: rendered.html,
      view,
      recipient,
      template: options.emailTemplate,
      limits: options.limits,
      // A suppressed notification must not carry the comments in its history either.
      withoutQuotedContent: options.suppressCommentPlaceholders,
    });
    if (!laidOut.ok) return laidOut;
    return { ok: true, subject: rendered.subject, text: laidOut.text, html: laidOut.html };
  } catch (error) {
    // Only a bug gets here; it still fails this one notification, not the consumer.
    return { ok: false, error: `could not compose the email: ${String((error as Error)?.message ?? error)}` };
  }
};

/**
 * Everything `composeEmail` reads of its recipient, as a key: two recipients with the same key get
 * byte-identical mail, so a notification to many (all agents, a group) is rendered once per key.
 * The recipient's role (links, agents' details, suppression), whether they may read internal
 * notes (visibility of comments and history), whether they are the requester (personal rating
 * links) and their locale (`lang`). A placeholder or layout part that comes to depend on anything
 * else of the recipient must be added here (compose-email.spec.ts checks the equivalence).
 */
export const recipientRenderKey = (view: NotificationView, recipient: Person, options: ComposeOptions = {}): string =>
  [
    recipient.role,
    mayReadPrivateComments(view, recipient) ? 'private' : 'public',
    recipient.id === view.ticket.requester.id ? 'requester' : '',
    recipient.locale ?? '',
    options.suppressCommentPlaceholders ? 'suppressed' : '',
  ].join('\u0000');

import { formatDateTime } from '../dates';
import { DEFAULT_ACCOUNT_EMAIL_TEMPLATE, type AccountEmailTemplate } from '../email-template/account-email-template';
import { SafeHtml, escapeHtml, textToHtml } from '../html';
import type { NotificationView, Person, ViewComment } from '../notification-view';
import { visibleComments } from '../placeholders/visibility';
import { DEFAULT_RENDER_LIMITS, type RenderLimits, renderBounded } from '../render/bounded-liquid';

/**
 * The account email template around a rendered notification, in both parts (always multipart):
 * the reply delimiter, the content, a footer with the encoded ticket id that threads a reply back,
 * and — simplified threading — the earlier conversation the recipient may see, as quoted content.
 * The template is admin Liquid; everything put into it is a value (escaped in HTML), and the
 * encoded id and the delimiter are kept even when a template leaves them out.
 */

export { DEFAULT_DELIMITER } from '../email-template/account-email-template';

export const defaultFooter = (accountName: string): string => `You are receiving this message from ${accountName} support.`;

export interface LayoutInput {
  renderedText: string;
  renderedHtml: string;
  view: NotificationView;
  recipient: Person;
  /** The account's template; Mailroom's default when absent. */
  template?: AccountEmailTemplate;
  limits?: Partial<RenderLimits>;
  /** Leave the quoted history out whatever the template says (placeholder suppression). */
  withoutQuotedContent?: boolean;
}

export type LaidOutEmail = { ok: true; text: string; html: string } | { ok: false; error: string };

const STATUS_WORDS: Readonly<Record<string, string>> = { hold: 'on-hold' };

/** Agents see the ticket's properties under the footer; end users never do. */
const agentDetails = (view: NotificationView, recipient: Person): string | null => {
  if (recipient.role === 'end_user') return null;
  const t = view.ticket;
  return [
    `Ticket #${t.id}`,
    `Status: ${STATUS_WORDS[t.status] ?? t.status}`,
    `Priority: ${t.priority ?? '-'}`,
    `Requester: ${t.requester.name}`,
    `Assignee: ${t.assignee?.name ?? '-'}`,
    ...(t.groupName ? [`Group: ${t.groupName}`] : []),
  ].join(' · ');
};

/** Every comment the recipient may see except the newest, which the content already shows; newest first. */
export const earlierComments = (view: NotificationView, recipient: Person): ViewComment[] =>
  visibleComments(view, recipient).slice(0, -1).reverse();

const quotedText = (comments: ViewComment[], now?: string): string =>
  comments
    .map((c) => {
      const lines = c.body.replace(/\r\n?/g, '\n').trim().split('\n').map((line) => `> ${line}`.trimEnd());
      return `On ${formatDateTime(c.createdAt, now)}, ${c.author.name} wrote:\n${lines.join('\n')}`;
    })
    .join('\n\n');

const quotedHtml = (comments: ViewComment[], now?: string): string =>
  comments.length
    ? '<div style="margin:24px 0 0">' +
      comments
        .map(
          (c) =>
            `<div style="color:#6b7280;font-size:12px;margin:16px 0 4px">On ${escapeHtml(formatDateTime(c.createdAt, now))}, ` +
            `${escapeHtml(c.author.name)} wrote:</div>` +
            `<blockquote style="margin:0;padding:0 0 0 12px;border-left:3px solid #e5e7eb;color:#4b5563">${textToHtml(c.body)}</blockquote>`,
        )
        .join('\n') +
      '</div>'
    : '';

// Stands in for the quoted content while the template renders, so that the encoded id can be put
// above the history when a template leaves the footer out. NUL never survives into content.
const QUOTED = '\u0000quoted-content\u0000';
const noNul = (s: string) => s.replace(/\u0000/g, '');

const hiddenId = (encodedId: string) =>
  // Hidden from the reader but kept in a quoted reply, where it threads the answer to the ticket.
  `<span style="color:#ffffff;display:none;font-size:0;line-height:0;max-height:0;opacity:0;overflow:hidden;mso-hide:all">${escapeHtml(encodedId)}</span>`;

/** Puts `block` above the quoted history, or at the end (before </body> in HTML). */
const insertBeforeHistory = (output: string, block: string, html: boolean): string => {
  if (output.includes(QUOTED)) return output.replace(QUOTED, `${block}${QUOTED}`);
  if (html && /<\/body>/i.test(output)) return output.replace(/<\/body>/i, `${block}\n</body>`);
  return `${output}${html ? '' : '\n\n'}${block}`;
};

export const layoutEmail = ({ renderedText, renderedHtml, view, recipient, template, limits, withoutQuotedContent }: LayoutInput): LaidOutEmail => {
  const t = template ?? DEFAULT_ACCOUNT_EMAIL_TEMPLATE;
  const all: RenderLimits = { ...DEFAULT_RENDER_LIMITS, ...limits };
  const footerText = defaultFooter(view.account.name);
  const details = agentDetails(view, recipient);
  const encodedId = `[${view.ticket.encodedId}]`;
  const delimiter = t.delimiterEnabled ? t.delimiter : '';
  const quoted = t.simplifiedThreading && !withoutQuotedContent ? earlierComments(view, recipient) : [];
  const lang = (recipient.locale ?? 'en').replace(/[^A-Za-z0-9-]/g, '') || 'en';

  const textScope = {
    content: noNul(renderedText.trim()),
    delimiter,
    footer: ['--', footerText, ...(details ? [details] : []), '', encodedId].join('\n'),
    footer_link: '',
    quoted_content: quoted.length ? QUOTED : '',
    styles: '',
    attributes: '',
    lang: '',
  };
  const htmlScope = {
    content: new SafeHtml(noNul(renderedHtml.trim())),
    delimiter,
    footer: new SafeHtml(escapeHtml(footerText) + (details ? `<br>${escapeHtml(details)}` : '') + hiddenId(encodedId)),
    footer_link: '',
    quoted_content: quoted.length ? new SafeHtml(QUOTED) : '',
    styles: new SafeHtml(''),
    attributes: new SafeHtml(''),
    lang: new SafeHtml(`lang="${lang}"`),
  };

  const text = renderBounded('text email template', t.textTemplate, textScope, 'text', all);
  if (!text.ok) return text;
  const html = renderBounded('HTML email template', t.htmlTemplate, htmlScope, 'html', all);
  if (!html.ok) return html;

  let textOut = text.output;
  let htmlOut = html.output;
  if (!textOut.includes(encodedId)) textOut = insertBeforeHistory(textOut, encodedId, false);
  if (!htmlOut.includes(escapeHtml(encodedId))) htmlOut = insertBeforeHistory(htmlOut, hiddenId(encodedId), true);
  // Reply parsing looks for the delimiter at the top of the text part.
  if (delimiter && !textOut.includes(delimiter)) textOut = `${delimiter}\n\n${textOut}`;
  textOut = textOut.split(QUOTED).join(quotedText(quoted, view.now));
  htmlOut = htmlOut.split(QUOTED).join(quotedHtml(quoted, view.now));

  return { ok: true, text: textOut.replace(/\n{3,}/g, '\n\n').trim(), html: htmlOut.trim() };
};

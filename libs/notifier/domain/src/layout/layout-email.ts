import { formatDateTime } from '../dates';
import { escapeHtml, textToHtml } from '../html';
import type { NotificationView, Person, ViewComment } from '../notification-view';
import { visibleComments } from '../placeholders/build-placeholder-context';

/**
 * The account email template around a rendered notification, in both parts (always multipart):
 * the reply delimiter, the content, a footer, the encoded ticket id that threads a reply back, and
 * — simplified threading — the earlier conversation the recipient may see, as quoted content.
 */

export const DEFAULT_DELIMITER = '##- Please type your reply above this line -##';

export const defaultFooter = (accountName: string): string => `You are receiving this message from ${accountName} support.`;

export interface LayoutInput {
  renderedText: string;
  renderedHtml: string;
  view: NotificationView;
  recipient: Person;
  delimiter?: string;
  /** Defaults to `defaultFooter(account name)`. */
  footer?: string;
  /** Quote the earlier comments below the footer (simplified threading); on by default. */
  quotedContent?: boolean;
}

export interface LaidOutEmail {
  text: string;
  html: string;
}

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
const earlierComments = (view: NotificationView, recipient: Person): ViewComment[] =>
  visibleComments(view, recipient).slice(0, -1).reverse();

const quotedText = (comments: ViewComment[]): string =>
  comments
    .map((c) => {
      const lines = c.body.replace(/\r\n?/g, '\n').trim().split('\n').map((line) => `> ${line}`.trimEnd());
      return `On ${formatDateTime(c.createdAt)}, ${c.author.name} wrote:\n${lines.join('\n')}`;
    })
    .join('\n\n');

const quotedHtml = (comments: ViewComment[]): string =>
  comments
    .map(
      (c) =>
        `<div style="color:#6b7280;font-size:12px;margin:16px 0 4px">On ${escapeHtml(formatDateTime(c.createdAt))}, ` +
        `${escapeHtml(c.author.name)} wrote:</div>` +
        `<blockquote style="margin:0;padding:0 0 0 12px;border-left:3px solid #e5e7eb;color:#4b5563">${textToHtml(c.body)}</blockquote>`,
    )
    .join('\n');

export const layoutEmail = ({
  renderedText,
  renderedHtml,
  view,
  recipient,
  delimiter = DEFAULT_DELIMITER,
  footer,
  quotedContent = true,
}: LayoutInput): LaidOutEmail => {
  const footerText = footer ?? defaultFooter(view.account.name);
  const details = agentDetails(view, recipient);
  const encodedId = `[${view.ticket.encodedId}]`;
  const quoted = quotedContent ? earlierComments(view, recipient) : [];

  const text = [
    delimiter,
    '',
    renderedText.trim(),
    '',
    '--',
    footerText,
    ...(details ? [details] : []),
    '',
    encodedId,
    ...(quoted.length ? ['', quotedText(quoted)] : []),
  ].join('\n');

  const html = [
    '<!DOCTYPE html>',
    '<html dir="auto" lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>',
    '<body style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif">',
    `<div style="color:#9ca3af;font-size:12px;margin:0 0 16px">${escapeHtml(delimiter)}</div>`,
    `<div style="font-size:14px;line-height:1.5;color:#1f2937">${renderedHtml.trim()}</div>`,
    `<div style="margin:24px 0 0;font-size:12px;color:#6b7280">${escapeHtml(footerText)}` +
      (details ? `<br>${escapeHtml(details)}` : '') +
      '</div>',
    // Hidden from the reader but kept in a quoted reply, where it threads the answer to the ticket.
    `<span style="color:#ffffff;display:none;font-size:0;line-height:0;max-height:0;opacity:0;overflow:hidden;mso-hide:all">${escapeHtml(encodedId)}</span>`,
    ...(quoted.length ? [`<div style="margin:24px 0 0">${quotedHtml(quoted)}</div>`] : []),
    '</body>',
    '</html>',
  ].join('\n');

  return { text, html };
};

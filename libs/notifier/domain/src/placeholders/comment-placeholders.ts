import { Drop } from 'liquidjs';
import { formatDate, formatDateTime, formatTimestamp } from '../dates';
import { SafeHtml, escapeHtml, textToHtml } from '../html';
import type { ViewAttachment, ViewComment } from '../notification-view';
import { type UserDrop, userDrop } from './user-placeholders';

/**
 * Zendesk's four families of comment placeholders, built from the comments one recipient may see
 * (visibility.ts). Comment text is customer data: it enters as values, never as template, and in
 * the HTML part only as escaped text (SafeHtml that Mailroom assembled itself).
 */

export type PlaceholderFormat = 'html' | 'text';

const attachmentLines = (attachments: ViewAttachment[] | undefined): string =>
  (attachments ?? []).map((a) => `Attachment: ${a.fileName}${a.url ? ` (${a.url})` : ''}`).join('\n');

const attachmentsHtml = (attachments: ViewAttachment[] | undefined): string => {
  const list = attachments ?? [];
  if (!list.length) return '';
  const items = list
    .map((a) => (a.url ? `<li><a href="${escapeHtml(a.url)}">${escapeHtml(a.fileName)}</a></li>` : `<li>${escapeHtml(a.fileName)}</li>`))
    .join('');
  return `<ul style="margin:0 0 8px;padding:0 0 0 18px;color:#6b7280;font-size:12px">${items}</ul>`;
};

/** "Alice Customer, May 18, 2014 14:03" and the body: how a comment reads in plain text. */
export const commentAsText = (comment: ViewComment, now?: string): string => {
  const files = attachmentLines(comment.attachments);
  return `${comment.author.name}, ${formatDateTime(comment.createdAt, now)}\n\n${comment.body.trim()}${files ? `\n\n${files}` : ''}`;
};

/** The same as HTML, from the escaped plain text: the sender's own HTML is never passed on. */
export const commentAsHtml = (comment: ViewComment, now?: string): string =>
  `<div style="margin:0 0 16px">` +
  `<p style="margin:0 0 8px"><strong>${escapeHtml(comment.author.name)}</strong> ` +
  `<span style="color:#6b7280">${escapeHtml(formatDateTime(comment.createdAt, now))}</span></p>` +
  textToHtml(comment.body) +
  attachmentsHtml(comment.attachments) +
  `</div>`;

const TEXT_SEPARATOR = '\n\n----------------------------------------------\n\n';
const HTML_SEPARATOR = '<hr style="border:none;border-top:1px solid #e5e7eb;margin:16px 0">';

/** The body alone, as rich content: in the HTML part paragraphs of escaped text. */
const rich = (comment: ViewComment, format: PlaceholderFormat): SafeHtml | string =>
  format === 'html' ? new SafeHtml(textToHtml(comment.body)) : comment.body.trim();

/** A comment in `ticket.comments`: its fields for loops, its text when output whole. */
export class CommentDrop extends Drop {
  readonly id: number;
  readonly author: UserDrop;
  readonly created_at: string;
  readonly created_at_with_time: string;
  readonly created_at_with_timestamp: string;
  readonly is_public: boolean;
  readonly value: string;
  readonly value_rich: SafeHtml | string;
  readonly rich: SafeHtml | string;
  readonly attachments: { filename: string; url: string }[];

  constructor(comment: ViewComment, format: PlaceholderFormat, now?: string) {
    super();
    this.id = comment.id;
    this.author = userDrop(comment.author);
    this.created_at = formatDate(comment.createdAt, now);
    this.created_at_with_time = formatDateTime(comment.createdAt, now);
    this.created_at_with_timestamp = formatTimestamp(comment.createdAt);
    this.is_public = comment.public;
    this.value = comment.body;
    this.value_rich = rich(comment, format);
    this.rich = this.value_rich;
    this.attachments = (comment.attachments ?? []).map((a) => ({ filename: a.fileName, url: a.url ?? '' }));
  }

  override valueOf(): string {
    return `${this.author?.name ?? ''}, ${this.created_at_with_time}\n\n${this.value.trim()}\n\n`;
  }
}

/** The placeholders that placeholder suppression blanks (reference §4.2), plus the first comment verbatim. */
export const COMMENT_PLACEHOLDER_KEYS = [
  'comments',
  'public_comments',
  'description',
  'verbatim_description',
  'latest_comment',
  'latest_public_comment',
  'latest_comment_html',
  'latest_public_comment_html',
  'comments_formatted',
  'public_comments_formatted',
  'latest_comment_formatted',
  'latest_public_comment_formatted',
  'latest_comment_rich',
  'latest_public_comment_rich',
] as const;

export type CommentPlaceholders = Record<(typeof COMMENT_PLACEHOLDER_KEYS)[number], unknown>;

/**
 * @param visible the comments the recipient may see, oldest first
 * @param suppressed placeholder suppression on ticket creation: every comment placeholder is empty
 */
export const commentPlaceholders = (
  visible: ViewComment[],
  format: PlaceholderFormat,
  { now, suppressed = false }: { now?: string; suppressed?: boolean } = {},
): CommentPlaceholders => {
  if (suppressed) {
    const blank = Object.fromEntries(COMMENT_PLACEHOLDER_KEYS.map((k) => [k, ''])) as CommentPlaceholders;
    return { ...blank, comments: [], public_comments: [] };
  }
  const publicOnes = visible.filter((c) => c.public);
  const newestFirst = visible.slice().reverse();
  const publicNewestFirst = publicOnes.slice().reverse();
  const latest = visible.at(-1);
  const latestPublic = publicOnes.at(-1);
  const first = visible[0];

  const formatted = (comments: ViewComment[]) =>
    format === 'html'
      ? new SafeHtml(comments.map((c) => commentAsHtml(c, now)).join(HTML_SEPARATOR))
      : comments.map((c) => commentAsText(c, now)).join(TEXT_SEPARATOR);
  const one = (comment: ViewComment | undefined) => formatted(comment ? [comment] : []);
  const richOne = (comment: ViewComment | undefined) => (comment ? rich(comment, format) : '');

  return {
    comments: newestFirst.map((c) => new CommentDrop(c, format, now)),
    public_comments: publicNewestFirst.map((c) => new CommentDrop(c, format, now)),
    // Zendesk: the requester's name, the date and the first comment.
    description: first ? commentAsText(first, now) : '',
    verbatim_description: first ? first.body : '',
    latest_comment: latest ? commentAsText(latest, now) : '',
    latest_public_comment: latestPublic ? commentAsText(latestPublic, now) : '',
    latest_comment_html: one(latest),
    latest_public_comment_html: one(latestPublic),
    comments_formatted: formatted(newestFirst),
    public_comments_formatted: formatted(publicNewestFirst),
    latest_comment_formatted: one(latest),
    latest_public_comment_formatted: one(latestPublic),
    latest_comment_rich: richOne(latest),
    latest_public_comment_rich: richOne(latestPublic),
  };
};

import type { TicketStatus } from '@mailroom/contracts';
import { Drop } from 'liquidjs';
import { formatDate, formatDateTime, formatTimestamp } from '../dates';
import { SafeHtml, escapeHtml, textToHtml } from '../html';
import { splitName } from '../names';
import type { NotificationView, Person, ViewComment } from '../notification-view';

/**
 * The Liquid context for Zendesk's placeholders, built for one recipient. End users never see a
 * private comment in any placeholder; agents see everything.
 *
 * Built in two formats: for the HTML part, the `*_html` and `*_formatted` values are SafeHtml that
 * Mailroom assembled from escaped text (every other value is escaped when output); for the text
 * part, the same placeholders hold plain text.
 */

export type PlaceholderFormat = 'html' | 'text';
export type PlaceholderContext = Record<string, unknown>;

const STATUS_LABELS: Readonly<Record<TicketStatus, string>> = {
  new: 'New',
  open: 'Open',
  pending: 'Pending',
  hold: 'On-hold',
  solved: 'Solved',
  closed: 'Closed',
};
const ROLE_LABELS: Readonly<Record<Person['role'], string>> = { end_user: 'End user', agent: 'Agent', admin: 'Admin' };
const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** The comments this recipient may see, oldest first. */
export const visibleComments = (view: NotificationView, recipient: Person): ViewComment[] =>
  view.ticket.comments
    .filter((c) => recipient.role !== 'end_user' || c.public)
    .slice()
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id);

const userDrop = (person: Person | null | undefined) => {
  if (!person) return null;
  const { firstName, lastName } = splitName(person.name);
  return {
    id: person.id,
    name: person.name,
    first_name: firstName,
    last_name: lastName,
    email: person.email ?? '',
    role: ROLE_LABELS[person.role],
  };
};

/** "Alice Customer, May 18, 2014 14:03" and the body: how a comment reads in plain text. */
export const commentAsText = (comment: ViewComment): string =>
  `${comment.author.name}, ${formatDateTime(comment.createdAt)}\n\n${comment.body.trim()}`;

/** The same as HTML, from the escaped plain text: the sender's own HTML is never passed on. */
export const commentAsHtml = (comment: ViewComment): string =>
  `<div style="margin:0 0 16px">` +
  `<p style="margin:0 0 8px"><strong>${escapeHtml(comment.author.name)}</strong> ` +
  `<span style="color:#6b7280">${escapeHtml(formatDateTime(comment.createdAt))}</span></p>` +
  textToHtml(comment.body) +
  `</div>`;

const TEXT_SEPARATOR = '\n\n----------------------------------------------\n\n';
const HTML_SEPARATOR = '<hr style="border:none;border-top:1px solid #e5e7eb;margin:16px 0">';

/** A comment in `ticket.comments`: its fields for loops, its text when output whole. */
class CommentDrop extends Drop {
  readonly id: number;
  readonly author: ReturnType<typeof userDrop>;
  readonly created_at: string;
  readonly created_at_with_time: string;
  readonly created_at_with_timestamp: string;
  readonly is_public: boolean;
  readonly value: string;

  constructor(comment: ViewComment) {
    super();
    this.id = comment.id;
    this.author = userDrop(comment.author);
    this.created_at = formatDate(comment.createdAt);
    this.created_at_with_time = formatDateTime(comment.createdAt);
    this.created_at_with_timestamp = formatTimestamp(comment.createdAt);
    this.is_public = comment.public;
    this.value = comment.body;
  }

  override valueOf(): string {
    return `${this.author?.name ?? ''}, ${this.created_at_with_time}\n\n${this.value.trim()}\n\n`;
  }
}

const ticketUrl = (view: NotificationView, recipient: Person): string => {
  const base = view.account.baseUrl.replace(/\/+$/, '');
  // End users follow their request; agents open the ticket in the agent interface.
  const path = recipient.role === 'end_user' ? `/requests/${view.ticket.id}` : `/agent/tickets/${view.ticket.id}`;
  return `${base}${path}`;
};

const titleOf = (view: NotificationView, visible: ViewComment[]): string => {
  const subject = view.ticket.subject.trim();
  if (subject) return subject;
  const firstLine = visible[0]?.body.trim().split('\n')[0]?.trim() ?? '';
  return firstLine ? firstLine.slice(0, 80) : 'Untitled ticket';
};

export const buildPlaceholderContext = (
  view: NotificationView,
  recipient: Person,
  format: PlaceholderFormat = 'html',
): PlaceholderContext => {
  const { ticket } = view;
  const visible = visibleComments(view, recipient);
  const publicOnes = visible.filter((c) => c.public);
  const newestFirst = visible.slice().reverse();
  const publicNewestFirst = publicOnes.slice().reverse();
  const latest = visible.at(-1);
  const latestPublic = publicOnes.at(-1);
  const first = visible[0];

  const formatted = (comments: ViewComment[]) =>
    format === 'html'
      ? new SafeHtml(comments.map(commentAsHtml).join(HTML_SEPARATOR))
      : comments.map(commentAsText).join(TEXT_SEPARATOR);
  const one = (comment: ViewComment | undefined) => formatted(comment ? [comment] : []);

  const url = ticketUrl(view, recipient);
  const account = view.account.name;

  return {
    ticket: {
      id: ticket.id,
      title: titleOf(view, visible),
      encoded_id: ticket.encodedId,
      status: STATUS_LABELS[ticket.status],
      priority: ticket.priority ? capitalise(ticket.priority) : '',
      ticket_type: ticket.type ? capitalise(ticket.type) : 'Ticket',
      via: ticket.via,
      tags: ticket.tags.join(' '),
      url: url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, ''),
      url_with_protocol: url,
      link: url,
      account,
      recipient: ticket.recipient ?? '',
      requester: userDrop(ticket.requester),
      assignee: userDrop(ticket.assignee),
      group: { name: ticket.groupName ?? '' },
      cc_names: ticket.ccs.map((p) => p.name).join(', '),
      email_cc_names: ticket.ccs.map((p) => p.name).join(', '),
      ccs: ticket.ccs.map(userDrop),
      created_at: formatDate(ticket.createdAt),
      created_at_with_time: formatDateTime(ticket.createdAt),
      created_at_with_timestamp: formatTimestamp(ticket.createdAt),
      updated_at: formatDate(ticket.updatedAt),
      updated_at_with_time: formatDateTime(ticket.updatedAt),
      updated_at_with_timestamp: formatTimestamp(ticket.updatedAt),
      latest_comment: latest ? commentAsText(latest) : '',
      latest_public_comment: latestPublic ? commentAsText(latestPublic) : '',
      latest_comment_html: one(latest),
      latest_public_comment_html: one(latestPublic),
      latest_comment_formatted: one(latest),
      latest_public_comment_formatted: one(latestPublic),
      comments_formatted: formatted(newestFirst),
      public_comments_formatted: formatted(publicNewestFirst),
      description: first ? commentAsText(first) : '',
      verbatim_description: first ? first.body : '',
      comments: newestFirst.map((c) => new CommentDrop(c)),
      public_comments: publicNewestFirst.map((c) => new CommentDrop(c)),
    },
    current_user: userDrop(view.currentUser),
    account: { name: account, url: view.account.baseUrl },
  };
};

import type { TicketStatus } from '@mailroom/contracts';
import { formatDate, formatDateTime, formatTimestamp } from '../dates';
import type { NotificationView, Person, ViewComment } from '../notification-view';
import { type PlaceholderFormat, commentPlaceholders } from './comment-placeholders';
import { satisfactionPlaceholders } from './satisfaction-placeholders';
import { ticketLink, withoutProtocol } from './ticket-links';
import { organizationDrop, userDrop } from './user-placeholders';
import { visibleComments } from './visibility';

/**
 * The Liquid context for Zendesk's placeholders, built for one recipient. End users (and CCs)
 * never see a private comment in any placeholder; agents see everything.
 *
 * Built in two formats: for the HTML part, the `*_html`, `*_formatted`, `*_rich` and satisfaction
 * sections are SafeHtml that Mailroom assembled from escaped text (every other value is escaped
 * when output); for the text part, the same placeholders hold plain text.
 */

export type { PlaceholderFormat } from './comment-placeholders';
export { visibleComments, mayReadPrivateComments } from './visibility';
export { commentAsHtml, commentAsText } from './comment-placeholders';
export type PlaceholderContext = Record<string, unknown>;

export interface PlaceholderOptions {
  /** Placeholder suppression on ticket creation (see placeholder-suppression.ts). */
  suppressCommentPlaceholders?: boolean;
}

const STATUS_LABELS: Readonly<Record<TicketStatus, string>> = {
  new: 'New',
  open: 'Open',
  pending: 'Pending',
  hold: 'On-hold',
  solved: 'Solved',
  closed: 'Closed',
};
const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

const titleOf = (view: NotificationView, visible: ViewComment[]): string => {
  const subject = view.ticket.subject.trim();
  if (subject) return subject;
  const firstLine = visible[0]?.body.trim().split('\n')[0]?.trim() ?? '';
  return firstLine ? firstLine.slice(0, 80) : 'Untitled ticket';
};

const names = (people: Person[]) => people.map((p) => p.name).join(', ');

export const buildPlaceholderContext = (
  view: NotificationView,
  recipient: Person,
  format: PlaceholderFormat = 'html',
  options: PlaceholderOptions = {},
): PlaceholderContext => {
  const { ticket, now } = view;
  const visible = visibleComments(view, recipient);
  const link = ticketLink(view, recipient);
  const account = view.account.name;
  const status = STATUS_LABELS[ticket.status];
  const followers = ticket.followers ?? [];
  const emailCcs = ticket.ccs.filter((p) => !!p.email);

  return {
    ticket: {
      id: ticket.id,
      title: titleOf(view, visible),
      encoded_id: ticket.encodedId,
      external_id: ticket.externalId ?? '',
      status,
      // Without custom statuses the category and the custom status read as the status.
      status_category: status,
      custom_status: status,
      priority: ticket.priority ? capitalise(ticket.priority) : '',
      ticket_type: ticket.type ? capitalise(ticket.type) : 'Ticket',
      via: ticket.via,
      tags: ticket.tags.join(' '),
      url: withoutProtocol(link),
      url_with_protocol: link,
      link,
      account,
      brand: { name: account },
      recipient: ticket.recipient ?? '',
      requester: userDrop(ticket.requester),
      submitter: userDrop(ticket.submitter ?? ticket.requester),
      assignee: userDrop(ticket.assignee),
      group: { name: ticket.groupName ?? '' },
      organization: organizationDrop(ticket.requester.organization),
      cc_names: names(ticket.ccs),
      email_cc_names: names(emailCcs),
      ccs: ticket.ccs.map(userDrop),
      email_ccs: emailCcs.map(userDrop),
      follower_names: names(followers),
      followers: followers.map(userDrop),
      created_at: formatDate(ticket.createdAt, now),
      created_at_with_time: formatDateTime(ticket.createdAt, now),
      created_at_with_timestamp: formatTimestamp(ticket.createdAt),
      updated_at: formatDate(ticket.updatedAt, now),
      updated_at_with_time: formatDateTime(ticket.updatedAt, now),
      updated_at_with_timestamp: formatTimestamp(ticket.updatedAt),
      due_date: ticket.dueAt ? formatDate(ticket.dueAt, now) : '',
      due_date_with_timestamp: ticket.dueAt ? formatTimestamp(ticket.dueAt) : '',
      ...commentPlaceholders(visible, format, { now, suppressed: options.suppressCommentPlaceholders }),
    },
    current_user: userDrop(view.currentUser),
    satisfaction: satisfactionPlaceholders(view, recipient, format),
    account: { name: account, url: view.account.baseUrl },
  };
};

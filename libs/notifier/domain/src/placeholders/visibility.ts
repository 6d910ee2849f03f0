import type { NotificationView, Person, ViewComment } from '../notification-view';

/**
 * Who may read internal notes in a notification (reference §4.1, visibility rule): agents do; end
 * users never do; and people on the ticket as CCs get public comments only, agents among them too,
 * unless they are also the ticket's assignee. Every placeholder and the quoted history use this, so
 * a template that asks for `{{ticket.comments_formatted}}` still shows an end user the public view.
 */
export const mayReadPrivateComments = (view: NotificationView, recipient: Person): boolean => {
  if (recipient.role === 'end_user') return false;
  if (view.ticket.assignee?.id === recipient.id) return true;
  return !view.ticket.ccs.some((cc) => cc.id === recipient.id);
};

/** The comments this recipient may see, oldest first. */
export const visibleComments = (view: NotificationView, recipient: Person): ViewComment[] => {
  const all = mayReadPrivateComments(view, recipient);
  return view.ticket.comments
    .filter((c) => all || c.public)
    .slice()
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id);
};

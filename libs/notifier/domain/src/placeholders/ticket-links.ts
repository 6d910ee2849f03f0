import type { NotificationView, Person } from '../notification-view';

const base = (view: NotificationView) => view.account.baseUrl.replace(/\/+$/, '');

/**
 * Where the recipient can open the ticket: end users follow their request, agents open the ticket
 * in the agent interface (Zendesk's `/requests/:id` and `/agent/tickets/:id` shapes).
 */
export const ticketLink = (view: NotificationView, recipient: Person): string =>
  `${base(view)}${recipient.role === 'end_user' ? '/requests' : '/agent/tickets'}/${view.ticket.id}`;

/** `{{ticket.url}}` is the link without its protocol: Zendesk's texts write `http://{{ticket.url}}`. */
export const withoutProtocol = (url: string): string => url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');

/**
 * The requester's rating page (legacy CSAT), served by the ticket service without login; `score`
 * preselects an answer. The token names the ticket, so the path needs nothing else.
 */
export const satisfactionUrl = (view: NotificationView, token: string, score?: 'good' | 'bad'): string =>
  `${base(view)}/satisfaction/${encodeURIComponent(token)}${score ? `?score=${score}` : ''}`;

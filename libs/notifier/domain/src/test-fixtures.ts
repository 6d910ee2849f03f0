import type { NotificationView, Person, ViewComment } from './notification-view';

/** Test data for the notifier specs: one ticket with a customer thread, an internal note and a reply. */

export const alice: Person = { id: 1, name: 'Alice van der Berg', email: 'alice@customer.test', role: 'end_user' };
export const carol: Person = { id: 2, name: 'Carol Colleague', email: 'carol@customer.test', role: 'end_user' };
export const smith: Person = { id: 10, name: 'Agent Smith', email: 'smith@support.test', role: 'agent' };

export const comment = (overrides: Partial<ViewComment> & Pick<ViewComment, 'id' | 'body'>): ViewComment => ({
  author: alice,
  htmlBody: `<p>${overrides.body}</p>`,
  public: true,
  createdAt: '2026-03-01T09:00:00Z',
  ...overrides,
});

export const firstMail = comment({ id: 1, body: 'The printer is on fire.\nPlease help.', createdAt: '2026-03-01T09:00:00Z' });
export const privateNote = comment({
  id: 2,
  author: smith,
  public: false,
  body: 'SECRET: customer owes us money',
  createdAt: '2026-03-01T10:00:00Z',
});
export const agentReply = comment({ id: 3, author: smith, body: 'Unplug it, then call us.', createdAt: '2026-03-01T11:00:00Z' });

export const viewOf = (overrides: Partial<NotificationView['ticket']> = {}): NotificationView => ({
  ticket: {
    id: 42,
    encodedId: 'ABC123-XY9Z',
    subject: 'Printer on fire',
    status: 'hold',
    priority: 'high',
    type: null,
    tags: ['printer', 'urgent'],
    recipient: 'help@support.test',
    createdAt: '2026-03-01T09:00:00Z',
    updatedAt: '2026-03-01T11:00:00Z',
    via: 'Mail',
    groupName: 'Hardware',
    requester: alice,
    assignee: smith,
    ccs: [carol],
    comments: [agentReply, firstMail, privateNote],
    ...overrides,
  },
  account: { name: 'Acme Support', baseUrl: 'https://help.acme.test/' },
  currentUser: smith,
});

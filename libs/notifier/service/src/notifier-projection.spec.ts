import type { Message, SatisfactionOfferedV1, SatisfactionRatedV1, TicketCreatedV1, TicketEvent } from '@mailroom/contracts';
import { renderNotification, type NotificationView, type Person } from '@mailroom/notifier-domain';
import { evolveView, viewSatisfaction, type StoredView } from './notifier-projection';

const jane: Person = { id: 501, name: 'Jane Customer', email: 'jane@customer.test', role: 'end_user' };
const ann: Person = { id: 7, name: 'Ann Agent', email: 'ann@support.test', role: 'agent' };

let version = 0;
const event = (type: TicketEvent['type'], data: unknown, occurredAt = '2026-11-25T06:00:00Z'): [TicketEvent, Message] => {
  version++;
  const m: Message = { id: `m${version}`, kind: 'event', type, schemaVersion: 1, streamId: 'ticket-9', streamVersion: version, globalPosition: String(version), data, metadata: { occurredAt } };
  return [{ type, data } as TicketEvent, m];
};

const created: TicketCreatedV1 = {
  ticketId: 9,
  subject: 'Printer on fire',
  requesterId: jane.id,
  submitterId: jane.id,
  recipient: 'support@acme.test',
  status: 'solved',
  priority: null,
  type: null,
  groupId: null,
  assigneeId: ann.id,
  tags: [],
  ccIds: [],
  externalId: null,
  via: { channel: 'email', source: { from: {}, to: {}, rel: null } },
  mail: null,
  createdAt: '2026-11-25T06:00:00Z',
};
const offered: SatisfactionOfferedV1 = { ticketId: 9, requesterId: jane.id, rule: { kind: 'automation', id: 'a1', title: 'Request customer satisfaction rating' } };
const rated = (score: 'good' | 'bad', comment: string | null, previousScore: SatisfactionRatedV1['previousScore']): SatisfactionRatedV1 => ({
  ticketId: 9,
  ratingId: 9,
  requesterId: jane.id,
  score,
  comment,
  previousScore,
  ratedAt: '2026-11-26T08:00:00Z',
});

/** The ticket's events folded as the notifier's projection folds them. */
const fold = (...events: [TicketEvent, Message][]): StoredView => {
  version = 0;
  let v: StoredView | null = null;
  for (const [e, m] of [event('ticket.created', created), ...events]) v = evolveView(v, e, m);
  return v!;
};

/** What the notifier renders for a recipient from a stored view (its people given here). */
const render = (v: StoredView, body: string, recipient: Person = ann) => {
  const view: NotificationView = {
    ticket: {
      id: v.id,
      encodedId: 'ENC',
      subject: v.subject,
      status: v.status,
      priority: v.priority,
      type: v.type,
      tags: v.tags,
      recipient: v.recipient,
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
      via: v.via,
      groupName: null,
      requester: jane,
      assignee: ann,
      ccs: [],
      comments: [],
    },
    account: { name: 'Acme Support', baseUrl: 'https://help.acme.test' },
    currentUser: null,
    satisfaction: viewSatisfaction(v, 'tok'),
  };
  const out = renderNotification({ subject: 's', body }, view, recipient);
  if (!out.ok) throw new Error(out.error);
  return out;
};

const BODY = '[{{satisfaction.current_rating}}|{{satisfaction.current_comment}}]';

describe("the notifier's view of a ticket's satisfaction rating", () => {
  it('renders unrated, offered, then the rating and its comment as the ticket moves through them', () => {
    expect(render(fold(), BODY).text).toBe('[|]');
    expect(render(fold(event('ticket.satisfaction_offered', offered)), BODY).text).toBe('[Offered|]');
    const bad = fold(event('ticket.satisfaction_offered', offered), event('ticket.satisfaction_rated', rated('bad', 'Too slow <sorry>', 'offered'), '2026-11-26T08:00:00Z'));
    expect(bad.satisfaction).toEqual({ score: 'bad', comment: 'Too slow <sorry>' });
    expect(bad.updatedAt).toBe('2026-11-26T08:00:00Z');
    expect(render(bad, BODY).text).toBe("[Bad, I'm unsatisfied|Too slow <sorry>]");
    // The customer's comment is text: escaped in the HTML part, never a template.
    expect(render(bad, BODY).html).toContain('Too slow &lt;sorry&gt;');
  });

  it('follows a changed rating, a comment taken back, and keeps the comment through a later offer', () => {
    const changed = fold(
      event('ticket.satisfaction_offered', offered),
      event('ticket.satisfaction_rated', rated('bad', 'Too slow', 'offered')),
      event('ticket.satisfaction_rated', rated('good', null, 'bad')),
    );
    expect(render(changed, BODY).text).toBe("[Good, I'm satisfied|]");
    const reoffered = fold(event('ticket.satisfaction_rated', rated('good', 'Thanks {{ticket.id}}', 'unoffered')), event('ticket.satisfaction_offered', offered));
    expect(render(reoffered, BODY).text).toBe('[Offered|Thanks {{ticket.id}}]');
  });

  it('reads a view stored before the notifier followed ratings as unrated', () => {
    const { satisfaction: _none, ...old } = fold(event('ticket.satisfaction_rated', rated('good', 'Fine', 'offered')));
    expect(viewSatisfaction(old as StoredView, null)).toEqual({ score: 'unoffered', comment: null, token: null });
    expect(render(old as StoredView, BODY).text).toBe('[|]');
  });
});

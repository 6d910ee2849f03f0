import { randomUUID } from 'node:crypto';
import type { Message, NotificationRequestedV1, TicketCreatedV1, CommentAddedV1 } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { parseSupportAddresses } from '@mailroom/mail-domain';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { updateOf } from '@mailroom/contracts';
import { RetryLater } from '@mailroom/messaging';
import { handleNotifierMessage, handleNotifierUpdate, type NotifierDeps } from './notifier-consumer';

/**
 * The notifier on a real database: notifications rendered from its projection end up as pending
 * outgoing mail, or — when the admin's template is broken — as a failed delivery on the ticket.
 */
describe('the notifier rendering from its projection', () => {
  let t: TestDatabase;
  let deps: NotifierDeps;
  let ticketId = 100;

  beforeAll(async () => {
    t = await createTestDatabase();
    deps = {
      db: t.db,
      store: new EventStore(),
      secret: 'test-secret',
      supportAddresses: parseSupportAddresses('Acme Support <support@acme.test>'),
      accountName: 'Acme Support',
      baseUrl: 'https://help.acme.test',
      onQueued: () => undefined,
    };
  });
  afterAll(async () => t?.drop());

  const jane = 501;
  const msg = (type: string, streamId: string, streamVersion: number, data: unknown, metadata: Partial<Message['metadata']> = {}): Message => ({
    id: randomUUID(),
    kind: 'event',
    type,
    schemaVersion: 1,
    streamId,
    streamVersion,
    globalPosition: '0',
    data,
    metadata: { occurredAt: '2026-11-25T06:00:00Z', ...metadata },
  });

  beforeAll(async () => {
    await handleNotifierMessage(deps, msg('user.created', `user-${jane}`, 1, { userId: jane, name: 'Jane Customer', email: 'jane@customer.test', role: 'end_user', createdAt: '2026-11-25T06:00:00Z' }));
  });

  /** A ticket created by Jane's email with one comment, then a notification requested by a trigger. */
  const ticketWithNotification = async (commentBody: string, body: string, d: Partial<NotifierDeps> = {}) => {
    const id = ++ticketId;
    const stream = `ticket-${id}`;
    const creation = randomUUID();
    const actor = { userId: jane, role: 'end_user' as const };
    const via = { channel: 'email' as const, source: { from: { address: 'jane@customer.test' }, to: {}, rel: null } };
    const created: TicketCreatedV1 = {
      ticketId: id, subject: 'Printer on fire', requesterId: jane, submitterId: jane, recipient: 'support@acme.test', status: 'new', priority: null, type: null,
      groupId: null, assigneeId: null, tags: [], ccIds: [], externalId: null, via, mail: null, createdAt: '2026-11-25T06:00:00Z',
    };
    const comment: CommentAddedV1 = { ticketId: id, commentId: id * 10, authorId: jane, body: commentBody, htmlBody: '', public: true, attachments: [], via, mail: null, createdAt: '2026-11-25T06:00:00Z' };
    const notification: NotificationRequestedV1 = {
      ticketId: id, notificationId: randomUUID(), rule: { kind: 'trigger', id: 't1', title: 'Notify requester and CCs of received request' },
      recipientIds: [jane], suppressed: [], subject: 'Received: {{ticket.title}}', body,
    };
    const all = { ...deps, ...d };
    await handleNotifierMessage(all, msg('ticket.created', stream, 1, created, { updateId: creation, actor, via }));
    await handleNotifierMessage(all, msg('ticket.comment_added', stream, 2, comment, { updateId: creation, actor, via }));
    await handleNotifierMessage(all, msg('ticket.notification_requested', stream, 3, notification, { updateId: randomUUID(), causationId: creation, actor: { userId: null, role: 'system' } }));
    const outgoing = await t.db.query<{ subject: string; text_body: string; html_body: string; envelope_from: string }>(`SELECT subject, text_body, html_body, envelope_from FROM notifier.outgoing WHERE ticket_id = $1`, [id]);
    const records = await t.db.query<{ data: { deliveries: { outcome: { status: string; error?: string } }[] } }>(
      `SELECT data FROM mailroom_events.messages WHERE type = 'ticket.record_deliveries' AND (data->>'ticketId')::int = $1`,
      [id],
    );
    return { outgoing, records: records.flatMap((r) => r.data.deliveries.map((d) => d.outcome)) };
  };

  it('stores a multipart email in which the customer\'s Liquid stays literal', async () => {
    const { outgoing, records } = await ticketWithNotification('Hi {{ticket.requester.email}} {% for i in (1..3) %}x{% endfor %} <b>', 'Thanks.\n{{ticket.latest_public_comment_html}}');
    expect(records).toEqual([]);
    expect(outgoing).toHaveLength(1);
    expect(outgoing[0].subject).toBe('Received: Printer on fire');
    expect(outgoing[0].text_body).toContain('Hi {{ticket.requester.email}} {% for i in (1..3) %}x{% endfor %} <b>');
    expect(outgoing[0].html_body).toContain('Hi {{ticket.requester.email}} {% for i in (1..3) %}x{% endfor %} &lt;b&gt;');
    expect(outgoing[0].text_body + outgoing[0].html_body).not.toContain('jane@customer.test');
  });

  it.each([
    ['a syntax error', '{% if ticket.id %}never closed', /could not render: body could not be rendered: .*not closed/],
    ['a hundred million iterations', '{% for i in (1..100000000) %}x{% endfor %}', /could not render: body could not be rendered: memory alloc limit exceeded/],
    ['huge output', `{% for i in (1..2000) %}${'y'.repeat(1000)}{% endfor %}`, /could not render: body is too large once rendered/],
  ])('records a failed delivery and sends nothing for %s, without failing the consumer', async (_, body, error) => {
    const { outgoing, records } = await ticketWithNotification('Help', body);
    expect(outgoing).toEqual([]);
    expect(records).toEqual([expect.objectContaining({ status: 'failed', permanent: true, error: expect.stringMatching(error) })]);
  });

  it('leaves the comment out of the acknowledgement when placeholder suppression is on', async () => {
    const on = await ticketWithNotification('Buy cheap pills at spam.test', 'We got it.\n{{ticket.latest_public_comment_html}}', { suppressPlaceholdersOnCreation: true });
    expect(on.outgoing[0].text_body).toContain('We got it.');
    expect(on.outgoing[0].text_body + on.outgoing[0].html_body).not.toContain('spam.test');
    const off = await ticketWithNotification('Buy cheap pills at spam.test', 'We got it.\n{{ticket.latest_public_comment_html}}');
    expect(off.outgoing[0].text_body).toContain('spam.test');
  });

  it("leaves from the ticket's support address with its display name, or the account's name when it has none", async () => {
    const named = await ticketWithNotification('Help', 'Got it.');
    expect(named.outgoing[0].envelope_from).toBe('"Acme Support" <support@acme.test>');
    const unnamed = await ticketWithNotification('Help', 'Got it.', { supportAddresses: parseSupportAddresses('support@acme.test'), accountName: 'Acme Inc' });
    expect(unnamed.outgoing[0].envelope_from).toBe('"Acme Inc" <support@acme.test>');
  });

  it("looks the addresses up again when the ticket's support address is not known yet (added a moment ago)", async () => {
    const stale = parseSupportAddresses('Acme Other <other@acme.test>');
    const fresh = parseSupportAddresses('Acme Other <other@acme.test>, Acme Support <support@acme.test>');
    let lookups = 0;
    const refreshed = await ticketWithNotification('Help', 'Got it.', { supportAddresses: stale, refreshSupportAddresses: async () => (lookups++, fresh) });
    expect(refreshed.outgoing[0].envelope_from).toBe('"Acme Support" <support@acme.test>');
    expect(lookups).toBe(1);
    const known = await ticketWithNotification('Help', 'Got it.', { refreshSupportAddresses: async () => (lookups++, fresh) });
    expect(known.outgoing[0].envelope_from).toBe('"Acme Support" <support@acme.test>');
    expect(lookups).toBe(1); // a known address costs no lookup
  });

  it('wraps the notification in the account email template', async () => {
    const emailTemplate = { htmlTemplate: '<html><body><h1>ACME</h1>{{content}}{{footer}}</body></html>', textTemplate: 'ACME\n{{content}}\n{{footer}}', delimiter: '-- reply above --', delimiterEnabled: true, simplifiedThreading: true };
    const { outgoing } = await ticketWithNotification('Help', 'Got it.', { emailTemplate });
    expect(outgoing[0].text_body.startsWith('-- reply above --\n\nACME\nGot it.')).toBe(true);
    expect(outgoing[0].html_body).toContain('<h1>ACME</h1>Got it.');
  });

  it('sends nothing to an email marked undeliverable by a bounce, and sends again once it is marked deliverable', async () => {
    const bounced = { userId: jane, email: 'jane@customer.test', permanent: true, status: '5.1.1', diagnostic: '550 5.1.1 user unknown', softBounces: 0, undeliverable: true, ticketId: null, mailId: 'm1', bouncedAt: '2026-11-25T06:30:00Z' };
    await handleNotifierMessage(deps, msg('user.email_bounced', `user-${jane}`, 2, bounced));
    const blocked = await ticketWithNotification('Help', 'Got it.');
    expect(blocked.outgoing).toEqual([]);
    expect(blocked.records).toEqual([expect.objectContaining({ status: 'failed', permanent: true, to: ['jane@customer.test'], error: 'not sent: address marked undeliverable' })]);

    await handleNotifierMessage(deps, msg('user.updated', `user-${jane}`, 3, { userId: jane, undeliverable: false, updatedAt: '2026-11-25T07:00:00Z' }));
    const again = await ticketWithNotification('Help', 'Got it.');
    expect(again.records).toEqual([]);
    expect(again.outgoing).toHaveLength(1);
  });

  it("renders the ticket's current rating and comment, as the requester left them", async () => {
    const id = ++ticketId;
    const stream = `ticket-${id}`;
    const actor = { userId: jane, role: 'end_user' as const };
    const via = { channel: 'email' as const, source: { from: { address: 'jane@customer.test' }, to: {}, rel: null } };
    const created: TicketCreatedV1 = {
      ticketId: id, subject: 'Rated', requesterId: jane, submitterId: jane, recipient: 'support@acme.test', status: 'solved', priority: null, type: null,
      groupId: null, assigneeId: null, tags: [], ccIds: [], externalId: null, via, mail: null, createdAt: '2026-11-25T06:00:00Z',
    };
    const system = { userId: null, role: 'system' as const };
    await handleNotifierMessage(deps, msg('ticket.created', stream, 1, created, { updateId: randomUUID(), actor, via }));
    await handleNotifierMessage(deps, msg('ticket.satisfaction_offered', stream, 2, { ticketId: id, requesterId: jane }, { updateId: randomUUID(), actor: system }));
    const rating = { ticketId: id, ratingId: id, requesterId: jane, score: 'bad', comment: 'Too slow <sorry>', previousScore: 'offered', ratedAt: '2026-11-25T07:00:00Z' };
    await handleNotifierMessage(deps, msg('ticket.satisfaction_rated', stream, 3, rating, { updateId: randomUUID(), actor, via: { channel: 'web', source: { from: {}, to: {}, rel: 'satisfaction' } } }));
    const notification: NotificationRequestedV1 = {
      ticketId: id, notificationId: randomUUID(), rule: { kind: 'trigger', id: 't2', title: 'Tell the requester we saw the rating' },
      recipientIds: [jane], suppressed: [], subject: 'Your rating', body: 'You said: {{satisfaction.current_rating}} ({{satisfaction.current_comment}})',
    };
    await handleNotifierMessage(deps, msg('ticket.notification_requested', stream, 4, notification, { updateId: randomUUID(), actor: system }));
    const [mail] = await t.db.query<{ text_body: string; html_body: string }>(`SELECT text_body, html_body FROM notifier.outgoing WHERE ticket_id = $1`, [id]);
    expect(mail.text_body).toContain("You said: Bad, I'm unsatisfied (Too slow <sorry>)");
    expect(mail.html_body).toContain('Too slow &lt;sorry&gt;');
  });

  it('handles an update in one transaction: a failure midway leaves nothing, the retry and a redelivery mail once', async () => {
    const id = ++ticketId;
    const stream = `ticket-${id}`;
    const bob = 777;
    const creation = randomUUID();
    const actor = { userId: jane, role: 'end_user' as const };
    const via = { channel: 'email' as const, source: { from: { address: 'jane@customer.test' }, to: {}, rel: null } };
    const created: TicketCreatedV1 = {
      ticketId: id, subject: 'Two notifications', requesterId: jane, submitterId: jane, recipient: 'support@acme.test', status: 'new', priority: null, type: null,
      groupId: null, assigneeId: null, tags: [], ccIds: [], externalId: null, via, mail: null, createdAt: '2026-11-25T06:00:00Z',
    };
    await handleNotifierUpdate(deps, updateOf([msg('ticket.created', stream, 1, created, { updateId: creation, actor, via, updateIndex: 0, updateSize: 1 })]));
    // The triggers' update: a notification to Jane, then one to Bob, whom the notifier has not seen yet.
    const rulesUpdate = randomUUID();
    const notify = (recipientId: number): NotificationRequestedV1 => ({
      ticketId: id, notificationId: randomUUID(), rule: { kind: 'trigger', id: 't1', title: 'Notify' }, recipientIds: [recipientId], suppressed: [], subject: 'Hello', body: 'Hi',
    });
    const meta = (i: number) => ({ updateId: rulesUpdate, causationId: creation, actor: { userId: null, role: 'system' as const }, via: { ...via, channel: 'rule' as const }, updateIndex: i, updateSize: 2 });
    const update = updateOf([msg('ticket.notification_requested', stream, 2, notify(jane), meta(0)), msg('ticket.notification_requested', stream, 3, notify(bob), meta(1))]);
    expect(update.routingKey).toBe('ticket.rule_actions');
    const state = async () => ({
      outgoing: (await t.db.query<{ to_address: string }>(`SELECT to_address FROM notifier.outgoing WHERE ticket_id = $1 ORDER BY to_address`, [id])).map((r) => r.to_address),
      version: Number((await t.db.query<{ version: string }>(`SELECT version FROM notifier.tickets WHERE id = $1`, [id]))[0].version),
    });

    await expect(handleNotifierUpdate(deps, update)).rejects.toThrow(RetryLater);
    // Jane's mail was rendered before Bob's failed, and rolled back with it: no half update.
    expect(await state()).toEqual({ outgoing: [], version: 1 });

    await handleNotifierMessage(deps, msg('user.created', `user-${bob}`, 1, { userId: bob, name: 'Bob Agent', email: 'bob@acme.test', role: 'agent', createdAt: '2026-11-25T06:00:00Z' }));
    await handleNotifierUpdate(deps, update);
    expect(await state()).toEqual({ outgoing: ['bob@acme.test', 'jane@customer.test'], version: 3 });
    // Delivered again (a redelivery, or the whole log published twice): no second mail.
    await handleNotifierUpdate(deps, update);
    expect(await state()).toEqual({ outgoing: ['bob@acme.test', 'jane@customer.test'], version: 3 });
  });
});

import type { Actor, TicketEvent, Via } from '@mailroom/contracts';
import { followUpCommand } from './follow-up';
import { decide, evolve, initialTicketState, type TicketState } from './ticket';

const now = '2026-12-01T08:00:00.000Z';
const agent: Actor = { userId: 2, role: 'agent' };
const customer: Actor = { userId: 10, role: 'end_user' };
const viaEmail: Via = { channel: 'email', source: { from: { address: 'jane@customer.test', name: 'Jane' }, to: { address: 'help@mailroom.test', name: 'Help' }, rel: null } };
const mail = { mailId: 'm-2', messageId: '<reply@customer.test>', recipients: ['help@mailroom.test'], supportAddress: 'help@mailroom.test' };

const replay = (events: TicketEvent[]): TicketState => events.reduce((s, e) => evolve(s, e, { occurredAt: now }), initialTicketState());

/** Ticket 7: requester 10, CC 11, assigned to agent 2, tagged, then solved and closed. */
const closedTicket = (): TicketState => {
  const created = decide(
    {
      type: 'CreateTicket',
      now,
      actor: customer,
      via: viaEmail,
      ticketId: 7,
      subject: 'Printer on fire',
      requesterId: 10,
      submitterId: 10,
      recipient: 'support@mailroom.test',
      comment: { commentId: 1, authorId: 10, body: 'It burns', htmlBody: '<p>It burns</p>', public: true, attachments: [] },
      ccIds: [11],
      fields: { priority: 'high', type: 'incident', groupId: 3, assigneeId: 2, tags: ['printer', 'vip'] },
      mail: null,
    },
    initialTicketState(),
  );
  if (!created.ok) throw new Error(created.error.message);
  let state = replay(created.events);
  for (const status of ['solved', 'closed'] as const) {
    const d = decide({ type: 'UpdateTicket', now, actor: agent, via: viaEmail, changes: { status }, comment: null, mail: null }, state);
    if (!d.ok) throw new Error(d.error.message);
    state = d.events.reduce((s, e) => evolve(s, e, { occurredAt: now }), state);
  }
  return state;
};

const reply = (authorId: number) => ({ commentId: 5, authorId, body: 'It burns again', htmlBody: '<p>It burns again</p>', public: true, attachments: [] });

describe('a reply to a closed ticket', () => {
  it('is refused as an update of the closed ticket', () => {
    const d = decide({ type: 'UpdateTicket', now, actor: customer, via: viaEmail, changes: {}, comment: reply(10), mail }, closedTicket());
    expect(d).toEqual({ ok: false, error: expect.objectContaining({ kind: 'closed' }) });
  });

  it('opens a follow-up that names the closed ticket and inherits subject, requester, CCs and all tags', () => {
    const closed = closedTicket();
    const command = followUpCommand(closed, { ticketId: 8, now, actor: customer, comment: reply(10), via: viaEmail, mail, ccIds: [12] });
    const d = decide(command, initialTicketState());
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const created = d.events.find((e) => e.type === 'ticket.created')!.data as Extract<TicketEvent, { type: 'ticket.created' }>['data'];
    expect(created).toMatchObject({
      ticketId: 8,
      subject: 'Printer on fire',
      requesterId: 10,
      submitterId: 10,
      status: 'new',
      tags: ['printer', 'vip'],
      ccIds: [11, 12],
      recipient: 'help@mailroom.test',
      via: { channel: 'closed_ticket', source: { from: { address: 'jane@customer.test', ticket_id: 7, subject: 'Printer on fire' }, to: { address: 'help@mailroom.test' }, rel: 'follow_up' } },
    });
    // Not copied: priority, type, group, assignee, comments.
    expect(created).toMatchObject({ priority: null, type: null, groupId: null, assigneeId: null });
    expect(d.events.filter((e) => e.type === 'ticket.comment_added').map((e) => e.data)).toEqual([expect.objectContaining({ commentId: 5, body: 'It burns again' })]);
  });

  it('keeps the requester when a CC replies, and never makes a third party who replies a CC', () => {
    const byCc = followUpCommand(closedTicket(), { ticketId: 8, now, actor: { userId: 11, role: 'end_user' }, comment: reply(11), via: viaEmail, mail, ccIds: [] });
    expect(byCc).toMatchObject({ requesterId: 10, submitterId: 11, ccIds: [11] });
    const byStranger = followUpCommand(closedTicket(), { ticketId: 8, now, actor: { userId: 13, role: 'end_user' }, comment: { ...reply(13), public: false }, via: viaEmail, mail, ccIds: [] });
    expect(byStranger).toMatchObject({ requesterId: 10, submitterId: 13, ccIds: [11], comment: { public: false } });
  });

  it('takes a new requester from an agent’s #requester', () => {
    expect(followUpCommand(closedTicket(), { ticketId: 8, now, actor: agent, comment: reply(2), via: viaEmail, mail, ccIds: [], changes: { requesterId: 11 } })).toMatchObject({ requesterId: 11, ccIds: [] });
  });

  it('uses the closed ticket’s support address when the reply has no mail', () => {
    expect(followUpCommand(closedTicket(), { ticketId: 8, now, actor: customer, comment: reply(10), via: viaEmail, mail: null, ccIds: [] }).recipient).toBe('support@mailroom.test');
  });

  it('carries an agent’s mail commands over to the follow-up', () => {
    const command = followUpCommand(closedTicket(), { ticketId: 8, now, actor: agent, comment: reply(2), via: viaEmail, mail, ccIds: [], changes: { status: 'pending', assigneeId: 2, addTags: ['again'], removeTags: ['vip'] } });
    const d = decide(command, initialTicketState());
    expect(d.ok && d.events[0].data).toMatchObject({ status: 'pending', assigneeId: 2, tags: ['printer', 'again'] });
  });
});

describe('CCs added by later replies', () => {
  const open = (ccIds: number[]): TicketState => ({ ...initialTicketState(), exists: true, id: 3, status: 'open', requesterId: 10, ccIds });
  const update = (state: TicketState, addCcIds: number[]) =>
    decide({ type: 'UpdateTicket', now, actor: customer, via: viaEmail, changes: { addCcIds }, comment: reply(10), mail }, state);

  it('adds new CCs, leaving out the requester and those already copied', () => {
    const d = update(open([11]), [11, 10, 12]);
    expect(d.ok && d.events.find((e) => e.type === 'ticket.ccs_changed')?.data).toEqual({ ticketId: 3, added: [12], removed: [], ccIds: [11, 12] });
  });

  it('stops at 48 CCs on a ticket', () => {
    const full = open(Array.from({ length: 47 }, (_, i) => 100 + i));
    const d = update(full, [200, 201, 202]);
    expect(d.ok && d.events.find((e) => e.type === 'ticket.ccs_changed')?.data).toMatchObject({ added: [200] });
    const d48 = update(open(Array.from({ length: 48 }, (_, i) => 100 + i)), [300]);
    expect(d48.ok && d48.events.some((e) => e.type === 'ticket.ccs_changed')).toBe(false);
  });
});

import type { Actor, TicketEvent, Via } from '@mailroom/contracts';
import { followUpCommand } from './follow-up';
import { decide, evolve, initialTicketState, type TicketState } from './ticket';

const now = '2026-12-01T08:00:00.000Z';
const agent: Actor = { userId: 2, role: 'agent' };
const via: Via = { channel: 'email', source: { from: { address: 'ann@mailroom.test', name: 'Ann' }, to: { address: 'support@mailroom.test', name: 'Support' }, rel: null } };
const mail = { mailId: 'm-9', messageId: '<r@mailroom.test>', recipients: ['support@mailroom.test'], supportAddress: 'support@mailroom.test' };
const refusal = { command: '#status', value: 'nonsense', error: 'Status: "nonsense" is not one of open, pending, solved' };

const ticket = (): TicketState => {
  const d = decide(
    {
      type: 'CreateTicket',
      now,
      actor: { userId: 10, role: 'end_user' },
      via,
      ticketId: 4,
      subject: 'Printer',
      requesterId: 10,
      submitterId: 10,
      recipient: 'support@mailroom.test',
      comment: { commentId: 1, authorId: 10, body: 'Broken', htmlBody: '<p>Broken</p>', public: true, attachments: [] },
      ccIds: [],
      fields: {},
      mail,
    },
    initialTicketState(),
  );
  if (!d.ok) throw new Error(d.error.message);
  return d.events.reduce((s, e) => evolve(s, e), initialTicketState());
};

const types = (events: TicketEvent[]) => events.map((e) => e.type);

describe('refused mail commands on the audit', () => {
  it('are recorded right after the comment they came with, naming it, and change nothing', () => {
    const state = ticket();
    const d = decide(
      { type: 'UpdateTicket', now, actor: agent, via, changes: {}, comment: { commentId: 2, authorId: 2, body: 'Looking', htmlBody: '<p>Looking</p>', public: true, attachments: [] }, mail, commandErrors: [refusal] },
      state,
    );
    if (!d.ok) throw new Error(d.error.message);
    expect(types(d.events)).toEqual(['ticket.comment_added', 'ticket.mail_command_refused']);
    expect(d.events[1].data).toEqual({ ticketId: 4, commentId: 2, ...refusal });
    const after = d.events.reduce((s, e) => evolve(s, e), state);
    expect(after.status).toBe(state.status);
  });

  it('need a comment: an update without one records none', () => {
    const d = decide({ type: 'UpdateTicket', now, actor: agent, via, changes: { priority: 'high' }, comment: null, mail: null, commandErrors: [refusal] }, ticket());
    if (!d.ok) throw new Error(d.error.message);
    expect(types(d.events)).toEqual(['ticket.priority_changed']);
  });

  it('go with the first comment of a follow-up', () => {
    const closed = { ...ticket(), status: 'closed' as const };
    const command = followUpCommand(closed, { ticketId: 5, now, actor: agent, comment: { commentId: 3, authorId: 2, body: 'Again', htmlBody: '<p>Again</p>', public: true, attachments: [] }, via, mail, ccIds: [], commandErrors: [refusal] });
    const d = decide(command, initialTicketState());
    if (!d.ok) throw new Error(d.error.message);
    expect(types(d.events)).toEqual(['ticket.created', 'ticket.comment_added', 'ticket.mail_command_refused']);
    expect(d.events[2].data).toMatchObject({ ticketId: 5, commentId: 3, command: '#status' });
  });

  it('carry the mail extraction of a comment into its event', () => {
    const d = decide(
      { type: 'UpdateTicket', now, actor: agent, via, changes: {}, comment: { commentId: 6, authorId: 2, body: 'Hi', htmlBody: '<p>Hi</p>', public: true, attachments: [], extraction: { replyCutBy: 'quote_header' } }, mail },
      ticket(),
    );
    if (!d.ok) throw new Error(d.error.message);
    expect(d.events[0].data).toMatchObject({ commentId: 6, extraction: { replyCutBy: 'quote_header' }, mail });
  });
});

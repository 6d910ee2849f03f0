import type { Actor, Message, TicketEvent } from '@mailroom/contracts';
import { randomTicketHistory } from '../testing/ticket-histories';
import {
  evolveTicketSnapshot,
  foldTicketSnapshot,
  INBOUND_MESSAGE_IDS_KEPT,
  isAgentReply,
  isReopen,
  isRepeatedOffer,
  ratingOfScore,
  satisfactionScoreOf,
  UNKEPT_RATING_COMMENT,
  blankSnapshot,
  type SnapshotMessage,
  type TicketSnapshot,
} from './snapshot';
import { evolve, initialTicketState, type TicketState } from './ticket';

const via = { channel: 'email' as const, source: { from: {}, to: {}, rel: null } };
const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T01:00:00.000Z';
const T2 = '2026-01-01T02:00:00.000Z';

const msg = (e: TicketEvent, occurredAt = T1, actor?: Actor): SnapshotMessage => ({ type: e.type, data: e.data, metadata: { occurredAt, ...(actor ? { actor } : {}) } });

const createdEvent = (over: Partial<Extract<TicketEvent, { type: 'ticket.created' }>['data']> = {}): TicketEvent => ({
  type: 'ticket.created',
  data: { ticketId: 7, subject: 'Help', requesterId: 1, submitterId: 2, recipient: 'support@x.test', status: 'new', priority: null, type: null, groupId: null, assigneeId: null, tags: ['a'], ccIds: [5], externalId: 'e-1', organizationId: 30, via, mail: null, createdAt: T0, ...over },
});
const comment = (authorId: number, isPublic: boolean, over: Partial<Extract<TicketEvent, { type: 'ticket.comment_added' }>['data']> = {}): TicketEvent => ({
  type: 'ticket.comment_added',
  data: { ticketId: 7, commentId: 1, authorId, body: 'hi', htmlBody: '<p>hi</p>', public: isPublic, attachments: [], via, mail: null, createdAt: T1, ...over },
});
const status = (from: string, to: string) => ({ type: 'ticket.status_changed', data: { ticketId: 7, from, to } }) as TicketEvent;
const offered: TicketEvent = { type: 'ticket.satisfaction_offered', data: { ticketId: 7, requesterId: 1, rule: { kind: 'automation', id: 'a1', title: 'Survey' } } };
const rated = (score: 'good' | 'bad', c: string | null, ratedAt = T2): TicketEvent => ({ type: 'ticket.satisfaction_rated', data: { ticketId: 7, ratingId: 7, requesterId: 1, score, comment: c, previousScore: 'offered', ratedAt } });

const start = (over: Parameters<typeof createdEvent>[0] = {}): TicketSnapshot => evolveTicketSnapshot(null, msg(createdEvent(over), T0))!;
const fold = (s: TicketSnapshot, ...ms: SnapshotMessage[]): TicketSnapshot => foldTicketSnapshot(s, ms)!;

describe('the ticket snapshot', () => {
  it('is made by the creation, with the instants it starts', () => {
    const s = start({ status: 'open', assigneeId: 10, mail: { mailId: 'm', messageId: '<a@x>', recipients: [], supportAddress: 'support@x.test' } });
    expect(s).toMatchObject({ id: 7, subject: 'Help', status: 'open', assigneeId: 10, requesterId: 1, submitterId: 2, organizationId: 30, tags: ['a'], ccIds: [5], externalId: 'e-1', via });
    expect(s).toMatchObject({ createdAt: T0, updatedAt: T0, touchedAt: T0, statusChangedAt: T0, openAt: T0, pendingAt: null, assignedAt: T0, requesterUpdatedAt: T0, assigneeUpdatedAt: null });
    expect(s).toMatchObject({ hasPublicComments: false, reopens: 0, replies: 0, satisfaction: null, description: '', inboundMessageIds: ['<a@x>'] });
    expect(start({ organizationId: undefined }).organizationId).toBeNull();
    expect(start().assignedAt).toBeNull();
  });

  it('is null before the creation, and starts afresh on a creation', () => {
    expect(evolveTicketSnapshot(null, msg(status('new', 'open')))).toBeNull();
    const s = fold(start(), msg(status('new', 'open')));
    expect(evolveTicketSnapshot(s, msg(createdEvent({ subject: 'Again' }), T2))).toMatchObject({ subject: 'Again', status: 'new', openAt: null });
  });

  it('takes each field change at the update instant', () => {
    const s0 = start();
    const cases: [TicketEvent, Partial<TicketSnapshot>][] = [
      [{ type: 'ticket.priority_changed', data: { ticketId: 7, from: null, to: 'high' } }, { priority: 'high' }],
      [{ type: 'ticket.type_changed', data: { ticketId: 7, from: null, to: 'task' } }, { type: 'task' }],
      [{ type: 'ticket.subject_changed', data: { ticketId: 7, from: 'Help', to: 'Other' } }, { subject: 'Other' }],
      [{ type: 'ticket.group_changed', data: { ticketId: 7, from: null, to: 3 } }, { groupId: 3 }],
      [{ type: 'ticket.assignee_changed', data: { ticketId: 7, from: null, to: 11 } }, { assigneeId: 11, assignedAt: T1 }],
      [{ type: 'ticket.requester_changed', data: { ticketId: 7, from: 1, to: 4 } }, { requesterId: 4 }],
      [{ type: 'ticket.tags_changed', data: { ticketId: 7, added: ['b'], removed: [], tags: ['a', 'b'] } }, { tags: ['a', 'b'] }],
      [{ type: 'ticket.ccs_changed', data: { ticketId: 7, added: [6], removed: [], ccIds: [5, 6] } }, { ccIds: [5, 6] }],
      [status('new', 'pending'), { status: 'pending', statusChangedAt: T1, pendingAt: T1 }],
    ];
    for (const [e, want] of cases) {
      const s = evolveTicketSnapshot(s0, msg(e))!;
      expect(s).toMatchObject({ ...want, updatedAt: T1, touchedAt: T1 });
      expect(s0.updatedAt).toBe(T0); // the snapshot before is left as it was
    }
    // Unassigning keeps the last time the ticket was assigned.
    const assigned = fold(s0, msg({ type: 'ticket.assignee_changed', data: { ticketId: 7, from: null, to: 11 } }));
    expect(evolveTicketSnapshot(assigned, msg({ type: 'ticket.assignee_changed', data: { ticketId: 7, from: 11, to: null } }, T2))).toMatchObject({ assigneeId: null, assignedAt: T1 });
  });

  it('keeps a status instant after the ticket leaves the status', () => {
    const s = fold(start(), msg(status('new', 'open'), T1), msg(status('open', 'solved'), T2));
    expect(s).toMatchObject({ status: 'solved', openAt: T1, solvedAt: T2, statusChangedAt: T2 });
  });

  it('leaves records of rules and deliveries as they were (the same snapshot)', () => {
    const s = start();
    const records: TicketEvent[] = [
      { type: 'ticket.trigger_fired', data: { ticketId: 7, triggerId: 't', title: 'T', actions: [] } },
      { type: 'ticket.notification_requested', data: { ticketId: 7, notificationId: 'n', rule: { kind: 'trigger', id: 't', title: 'T' }, recipientIds: [1], suppressed: [], subject: 's', body: 'b' } },
      { type: 'ticket.notification_delivered', data: { ticketId: 7, notificationId: 'n', to: ['a@x'], messageId: '<m>', relayResponse: '250', deliveredAt: T1 } },
      { type: 'ticket.mail_command_refused', data: { ticketId: 7, commentId: 1, command: 'status', value: 'x', error: 'e' } },
      { type: 'ticket.webhook_requested', data: { ticketId: 7, requestId: 'r', webhookId: 'w', rule: { kind: 'trigger', id: 't', title: 'T' }, body: '{}' } },
    ];
    for (const e of records) expect(evolveTicketSnapshot(s, msg(e))).toBe(s);
    expect(evolveTicketSnapshot(s, { type: 'user.created', data: {}, metadata: { occurredAt: T1 } })).toBe(s);
  });

  it('counts a reopen each time a solved ticket goes back to open, pending or on-hold, and nothing else', () => {
    let s = start();
    for (const [from, to] of [['new', 'open'], ['open', 'solved'], ['solved', 'open'], ['open', 'solved'], ['solved', 'hold'], ['hold', 'solved'], ['solved', 'closed']]) s = fold(s, msg(status(from, to)));
    expect(s).toMatchObject({ reopens: 2, status: 'closed' });
    expect(isReopen('solved', 'pending')).toBe(true);
    expect(isReopen('solved', 'closed')).toBe(false);
    expect(isReopen('pending', 'open')).toBe(false);
  });

  it('counts public comments agents write as themselves as replies, not private notes, the customer nor a comment on behalf', () => {
    let s = start();
    s = fold(s, msg(comment(10, true), T1, { userId: 10, role: 'agent' }));
    s = fold(s, msg(comment(10, false), T1, { userId: 10, role: 'agent' }));
    s = fold(s, msg(comment(1, true), T1, { userId: 1, role: 'end_user' }));
    s = fold(s, msg(comment(12, true), T1, { userId: 12, role: 'admin' }));
    s = fold(s, msg(comment(1, true), T1, { userId: 10, role: 'agent' })); // an agent writing as the requester
    s = fold(s, msg(comment(10, true), T1, { userId: null, role: 'system' }));
    expect(s).toMatchObject({ replies: 2, hasPublicComments: true });
    expect(isAgentReply({ authorId: 3, public: true }, undefined)).toBe(false);
  });

  it("dates a comment at its own instant for the API and at the update's for automations, by its writer's role", () => {
    const s0 = start();
    const byCustomer = evolveTicketSnapshot(s0, msg(comment(1, true, { createdAt: T1 }), T2, { userId: 1, role: 'end_user' }))!;
    expect(byCustomer).toMatchObject({ updatedAt: T1, touchedAt: T2, requesterUpdatedAt: T2, assigneeUpdatedAt: null });
    const byAgent = evolveTicketSnapshot(s0, msg(comment(10, false), T2, { userId: 10, role: 'agent' }))!;
    expect(byAgent).toMatchObject({ requesterUpdatedAt: T0, assigneeUpdatedAt: T2, hasPublicComments: false });
    const bySystem = evolveTicketSnapshot(s0, msg(comment(10, false), T2, { userId: null, role: 'system' }))!;
    expect(bySystem).toMatchObject({ requesterUpdatedAt: T0, assigneeUpdatedAt: null });
  });

  it("takes the first comment's text as the description (the first one with text)", () => {
    const s = fold(start(), msg(comment(1, true, { body: '' })), msg(comment(1, true, { body: 'first words' })), msg(comment(1, true, { body: 'later' })));
    expect(s.description).toBe('first words');
  });

  it('keeps the last inbound Message-IDs, each once, oldest first', () => {
    let s = start({ mail: { mailId: 'm', messageId: '<0@x>', recipients: [], supportAddress: 's' } });
    s = fold(s, msg(comment(1, true, { mail: { mailId: 'm', messageId: '<0@x>', recipients: [], supportAddress: 's' } })));
    expect(s.inboundMessageIds).toEqual(['<0@x>']);
    const before = s;
    s = fold(s, msg(comment(1, true)));
    expect(s.inboundMessageIds).toBe(before.inboundMessageIds);
    for (let i = 1; i <= 25; i++) s = fold(s, msg(comment(1, true, { mail: { mailId: 'm', messageId: `<${i}@x>`, recipients: [], supportAddress: 's' } })));
    expect(s.inboundMessageIds).toHaveLength(INBOUND_MESSAGE_IDS_KEPT);
    expect(s.inboundMessageIds[0]).toBe('<6@x>');
    expect(s.inboundMessageIds.at(-1)).toBe('<25@x>');
  });

  it('follows the survey: offered, rated, rated again, with the agent and group rated', () => {
    const s0 = fold(start({ assigneeId: 10, groupId: 3 }));
    const o = evolveTicketSnapshot(s0, msg(offered, T1))!;
    expect(o.satisfaction).toEqual({ id: 7, score: 'offered', comment: null, requesterId: 1, assigneeId: 10, groupId: 3, createdAt: T1, updatedAt: T1 });
    expect(o).toMatchObject({ updatedAt: T1, touchedAt: T1 });
    expect(satisfactionScoreOf(o)).toBe('offered');
    const moved = fold(o, msg({ type: 'ticket.assignee_changed', data: { ticketId: 7, from: 10, to: 11 } }, T1));
    const r = evolveTicketSnapshot(moved, msg(rated('bad', 'Too slow', '2026-01-01T01:30:00.000Z'), T2))!;
    expect(r.satisfaction).toEqual({ id: 7, score: 'bad', comment: 'Too slow', requesterId: 1, assigneeId: 11, groupId: 3, createdAt: T1, updatedAt: '2026-01-01T01:30:00.000Z' });
    expect(r.updatedAt).toBe(T2);
    expect(satisfactionScoreOf(r)).toBe('bad_with_comment');
    const again = fold(r, msg(rated('good', null), T2));
    expect(satisfactionScoreOf(again)).toBe('good');
    expect(again.satisfaction?.createdAt).toBe(T1);
    // Rated without an offer: the rating starts then.
    expect(fold(s0, msg(rated('good', null, T2), T2)).satisfaction?.createdAt).toBe(T2);
  });

  it('takes an offer after a rating as the decider does: offered again, the comment kept', () => {
    const r = fold(start(), msg(rated('good', 'Thanks', T1), T1));
    const m = msg(offered, T2);
    expect(isRepeatedOffer(r, m)).toBe(true);
    expect(isRepeatedOffer(start(), m)).toBe(false);
    const o = evolveTicketSnapshot(r, m)!;
    expect(o.satisfaction).toMatchObject({ score: 'offered', comment: 'Thanks', createdAt: T1, updatedAt: T1 });
    expect(o).toMatchObject({ updatedAt: T2, touchedAt: T2 });
  });

  it('reads a stored satisfaction score back to the same score', () => {
    for (const score of ['unoffered', 'offered', 'good', 'bad', 'good_with_comment', 'bad_with_comment'] as const) {
      const s = blankSnapshot({ id: 7, satisfaction: ratingOfScore(score, 7, 1) });
      expect(satisfactionScoreOf(s)).toBe(score);
    }
    expect(ratingOfScore('good_with_comment', 7, 1)?.comment).toBe(UNKEPT_RATING_COMMENT);
    expect(ratingOfScore(undefined, 7, 1)).toBeNull();
  });

  it('is what the decider folds, field for field, over random histories (and counts reopens and replies from the log)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      let s: TicketSnapshot | null = null;
      let state: TicketState = initialTicketState();
      let reopens = 0;
      let replies = 0;
      for (const { messages } of randomTicketHistory(seed, 15)) {
        for (const m of messages as Message[]) {
          s = evolveTicketSnapshot(s, m);
          state = evolve(state, { type: m.type, data: m.data } as TicketEvent, { occurredAt: m.metadata.occurredAt });
          const e = m as unknown as TicketEvent;
          if (e.type === 'ticket.status_changed' && e.data.from === 'solved' && ['open', 'pending', 'hold'].includes(e.data.to)) reopens++;
          if (e.type === 'ticket.comment_added' && e.data.public && m.metadata.actor?.userId === e.data.authorId && ['agent', 'admin'].includes(m.metadata.actor?.role ?? '')) replies++;
        }
        const shared = {
          id: state.id,
          subject: state.subject,
          status: state.status,
          priority: state.priority,
          type: state.type,
          groupId: state.groupId,
          assigneeId: state.assigneeId,
          requesterId: state.requesterId,
          submitterId: state.submitterId,
          organizationId: state.organizationId,
          recipient: state.recipient,
          tags: state.tags,
          ccIds: state.ccIds,
          via: state.via,
          createdAt: state.createdAt,
          updatedAt: state.updatedAt,
          hasPublicComments: state.hasPublicComments,
          reopens,
          replies,
        };
        expect({ seed, ...s }).toMatchObject({ seed, ...shared });
        const sat = state.satisfaction;
        expect({ seed, score: s!.satisfaction?.score ?? 'unoffered', comment: s!.satisfaction?.comment ?? null }).toEqual({ seed, score: sat?.score ?? 'unoffered', comment: sat?.comment ?? null });
      }
    }
  });
});

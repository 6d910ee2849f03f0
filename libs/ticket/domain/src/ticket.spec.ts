import type { Actor, FiredRule, MailOrigin, TicketEvent, TicketStatus, Via } from '@mailroom/contracts';
import { decide, evolve, initialTicketState, type FieldChanges, type NewComment, type TicketCommand, type TicketError, type TicketState } from './ticket';

/*
 * The Ticket decider, told as stories: given the events a ticket already has, when a command
 * arrives, then these events are recorded (or this error value comes back). The history is folded
 * with `evolve`, so every story also checks that the state rebuilt from events is the one the
 * decisions need.
 */

const now = '2026-12-01T08:00:00.000Z';
const later = '2026-12-01T09:30:00.000Z';
const TICKET = 42;

const jane: Actor = { userId: 10, role: 'end_user' }; // the requester
const sam: Actor = { userId: 2, role: 'agent' };
const ada: Actor = { userId: 1, role: 'admin' };
const system: Actor = { userId: null, role: 'system' };

const viaEmail: Via = { channel: 'email', source: { from: { address: 'jane@customer.test', name: 'Jane' }, to: { address: 'help@mailroom.test', name: 'Help' }, rel: null } };
const viaApi: Via = { channel: 'api', source: { from: {}, to: {}, rel: null } };
const viaRule: Via = { channel: 'rule', source: { from: { id: 't1', title: 'Trigger t1' }, to: {}, rel: 'trigger' } };
const mail: MailOrigin = { mailId: 'm-1', messageId: '<first@customer.test>', recipients: ['help@mailroom.test'], supportAddress: 'help@mailroom.test' };

// ---------------------------------------------------------------- given / when / then

/** A past event; one of a rules update carries that update's id as its causation. */
type Past = TicketEvent | { event: TicketEvent; causationId: string };
const inRulesUpdate = (updateId: string, ...events: TicketEvent[]): Past[] => events.map((event) => ({ event, causationId: updateId }));

const stateOf = (history: Past[], start: TicketState = initialTicketState()): TicketState =>
  history.reduce<TicketState>((s, p) => ('event' in p ? evolve(s, p.event, { occurredAt: now, causationId: p.causationId }) : evolve(s, p, { occurredAt: now })), start);

const given = (...history: (Past | Past[])[]) => {
  const state = stateOf(history.flat());
  return {
    state,
    when: (command: TicketCommand) => {
      const decision = decide(command, state);
      const events = (): TicketEvent[] => {
        if (!decision.ok) throw new Error(`expected events, got ${decision.error.kind}: ${decision.error.message}`);
        return decision.events;
      };
      return {
        decision,
        events,
        then: (...expected: TicketEvent[]) => expect(decision).toEqual({ ok: true, events: expected }),
        thenNothingHappens: () => expect(decision).toEqual({ ok: true, events: [] }),
        thenFails: (error: Partial<TicketError>) => expect(decision).toEqual({ ok: false, error: expect.objectContaining(error) }),
        /** The state after the decision's events, folded onto the given state. */
        after: (causationId?: string): TicketState => stateOf(events().map((event) => (causationId ? { event, causationId } : event)), state),
      };
    },
  };
};

// ---------------------------------------------------------------- commands

const firstComment: NewComment = { commentId: 1, authorId: 10, body: 'My printer is on fire', htmlBody: '<p>My printer is on fire</p>', public: true, attachments: [] };

type Create = Extract<TicketCommand, { type: 'CreateTicket' }>;
const createTicket = (o: Partial<Omit<Create, 'type'>> = {}): Create => ({
  type: 'CreateTicket',
  now,
  actor: jane,
  via: viaEmail,
  ticketId: TICKET,
  subject: 'Printer on fire',
  requesterId: 10,
  submitterId: 10,
  recipient: 'help@mailroom.test',
  comment: firstComment,
  ccIds: [],
  fields: {},
  mail,
  ...o,
});

const commentBy = (actor: Actor, o: Partial<NewComment> = {}): NewComment => ({
  commentId: 5,
  authorId: actor.userId ?? 0,
  body: 'Any news?',
  htmlBody: '<p>Any news?</p>',
  public: true,
  attachments: [],
  ...o,
});

/** AddComment (a reply by mail) and UpdateTicket (the API) are both an UpdateTicket to the decider. */
const reply = (actor: Actor, o: Partial<NewComment> = {}, changes: FieldChanges = {}): TicketCommand => ({
  type: 'UpdateTicket',
  now: later,
  actor,
  via: viaEmail,
  changes,
  comment: commentBy(actor, o),
  mail,
});
const update = (actor: Actor, changes: FieldChanges): TicketCommand => ({ type: 'UpdateTicket', now: later, actor, via: viaApi, changes, comment: null, mail: null });

type RuleChanges = Extract<TicketCommand, { type: 'ApplyRuleActions' }>['changes'];
const trigger = (id: string, actions: FiredRule['actions'], extra: Partial<FiredRule> = {}): FiredRule => ({ kind: 'trigger', id, title: `Trigger ${id}`, actions, notifications: [], ...extra });
const applyRules = (updateId: string, changes: RuleChanges, fired: FiredRule[]): TicketCommand => ({ type: 'ApplyRuleActions', now: later, actor: system, via: viaRule, updateId, changes, fired });

const recordDelivery = (notificationId: string, outcome: Extract<TicketCommand, { type: 'RecordDelivery' }>['outcome']): TicketCommand => ({
  type: 'RecordDelivery',
  now: later,
  actor: system,
  via: { channel: 'system', source: { from: {}, to: {}, rel: 'notifier' } },
  notificationId,
  outcome,
});
const delivered = (to: string[]) => ({ status: 'delivered' as const, to, messageId: '<n1@mailroom.test>', relayResponse: '250 2.0.0 OK', at: later });
const failed = (to: string[], permanent: boolean) => ({ status: 'failed' as const, to, error: permanent ? '550 5.1.1 no such user' : '421 try again later', permanent, at: later });

// ---------------------------------------------------------------- events

type Data<T extends TicketEvent['type']> = Extract<TicketEvent, { type: T }>['data'];

const ticketCreated = (o: Partial<Data<'ticket.created'>> = {}): TicketEvent => ({
  type: 'ticket.created',
  data: {
    ticketId: TICKET,
    subject: 'Printer on fire',
    requesterId: 10,
    submitterId: 10,
    recipient: 'help@mailroom.test',
    status: 'new',
    priority: null,
    type: null,
    groupId: null,
    assigneeId: null,
    tags: [],
    ccIds: [],
    externalId: null,
    organizationId: null,
    via: viaEmail,
    mail,
    createdAt: now,
    ...o,
  },
});
const commentAdded = (o: Partial<Data<'ticket.comment_added'>> = {}): TicketEvent => ({
  type: 'ticket.comment_added',
  data: { ticketId: TICKET, ...firstComment, via: viaEmail, mail, createdAt: now, ...o },
});
const replied = (actor: Actor, o: Partial<NewComment> = {}): TicketEvent => ({
  type: 'ticket.comment_added',
  data: { ticketId: TICKET, ...commentBy(actor, o), via: viaEmail, mail, createdAt: later },
});
const statusChanged = (from: TicketStatus, to: TicketStatus): TicketEvent => ({ type: 'ticket.status_changed', data: { ticketId: TICKET, from, to } });
const assigneeChanged = (from: number | null, to: number | null): TicketEvent => ({ type: 'ticket.assignee_changed', data: { ticketId: TICKET, from, to } });

/** The usual start: Jane's mail made ticket 42 (new, unassigned). */
const newTicket = (o: Partial<Data<'ticket.created'>> = {}): TicketEvent[] => [ticketCreated(o), commentAdded()];
/** Ticket 42 assigned to Sam and open. */
const openTicket = (o: Partial<Data<'ticket.created'>> = {}): TicketEvent[] => newTicket({ status: 'open', assigneeId: 2, ...o });
const ticketIn = (status: TicketStatus): TicketEvent[] => [...openTicket(), ...(status === 'open' ? [] : [statusChanged('open', status)])];

// ================================================================= CreateTicket

describe('creating a ticket', () => {
  it('a customer’s mail opens a new, unassigned ticket with their mail as its first comment', () => {
    given().when(createTicket()).then(ticketCreated(), commentAdded());
  });

  it('keeps the fields it was created with: priority, type, group, external id, organization, via and mail', () => {
    given()
      .when(createTicket({ actor: sam, via: viaApi, submitterId: 2, recipient: null, fields: { priority: 'high', type: 'incident', groupId: 3 }, externalId: 'crm-7', organizationId: 5, mail: null }))
      .then(
        ticketCreated({ submitterId: 2, recipient: null, priority: 'high', type: 'incident', groupId: 3, externalId: 'crm-7', organizationId: 5, via: viaApi, mail: null }),
        commentAdded({ via: viaApi, mail: null }),
      );
  });

  it('lower-cases its tags, splits them at spaces and commas, and keeps each once', () => {
    const d = given().when(createTicket({ fields: { tags: ['Billing Urgent', 'billing', ' VIP,refund', ''] } }));
    expect(d.events()[0].data).toMatchObject({ tags: ['billing', 'urgent', 'vip', 'refund'] });
  });

  it('copies each CC once, never the requester, and at most 48 of them', () => {
    expect(given().when(createTicket({ ccIds: [11, 10, 12, 11] })).events()[0].data).toMatchObject({ ccIds: [11, 12] });
    const sixty = Array.from({ length: 60 }, (_, i) => 100 + i);
    expect((given().when(createTicket({ ccIds: sixty })).events()[0].data as Data<'ticket.created'>).ccIds).toEqual(sixty.slice(0, 48));
  });

  describe('its status', () => {
    it('is New when none is asked for', () => {
      expect(given().when(createTicket()).events()[0].data).toMatchObject({ status: 'new' });
    });

    it('is Open when the ticket is created with an assignee (a new ticket that is assigned opens)', () => {
      expect(given().when(createTicket({ fields: { assigneeId: 2 } })).events()[0].data).toMatchObject({ status: 'open', assigneeId: 2 });
      expect(given().when(createTicket({ fields: { status: 'new', assigneeId: 2 } })).events()[0].data).toMatchObject({ status: 'open' });
    });

    it.each<TicketStatus>(['open', 'pending', 'hold'])('is %s when the ticket is created so, with or without an assignee', (status) => {
      expect(given().when(createTicket({ fields: { status } })).events()[0].data).toMatchObject({ status, assigneeId: null });
      expect(given().when(createTicket({ fields: { status, assigneeId: 2 } })).events()[0].data).toMatchObject({ status, assigneeId: 2 });
    });

    it.each<TicketStatus>(['solved', 'closed'])('cannot be %s without an assignee', (status) => {
      given().when(createTicket({ fields: { status } })).thenFails({ kind: 'invalid', field: 'status' });
      expect(given().when(createTicket({ fields: { status, assigneeId: 2 } })).events()[0].data).toMatchObject({ status, assigneeId: 2 });
    });
  });

  it('a ticket whose first comment is private is not public; a public first comment makes it public', () => {
    const privately = given().when(createTicket({ actor: sam, submitterId: 2, comment: { ...firstComment, authorId: 2, public: false } }));
    expect(privately.events()[1].data).toMatchObject({ public: false });
    expect(privately.after()).toMatchObject({ hasPublicComments: false, commentCount: 1 });
    expect(given().when(createTicket()).after()).toMatchObject({ hasPublicComments: true, commentCount: 1 });
  });

  it('refuses a blank first comment, but an attachment alone is a comment', () => {
    given().when(createTicket({ comment: { ...firstComment, body: ' \n ', htmlBody: '  ' } })).thenFails({ kind: 'invalid', field: 'comment' });
    const attachment = { id: 'a1', fileName: 'photo.jpg', contentType: 'image/jpeg', size: 1234, contentId: null, inline: false };
    expect(given().when(createTicket({ comment: { ...firstComment, body: '', htmlBody: '', attachments: [attachment] } })).decision.ok).toBe(true);
  });

  it('refuses a subject longer than 1000 characters', () => {
    given().when(createTicket({ subject: 'x'.repeat(1001) })).thenFails({ kind: 'invalid', field: 'subject' });
    expect(given().when(createTicket({ subject: 'x'.repeat(1000) })).decision.ok).toBe(true);
  });

  it('the same creation again (a redelivered command) adds nothing', () => {
    given(...newTicket()).when(createTicket()).thenNothingHappens();
  });
});

// ================================================================= comments

describe('a comment on a ticket', () => {
  it('an end user’s reply on an open ticket adds a public comment and changes nothing else', () => {
    given(...openTicket()).when(reply(jane)).then(replied(jane));
  });

  it('an agent’s private note adds a comment that does not make the ticket public', () => {
    const note = given(ticketCreated({ status: 'open', assigneeId: 2 }), commentAdded({ authorId: 2, public: false })).when(reply(sam, { public: false }));
    note.then(replied(sam, { public: false }));
    expect(note.after()).toMatchObject({ hasPublicComments: false, commentCount: 2, updatedAt: later });
  });

  it('keeps how the reply came in (via and mail) on the comment', () => {
    const d = given(...openTicket()).when(reply(jane));
    expect(d.events()[0].data).toMatchObject({ via: viaEmail, mail, createdAt: later, authorId: 10, commentId: 5 });
  });

  it.each<TicketStatus>(['pending', 'hold', 'solved'])('an end user’s reply reopens a %s ticket', (status) => {
    given(...ticketIn(status)).when(reply(jane)).then(replied(jane), statusChanged(status, 'open'));
  });

  it('an end user’s private comment (a third party’s reply) reopens a pending ticket too', () => {
    given(...ticketIn('pending')).when(reply({ userId: 13, role: 'end_user' }, { public: false })).then(replied({ userId: 13, role: 'end_user' }, { public: false }), statusChanged('pending', 'open'));
  });

  it('an end user’s reply leaves a new ticket new and an open ticket open', () => {
    given(...newTicket()).when(reply(jane)).then(replied(jane));
    given(...openTicket()).when(reply(jane)).then(replied(jane));
  });

  it.each<[string, Actor]>([
    ['an agent', sam],
    ['an admin', ada],
  ])('%s’s reply does not reopen a pending, on-hold or solved ticket', (_who, actor) => {
    for (const status of ['pending', 'hold', 'solved'] as const) given(...ticketIn(status)).when(reply(actor)).then(replied(actor));
  });

  it('an agent’s reply may set the status in the same update; the comment comes first', () => {
    given(...ticketIn('open')).when(reply(sam, {}, { status: 'pending' })).then(replied(sam), statusChanged('open', 'pending'));
  });

  it('a status asked for in the same update wins over reopening', () => {
    given(...ticketIn('pending')).when(reply(jane, {}, { status: 'solved' })).then(replied(jane), statusChanged('pending', 'solved'));
  });

  it.each<[string, Actor]>([
    ['an end user', jane],
    ['an agent', sam],
  ])('%s’s reply to a closed ticket is refused as closed (it starts a follow-up instead)', (_who, actor) => {
    given(...ticketIn('closed')).when(reply(actor)).thenFails({ kind: 'closed' });
  });

  it('refuses a blank comment, but keeps one that is only an attachment', () => {
    given(...openTicket()).when(reply(jane, { body: '   ', htmlBody: ' \n' })).thenFails({ kind: 'invalid', field: 'comment' });
    const attachment = { id: 'a2', fileName: 'log.txt', contentType: 'text/plain', size: 10, contentId: null, inline: false };
    given(...openTicket()).when(reply(jane, { body: '', htmlBody: '', attachments: [attachment] })).then(replied(jane, { body: '', htmlBody: '', attachments: [attachment] }));
  });

  it('a reply by mail that copies people and carries an agent’s mail commands is one update: comment, then fields, then CCs', () => {
    given(...openTicket())
      .when(reply(sam, {}, { status: 'pending', priority: 'high', addCcIds: [11] }))
      .then(
        replied(sam),
        statusChanged('open', 'pending'),
        { type: 'ticket.priority_changed', data: { ticketId: TICKET, from: null, to: 'high' } },
        { type: 'ticket.ccs_changed', data: { ticketId: TICKET, added: [11], removed: [], ccIds: [11] } },
      );
  });

  it('a comment on a ticket that does not exist is refused as not found', () => {
    given().when(reply(jane)).thenFails({ kind: 'not_found' });
  });
});

// ================================================================= field updates

describe('updating a ticket’s fields', () => {
  it('an update of a ticket that does not exist is refused as not found', () => {
    given().when(update(sam, { priority: 'high' })).thenFails({ kind: 'not_found' });
  });

  describe('status', () => {
    it('moves between open, pending, on-hold and solved', () => {
      given(...ticketIn('open')).when(update(sam, { status: 'pending' })).then(statusChanged('open', 'pending'));
      given(...ticketIn('pending')).when(update(sam, { status: 'hold' })).then(statusChanged('pending', 'hold'));
      given(...ticketIn('hold')).when(update(sam, { status: 'solved' })).then(statusChanged('hold', 'solved'));
      given(...ticketIn('solved')).when(update(sam, { status: 'open' })).then(statusChanged('solved', 'open'));
    });

    it('never goes back to New', () => {
      for (const status of ['open', 'pending', 'hold', 'solved'] as const) {
        given(...ticketIn(status)).when(update(sam, { status: 'new' })).thenFails({ kind: 'invalid', field: 'status' });
      }
    });

    it('asking New for a ticket that is still new changes nothing', () => {
      given(...newTicket()).when(update(sam, { status: 'new' })).thenNothingHappens();
    });

    it('a ticket cannot be solved without an assignee', () => {
      given(...newTicket({ status: 'open' })).when(update(sam, { status: 'solved' })).thenFails({ kind: 'invalid', field: 'status', message: expect.stringMatching(/assignee/) });
      given(...newTicket()).when(update(sam, { status: 'solved' })).thenFails({ kind: 'invalid', field: 'status' });
    });

    it('a ticket cannot be closed without an assignee either', () => {
      given(...newTicket({ status: 'open' })).when(update(sam, { status: 'closed' })).thenFails({ kind: 'invalid', field: 'status' });
    });

    it('assigning and solving in one update is allowed', () => {
      given(...newTicket({ status: 'open' })).when(update(sam, { status: 'solved', assigneeId: 2 })).then(statusChanged('open', 'solved'), assigneeChanged(null, 2));
    });

    it('unassigning while solving is refused', () => {
      given(...ticketIn('open')).when(update(sam, { status: 'solved', assigneeId: null })).thenFails({ kind: 'invalid', field: 'status' });
    });

    it('removing the assignee of a solved ticket is refused (a solved ticket always has an assignee)', () => {
      given(...ticketIn('solved')).when(update(sam, { assigneeId: null })).thenFails({ kind: 'invalid', field: 'assignee_id' });
    });

    it("a rule cannot unassign a solved ticket either; the rule's other actions still apply", () => {
      given(...ticketIn('solved'))
        .when(applyRules('u-unassign', { assigneeId: null, priority: 'high' }, [trigger('t1', [{ field: 'assignee_id', value: '' }, { field: 'priority', value: 'high' }])]))
        .then(
          { type: 'ticket.trigger_fired', data: { ticketId: TICKET, triggerId: 't1', title: 'Trigger t1', actions: [{ field: 'assignee_id', value: '' }, { field: 'priority', value: 'high' }] } },
          { type: 'ticket.priority_changed', data: { ticketId: TICKET, from: null, to: 'high', rule: { kind: 'trigger', id: 't1', title: 'Trigger t1' } } },
        );
    });

    it('a closed ticket is final: no field, status or comment can change it', () => {
      const closed = ticketIn('closed');
      for (const changes of [{ status: 'open' }, { priority: 'high' }, { tags: ['x'] }, { subject: 'New subject' }, {}] as FieldChanges[]) {
        given(...closed).when(update(ada, changes)).thenFails({ kind: 'closed' });
      }
    });
  });

  describe('assignee', () => {
    it('assigning a new ticket opens it', () => {
      given(...newTicket()).when(update(sam, { assigneeId: 2 })).then(statusChanged('new', 'open'), assigneeChanged(null, 2));
    });

    it('assigning a new ticket with a status asked for keeps that status', () => {
      given(...newTicket()).when(update(sam, { assigneeId: 2, status: 'pending' })).then(statusChanged('new', 'pending'), assigneeChanged(null, 2));
    });

    it('reassigning or unassigning an open ticket leaves its status alone', () => {
      given(...openTicket()).when(update(sam, { assigneeId: 3 })).then(assigneeChanged(2, 3));
      given(...openTicket()).when(update(sam, { assigneeId: null })).then(assigneeChanged(2, null));
    });
  });

  it('records each other field’s change from the old value to the new', () => {
    given(...openTicket({ priority: 'low', groupId: 3 }))
      .when(update(sam, { subject: 'Printer still on fire', requesterId: 11, priority: 'urgent', type: 'incident', groupId: 4 }))
      .then(
        { type: 'ticket.subject_changed', data: { ticketId: TICKET, from: 'Printer on fire', to: 'Printer still on fire' } },
        { type: 'ticket.requester_changed', data: { ticketId: TICKET, from: 10, to: 11 } },
        { type: 'ticket.priority_changed', data: { ticketId: TICKET, from: 'low', to: 'urgent' } },
        { type: 'ticket.type_changed', data: { ticketId: TICKET, from: null, to: 'incident' } },
        { type: 'ticket.group_changed', data: { ticketId: TICKET, from: 3, to: 4 } },
      );
  });

  it('clearing priority, type and group records the change to none', () => {
    given(...openTicket({ priority: 'high', type: 'task', groupId: 3 }))
      .when(update(sam, { priority: null, type: null, groupId: null }))
      .then(
        { type: 'ticket.priority_changed', data: { ticketId: TICKET, from: 'high', to: null } },
        { type: 'ticket.type_changed', data: { ticketId: TICKET, from: 'task', to: null } },
        { type: 'ticket.group_changed', data: { ticketId: TICKET, from: 3, to: null } },
      );
  });

  it('setting fields to the values they already have records nothing', () => {
    given(...openTicket({ priority: 'high', type: 'task', groupId: 3, tags: ['vip'] }))
      .when(update(sam, { subject: 'Printer on fire', requesterId: 10, status: 'open', priority: 'high', type: 'task', groupId: 3, assigneeId: 2, tags: ['VIP'], addTags: ['vip'], removeTags: ['nope'], addCcIds: [10] }))
      .thenNothingHappens();
  });

  it('refuses a subject longer than 1000 characters', () => {
    given(...openTicket()).when(update(sam, { subject: 'x'.repeat(1001) })).thenFails({ kind: 'invalid', field: 'subject' });
  });

  describe('tags', () => {
    const tagged = () => openTicket({ tags: ['printer', 'vip'] });
    const tagsChanged = (added: string[], removed: string[], tags: string[]): TicketEvent => ({ type: 'ticket.tags_changed', data: { ticketId: TICKET, added, removed, tags } });

    it('replacing the tags records what was added and removed', () => {
      given(...tagged()).when(update(sam, { tags: ['VIP', 'Fire Hazard'] })).then(tagsChanged(['fire', 'hazard'], ['printer'], ['vip', 'fire', 'hazard']));
    });

    it('adding and removing tags in one update', () => {
      given(...tagged()).when(update(sam, { addTags: ['refund', 'printer'], removeTags: ['VIP'] })).then(tagsChanged(['refund'], ['vip'], ['printer', 'refund']));
    });
  });

  describe('CCs', () => {
    const ccsChanged = (added: number[], ccIds: number[]): TicketEvent => ({ type: 'ticket.ccs_changed', data: { ticketId: TICKET, added, removed: [], ccIds } });

    it('adds new CCs once, never the requester', () => {
      given(...openTicket({ ccIds: [11] })).when(update(sam, { addCcIds: [12, 11, 10, 12] })).then(ccsChanged([12], [11, 12]));
    });

    it('a CC who becomes the requester is no longer a CC', () => {
      given(...openTicket({ ccIds: [11, 12] }))
        .when(update(sam, { requesterId: 11 }))
        .then(
          { type: 'ticket.requester_changed', data: { ticketId: TICKET, from: 10, to: 11 } },
          { type: 'ticket.ccs_changed', data: { ticketId: TICKET, added: [], removed: [11], ccIds: [12] } },
        );
    });

    it('the new requester is not added as a CC in the same update', () => {
      given(...openTicket({ ccIds: [11] }))
        .when(update(sam, { requesterId: 12, addCcIds: [12, 13] }))
        .then({ type: 'ticket.requester_changed', data: { ticketId: TICKET, from: 10, to: 12 } }, ccsChanged([13], [11, 13]));
    });

    it('stops at 48 CCs on a ticket', () => {
      const ccIds = Array.from({ length: 46 }, (_, i) => 100 + i);
      given(...openTicket({ ccIds })).when(update(sam, { addCcIds: [200, 201, 202] })).then(ccsChanged([200, 201], [...ccIds, 200, 201]));
    });
  });
});

// ================================================================= rules

describe('applying the actions of rules', () => {
  const setPriority = trigger('t1', [{ field: 'priority', value: 'high' }]);
  const fired = (f: FiredRule): TicketEvent => ({ type: 'ticket.trigger_fired', data: { ticketId: TICKET, triggerId: f.id, title: f.title, actions: f.actions } });
  const byRule = (f: FiredRule) => ({ kind: f.kind, id: f.id, title: f.title });

  it('records the rules that fired, then their field changes named after the rule that made them', () => {
    given(...openTicket())
      .when(applyRules('u1', { priority: 'high' }, [setPriority]))
      .then(fired(setPriority), { type: 'ticket.priority_changed', data: { ticketId: TICKET, from: null, to: 'high', rule: byRule(setPriority) } });
  });

  it('requests the notifications and webhook calls the rules asked for, after the field changes', () => {
    const notify = trigger('t2', [{ field: 'notification_user', value: ['requester_id', 'Got it', 'We are on it'] }], {
      notifications: [{ notificationId: 'n1', recipientIds: [10], suppressed: [{ userId: 11, reason: 'cc_of_private_comment' }], subject: 'Got it', body: 'We are on it' }],
      webhooks: [{ requestId: 'w1', webhookId: 'hook', body: '{}' }],
    });
    const events = given(...openTicket()).when(applyRules('u1', { priority: 'high' }, [setPriority, notify])).events();
    expect(events.map((e) => e.type)).toEqual(['ticket.trigger_fired', 'ticket.trigger_fired', 'ticket.priority_changed', 'ticket.notification_requested', 'ticket.webhook_requested']);
    expect(events[3].data).toEqual({ ticketId: TICKET, notificationId: 'n1', rule: byRule(notify), recipientIds: [10], suppressed: [{ userId: 11, reason: 'cc_of_private_comment' }], subject: 'Got it', body: 'We are on it' });
    expect(events[4].data).toEqual({ ticketId: TICKET, requestId: 'w1', webhookId: 'hook', rule: byRule(notify), body: '{}' });
  });

  it('the same rules update applied again (a redelivered command) adds nothing', () => {
    const first = given(...openTicket()).when(applyRules('u1', { priority: 'high' }, [setPriority]));
    given(...openTicket(), ...inRulesUpdate('u1', ...first.events())).when(applyRules('u1', { priority: 'urgent' }, [setPriority])).thenNothingHappens();
    // Another update's rules still apply.
    expect(given(...openTicket(), ...inRulesUpdate('u1', ...first.events())).when(applyRules('u2', { priority: 'urgent' }, [setPriority])).events()).toHaveLength(2);
  });

  it('a rules update that only asked for a notification is remembered as applied too', () => {
    const notifyOnly = trigger('t3', [], { notifications: [{ notificationId: 'n9', recipientIds: [10], suppressed: [], subject: 's', body: 'b' }] });
    const d = given(...openTicket()).when(applyRules('u7', {}, [notifyOnly]));
    expect(d.after('u7').ruleUpdates).toEqual(['u7']);
    given(...openTicket(), ...inRulesUpdate('u7', ...d.events())).when(applyRules('u7', {}, [notifyOnly])).thenNothingHappens();
  });

  it('a rule that assigns a new ticket opens it', () => {
    const assign = trigger('t4', [{ field: 'assignee_id', value: '2' }]);
    given(...newTicket())
      .when(applyRules('u1', { assigneeId: 2 }, [assign]))
      .then(fired(assign), statusChanged('new', 'open'), { type: 'ticket.assignee_changed', data: { ticketId: TICKET, from: null, to: 2, rule: byRule(assign) } });
  });

  it('a rule cannot solve a ticket that has no assignee; its other actions still count', () => {
    const solve = trigger('t5', [{ field: 'status', value: 'solved' }, { field: 'priority', value: 'low' }]);
    given(...newTicket({ status: 'open' }))
      .when(applyRules('u1', { status: 'solved', priority: 'low' }, [solve]))
      .then(fired(solve), { type: 'ticket.priority_changed', data: { ticketId: TICKET, from: null, to: 'low', rule: byRule(solve) } });
  });

  it('a rule cannot send a ticket back to New; its other actions still count', () => {
    const back = trigger('t6', [{ field: 'status', value: 'new' }, { field: 'current_tags', value: 'again' }]);
    given(...openTicket())
      .when(applyRules('u1', { status: 'new', addTags: ['again'] }, [back]))
      .then(fired(back), { type: 'ticket.tags_changed', data: { ticketId: TICKET, added: ['again'], removed: [], tags: ['again'], rule: byRule(back) } });
  });

  it('a rules update never reopens a ticket by itself (only an end user’s comment does)', () => {
    const tag = trigger('t7', [{ field: 'current_tags', value: 'waiting' }]);
    const events = given(...ticketIn('pending')).when(applyRules('u1', { addTags: ['waiting'] }, [tag])).events();
    expect(events.some((e) => e.type === 'ticket.status_changed')).toBe(false);
  });

  it('rules of a ticket that does not exist are refused as not found', () => {
    given().when(applyRules('u1', {}, [setPriority])).thenFails({ kind: 'not_found' });
  });
});

// ================================================================= deliveries

describe('recording a notification’s delivery', () => {
  const notificationDelivered = (to: string[]): TicketEvent => ({
    type: 'ticket.notification_delivered',
    data: { ticketId: TICKET, notificationId: 'n1', to, messageId: '<n1@mailroom.test>', relayResponse: '250 2.0.0 OK', deliveredAt: later },
  });
  const notificationFailed = (to: string[], permanent: boolean): TicketEvent => ({
    type: 'ticket.notification_failed',
    data: { ticketId: TICKET, notificationId: 'n1', to, error: permanent ? '550 5.1.1 no such user' : '421 try again later', permanent, failedAt: later },
  });
  const janeAddress = ['jane@customer.test'];

  it('records a delivery with the relay’s answer', () => {
    given(...openTicket()).when(recordDelivery('n1', delivered(janeAddress))).then(notificationDelivered(janeAddress));
  });

  it('records a failure, temporary or for good', () => {
    given(...openTicket()).when(recordDelivery('n1', failed(janeAddress, true))).then(notificationFailed(janeAddress, true));
    given(...openTicket()).when(recordDelivery('n1', failed(janeAddress, false))).then(notificationFailed(janeAddress, false));
  });

  it('the same delivery recorded again adds nothing, nor does a later outcome once it failed for good', () => {
    given(...openTicket(), notificationDelivered(janeAddress)).when(recordDelivery('n1', delivered(janeAddress))).thenNothingHappens();
    given(...openTicket(), notificationFailed(janeAddress, true)).when(recordDelivery('n1', delivered(janeAddress))).thenNothingHappens();
  });

  it('a temporary failure does not settle the delivery: the later success is still recorded', () => {
    given(...openTicket(), notificationFailed(janeAddress, false)).when(recordDelivery('n1', delivered(janeAddress))).then(notificationDelivered(janeAddress));
  });

  it('each address of one notification is recorded on its own', () => {
    given(...openTicket(), notificationDelivered(janeAddress)).when(recordDelivery('n1', delivered(['cc@customer.test']))).then(notificationDelivered(['cc@customer.test']));
  });

  it('a delivery of a mail about a closed ticket is still recorded (a record, not an update)', () => {
    given(...ticketIn('closed')).when(recordDelivery('n1', delivered(janeAddress))).then(notificationDelivered(janeAddress));
  });

  it('a delivery for a ticket that does not exist is refused as not found', () => {
    given().when(recordDelivery('n1', delivered(janeAddress))).thenFails({ kind: 'not_found' });
  });
});

describe('recording a webhook call’s outcome', () => {
  it('for a ticket that does not exist is refused as not found', () => {
    given()
      .when({ type: 'RecordWebhookDelivery', now, actor: system, via: viaRule, requestId: 'w1', webhookId: 'hook', endpoint: 'https://crm.test/hook', outcome: { status: 'delivered', statusCode: 200, attempts: 1, at: now } })
      .thenFails({ kind: 'not_found' });
  });
});

// ================================================================= evolve

describe('the state rebuilt from a ticket’s events', () => {
  /** Runs commands one after another, each decided on the state the previous events left. */
  const story = (steps: { command: TicketCommand; causationId?: string; occurredAt: string }[]) => {
    const log: { event: TicketEvent; causationId?: string; occurredAt: string }[] = [];
    let state = initialTicketState();
    for (const step of steps) {
      const d = decide(step.command, state);
      if (!d.ok) throw new Error(d.error.message);
      for (const event of d.events) {
        log.push({ event, causationId: step.causationId, occurredAt: step.occurredAt });
        state = evolve(state, event, { causationId: step.causationId, occurredAt: step.occurredAt });
      }
    }
    return { state, log };
  };

  const lifetime = () =>
    story([
      { command: createTicket({ ccIds: [11], fields: { tags: ['printer'] } }), occurredAt: now },
      { command: update(sam, { assigneeId: 2, priority: 'high', groupId: 3 }), occurredAt: '2026-12-01T08:10:00.000Z' },
      { command: applyRules('u-rules', { addTags: ['vip'] }, [trigger('t1', [{ field: 'current_tags', value: 'vip' }], { notifications: [{ notificationId: 'n1', recipientIds: [10], suppressed: [], subject: 's', body: 'b' }] })]), causationId: 'u-rules', occurredAt: '2026-12-01T08:10:01.000Z' },
      { command: recordDelivery('n1', delivered(['jane@customer.test'])), occurredAt: '2026-12-01T08:11:00.000Z' },
      { command: update(sam, { status: 'pending' }), occurredAt: '2026-12-01T09:00:00.000Z' },
      { command: reply(jane, { commentId: 6 }), occurredAt: later },
    ]);

  it('holds every field the ticket’s history set', () => {
    expect(lifetime().state).toEqual<TicketState>({
      exists: true,
      id: TICKET,
      subject: 'Printer on fire',
      status: 'open', // pending, then reopened by Jane's reply
      priority: 'high',
      type: null,
      groupId: 3,
      assigneeId: 2,
      requesterId: 10,
      submitterId: 10,
      organizationId: null,
      recipient: 'help@mailroom.test',
      tags: ['printer', 'vip'],
      ccIds: [11],
      via: viaEmail,
      createdAt: now,
      updatedAt: later,
      commentCount: 2,
      hasPublicComments: true,
      ruleUpdates: ['u-rules'],
      deliveries: ['n1:jane@customer.test'],
    });
  });

  it('replaying the whole log from nothing gives the state each decision was made on', () => {
    const { state, log } = lifetime();
    const replayed = log.reduce((s, l) => evolve(s, l.event, { causationId: l.causationId, occurredAt: l.occurredAt }), initialTicketState());
    expect(replayed).toEqual(state);
    // And so the replayed state decides the same: the redelivered rules update is still recognised.
    expect(decide(applyRules('u-rules', { addTags: ['vip'] }, [trigger('t1', [])]), replayed)).toEqual({ ok: true, events: [] });
  });

  it('a comment moves updated_at to its own time; a field change to when it happened', () => {
    const s = stateOf([...openTicket()]);
    expect(evolve(s, replied(jane)).updatedAt).toBe(later);
    expect(evolve(s, statusChanged('open', 'pending'), { occurredAt: '2026-12-02T00:00:00.000Z' }).updatedAt).toBe('2026-12-02T00:00:00.000Z');
  });

  it('records of what rules and deliveries did leave updated_at alone', () => {
    const s = { ...stateOf([...openTicket()]), updatedAt: now };
    const meta = { occurredAt: '2026-12-02T00:00:00.000Z', causationId: 'u1' };
    const records: TicketEvent[] = [
      { type: 'ticket.trigger_fired', data: { ticketId: TICKET, triggerId: 't1', title: 'T', actions: [] } },
      { type: 'ticket.notification_requested', data: { ticketId: TICKET, notificationId: 'n1', rule: { kind: 'trigger', id: 't1', title: 'T' }, recipientIds: [10], suppressed: [], subject: 's', body: 'b' } },
      { type: 'ticket.notification_delivered', data: { ticketId: TICKET, notificationId: 'n1', to: ['a@x.test'], messageId: '<m>', relayResponse: '250', deliveredAt: later } },
      { type: 'ticket.webhook_requested', data: { ticketId: TICKET, requestId: 'w1', webhookId: 'h', rule: { kind: 'trigger', id: 't1', title: 'T' }, body: '{}' } },
      { type: 'ticket.webhook_failed', data: { ticketId: TICKET, requestId: 'w1', webhookId: 'h', endpoint: 'https://crm.test', statusCode: null, error: 'timeout', attempts: 3, failedAt: later } },
    ];
    for (const e of records) expect(evolve(s, e, meta).updatedAt).toBe(now);
  });

  it('a ticket.created written before organizations existed reads as no organization', () => {
    const old = ticketCreated();
    delete (old.data as Partial<Data<'ticket.created'>>).organizationId;
    expect(stateOf([old]).organizationId).toBeNull();
  });

  it('a temporary delivery failure is not remembered as a delivery; one for good is', () => {
    const base = stateOf([...openTicket()]);
    const failure = (permanent: boolean): TicketEvent => ({ type: 'ticket.notification_failed', data: { ticketId: TICKET, notificationId: 'n1', to: ['a@x.test'], error: 'e', permanent, failedAt: later } });
    expect(evolve(base, failure(false)).deliveries).toEqual([]);
    expect(evolve(base, failure(true)).deliveries).toEqual(['n1:a@x.test']);
  });
});

import type { Condition, Person, RuleTicket, RuleUpdate, Schedule } from '../model';
import { weeklyInterval } from '../schedules/business-hours';
import { admin, agent, alice, carol, change, directoryOf, emailCreate, everyone, ticketOf, viaOf } from '../test-fixtures';
import { evaluateCondition } from './evaluate-conditions';
import { parseTerms } from './text-conditions';

const directory = directoryOf();
const verdictOf = (update: RuleUpdate, condition: Condition, extra: { now?: Date; schedules?: Schedule[]; people?: Person[] } = {}) =>
  evaluateCondition(condition, {
    update,
    ticket: update.after,
    directory: extra.people ? directoryOf(extra.people) : directory,
    now: extra.now,
    schedules: extra.schedules,
  });
const holds = (update: RuleUpdate, field: string, operator: string, value?: unknown): boolean =>
  verdictOf(update, value === undefined ? { field, operator } : { field, operator, value }).matched;
const moved = (from: Partial<RuleTicket>, to: Partial<RuleTicket>) => change({ before: ticketOf(from), after: ticketOf(to) });

describe('priority conditions, every operator', () => {
  const raised = moved({ priority: 'normal' }, { priority: 'urgent' });
  it.each([
    ['is', 'urgent', true],
    ['is_not', 'urgent', false],
    ['less_than', 'urgent', false],
    ['greater_than', 'high', true],
    ['changed', undefined, true],
    ['not_changed', undefined, false],
    ['value', 'urgent', true],
    ['value', 'high', false],
    ['value_previous', 'normal', true],
    ['value_previous', 'low', false],
    ['not_value', 'urgent', false],
    ['not_value', 'low', true],
    ['not_value_previous', 'normal', false],
    ['not_value_previous', 'high', true],
  ])('priority %s %s is %s when it went from normal to urgent', (operator, value, expected) => {
    expect(holds(raised, 'priority', operator, value)).toBe(expected);
  });
});

describe('type, group, organization and requester conditions with change operators', () => {
  it('see a type set from nothing', () => {
    const typed = moved({ type: null }, { type: 'problem' });
    expect(holds(typed, 'type', 'changed')).toBe(true);
    expect(holds(typed, 'type', 'value', 'problem')).toBe(true);
    expect(holds(typed, 'type', 'value_previous', '')).toBe(true);
    expect(holds(typed, 'type', 'is_not', 'question')).toBe(true);
    expect(holds(typed, 'type', 'not_value_previous', '')).toBe(false);
  });

  it('compare groups and organizations by id, "" for none', () => {
    const regrouped = moved({ groupId: 5, organizationId: 7 }, { groupId: 6, organizationId: 7 });
    expect(holds(regrouped, 'group_id', 'is', 6)).toBe(true);
    expect(holds(regrouped, 'group_id', 'value_previous', '5')).toBe(true);
    expect(holds(regrouped, 'group_id', 'not_changed')).toBe(false);
    expect(holds(regrouped, 'organization_id', 'is', '7')).toBe(true);
    expect(holds(regrouped, 'organization_id', 'is_not', '')).toBe(true);
    expect(holds(regrouped, 'organization_id', 'not_changed')).toBe(true);
    expect(holds(regrouped, 'organization_id', 'changed')).toBe(false);
    expect(holds(change({}), 'organization_id', 'is', '')).toBe(true);
  });

  it('resolve current_user for the requester and see a requester change', () => {
    const byAlice = change({ actor: { userId: alice.id, role: 'end_user' } });
    expect(holds(byAlice, 'requester_id', 'is', 'current_user')).toBe(true);
    expect(holds(change({}), 'requester_id', 'is_not', 'current_user')).toBe(true);
    const handedOver = moved({ requesterId: alice.id }, { requesterId: carol.id });
    expect(holds(handedOver, 'requester_id', 'value', carol.id)).toBe(true);
    expect(holds(handedOver, 'requester_id', 'value_previous', String(alice.id))).toBe(true);
  });

  it('see an assignee change to and from someone', () => {
    const taken = moved({ assigneeId: null }, { assigneeId: agent.id });
    expect(holds(taken, 'assignee_id', 'value', 'current_user')).toBe(true);
    expect(holds(taken, 'assignee_id', 'value_previous', '')).toBe(true);
    expect(holds(taken, 'assignee_id', 'not_value', 'current_user')).toBe(false);
  });
});

describe('channel conditions', () => {
  it.each([
    ['web', 0],
    ['email', 4],
    ['api', 5],
    ['rule', 8],
    ['closed_ticket', 27],
  ] as const)('know %s as via id %i, for the update and for the ticket', (channel, id) => {
    expect(holds(change({ via: viaOf(channel) }), 'current_via_id', 'is', id)).toBe(true);
    expect(holds(change({ via: viaOf(channel) }), 'current_via_id', 'is_not', id)).toBe(false);
    expect(holds(change({ before: ticketOf({ via: channel }) }), 'via_id', 'is', String(id))).toBe(true);
    expect(holds(change({ before: ticketOf({ via: channel }) }), 'via_id', 'is_not', id)).toBe(false);
  });

  it('accept Zendesk channel names too', () => {
    expect(holds(change({ via: viaOf('email') }), 'current_via_id', 'is', 'mail')).toBe(true);
    expect(holds(change({ via: viaOf('api') }), 'current_via_id', 'is', 'web_service')).toBe(true);
  });
});

describe('comment and update conditions', () => {
  it('support is_not on comment privacy', () => {
    const note = change({ comment: { authorId: agent.id, public: false, body: 'x' } });
    expect(holds(note, 'comment_is_public', 'is_not', 'true')).toBe(true);
    expect(holds(note, 'comment_is_public', 'is_not', 'not_relevant')).toBe(false);
  });

  it('accept Created/Updated spellings of the update type', () => {
    expect(holds(emailCreate(), 'update_type', 'is', 'created')).toBe(true);
    expect(holds(change({}), 'update_type', 'is', 'Updated')).toBe(true);
    expect(holds(change({}), 'update_type', 'is_not', 'Create')).toBe(true);
  });
});

describe('text conditions', () => {
  it('split words and "quoted phrases"', () => {
    expect(parseTerms('Refund "money back"  urgent')).toEqual(['refund', 'money back', 'urgent']);
    expect(parseTerms(['a b', 'C'])).toEqual(['a', 'b', 'c']);
  });

  const subject = change({ before: ticketOf({ subject: 'Refund request: card charged twice!' }) });
  it.each([
    ['includes', 'invoice refund', true],
    ['includes', 'REFUNDS', false],
    ['includes', '"charged twice"', true],
    ['includes', '"twice charged"', false],
    ['not_includes', 'invoice', true],
    ['not_includes', 'invoice card', false],
    ['is', 'card charged', true],
    ['is', 'charged card', false],
    ['is_not', 'refund req', false],
    ['is_not', 'paypal', true],
  ])('subject_includes_word %s %j is %s', (operator, value, expected) => {
    expect(holds(subject, 'subject_includes_word', operator, value)).toBe(expected);
  });

  it('look at the comment of this update, whole words only, ignoring case and punctuation', () => {
    const withComment = change({ comment: { authorId: alice.id, public: true, body: 'Please CANCEL my order, thanks.' } });
    expect(holds(withComment, 'comment_includes_word', 'includes', 'cancel')).toBe(true);
    expect(holds(withComment, 'comment_includes_word', 'includes', 'can')).toBe(false);
    expect(holds(withComment, 'comment_includes_word', 'includes', '"my order"')).toBe(true);
    expect(holds(withComment, 'comment_includes_word', 'not_includes', 'refund')).toBe(true);
    expect(holds(withComment, 'comment_includes_word', 'is', 'order, thanks')).toBe(true);
    expect(holds(withComment, 'comment_includes_word', 'is_not', 'cancel my')).toBe(false);
  });

  it('treat an update without a comment as containing nothing', () => {
    expect(holds(change({}), 'comment_includes_word', 'includes', 'cancel')).toBe(false);
    expect(holds(change({}), 'comment_includes_word', 'not_includes', 'cancel')).toBe(true);
    expect(holds(change({}), 'comment_includes_word', 'is', 'cancel')).toBe(false);
  });

  it('report an empty word list or an unknown operator', () => {
    expect(verdictOf(subject, { field: 'subject_includes_word', operator: 'includes', value: '  ' }).problem).toBe('no words to look for');
    expect(verdictOf(subject, { field: 'subject_includes_word', operator: 'matches', value: 'x' }).problem).toMatch(/not supported/);
  });
});

describe('count conditions', () => {
  const counted = change({ before: ticketOf({ reopens: 2, replies: 3 }) });
  it.each([
    ['reopens', 'is', 2, true],
    ['reopens', 'is_not', '2', false],
    ['reopens', 'less_than', 3, true],
    ['reopens', 'greater_than', '2', false],
    ['replies', 'is', 3, true],
    ['replies', 'less_than', 3, false],
    ['replies', 'greater_than', 0, true],
  ])('%s %s %j is %s on a ticket reopened twice with three agent replies', (field, operator, value, expected) => {
    expect(holds(counted, field, operator, value)).toBe(expected);
  });

  it('count a projection without the field as zero, and refuse a value that is not a count', () => {
    expect(holds(change({}), 'reopens', 'is', 0)).toBe(true);
    expect(holds(change({}), 'replies', 'less_than', 1)).toBe(true);
    expect(verdictOf(counted, { field: 'replies', operator: 'is', value: 'many' }).problem).toMatch(/not a whole number/);
  });
});

describe('satisfaction conditions', () => {
  const rated = moved({ satisfactionScore: 'offered' }, { satisfactionScore: 'bad_with_comment' });
  it('compare states and see a rating arrive', () => {
    expect(holds(rated, 'satisfaction_score', 'is', 'bad_with_comment')).toBe(true);
    expect(holds(rated, 'satisfaction_score', 'is', 'bad')).toBe(false);
    expect(holds(rated, 'satisfaction_score', 'value', 'bad_with_comment')).toBe(true);
    expect(holds(rated, 'satisfaction_score', 'value_previous', 'offered')).toBe(true);
    expect(holds(rated, 'satisfaction_score', 'changed')).toBe(true);
    expect(holds(rated, 'satisfaction_score', 'is_not', 'good')).toBe(true);
  });

  it('read a missing state as unoffered and accept the legacy true/false spellings', () => {
    expect(holds(change({}), 'satisfaction_score', 'is', 'unoffered')).toBe(true);
    expect(holds(change({}), 'satisfaction_score', 'is', 'true')).toBe(true);
    expect(holds(change({ before: ticketOf({ satisfactionScore: 'offered' }) }), 'satisfaction_score', 'is', 'false')).toBe(true);
    expect(verdictOf(change({}), { field: 'satisfaction_score', operator: 'is', value: 'meh' }).problem).toMatch(/not a satisfaction state/);
  });
});

describe('custom ticket field conditions', () => {
  const fields = change({
    before: ticketOf({ customFields: { '360001': 'Hardware', '360002': true, '360003': 42, '360004': agent.id } }),
    after: ticketOf({ customFields: { '360001': 'hardware', '360002': false, '360003': 42, '360004': agent.id, '360005': '2026-12-24' } }),
  });

  it('compare text case-insensitively and see changes', () => {
    expect(holds(fields, 'custom_fields_360001', 'is', 'HARDWARE')).toBe(true);
    expect(holds(fields, 'custom_fields_360001', 'changed')).toBe(false);
    expect(holds(fields, 'custom_fields_360002', 'value', false)).toBe(true);
    expect(holds(fields, 'custom_fields_360002', 'value_previous', 'true')).toBe(true);
    expect(holds(fields, 'custom_fields_360005', 'changed')).toBe(true);
    expect(holds(fields, 'custom_fields_360005', 'value_previous', '')).toBe(true);
  });

  it('order numbers and dates, and treat a field never set as ""', () => {
    expect(holds(fields, 'custom_fields_360003', 'greater_than', 41)).toBe(true);
    expect(holds(fields, 'custom_fields_360003', 'less_than', '42')).toBe(false);
    expect(holds(fields, 'custom_fields_360005', 'less_than', '2027-01-01')).toBe(true);
    expect(holds(fields, 'custom_fields_999', 'is', '')).toBe(true);
    expect(holds(fields, 'custom_fields_999', 'greater_than', 1)).toBe(false);
  });

  it('resolve current_user and requester_id in lookup fields', () => {
    expect(holds(fields, 'custom_fields_360004', 'is', 'current_user')).toBe(true);
    expect(holds(fields, 'custom_fields_360004', 'is', 'requester_id')).toBe(false);
  });

  it('reject a field name that is not custom_fields_<digits>', () => {
    expect(verdictOf(fields, { field: 'custom_fields_abc', operator: 'is', value: 'x' }).problem).toBe('unknown condition field "custom_fields_abc"');
  });
});

describe('requester conditions', () => {
  const people: Person[] = everyone.map((p) => (p.id === alice.id ? { ...p, locale: 'fr-CA', localeId: 1186, timeZone: 'America/Toronto' } : p));
  const check = (update: RuleUpdate, field: string, operator: string, value: unknown) =>
    verdictOf(update, { field, operator, value }, { people }).matched;

  it('tell the requester\'s role, agents including admins', () => {
    expect(check(change({}), 'requester_role', 'is', 'end_user')).toBe(true);
    expect(check(change({}), 'requester_role', 'is_not', 'agent')).toBe(true);
    const adminAsks = change({ before: ticketOf({ requesterId: admin.id }) });
    expect(check(adminAsks, 'requester_role', 'is', 'agent')).toBe(true);
    expect(check(adminAsks, 'requester_role', 'is', 'admin')).toBe(true);
  });

  it('match the language by locale id, code, or bare language', () => {
    expect(check(change({}), 'locale_id', 'is', 1186)).toBe(true);
    expect(check(change({}), 'locale_id', 'is', 'fr-ca')).toBe(true);
    expect(check(change({}), 'locale_id', 'is', 'fr')).toBe(true);
    expect(check(change({}), 'locale_id', 'is', 'fr-FR')).toBe(false);
    expect(check(change({}), 'locale_id', 'is_not', 'en')).toBe(true);
    expect(check(change({}), 'requester_time_zone', 'is', 'america/toronto')).toBe(true);
  });

  it('report a requester the rules do not know', () => {
    const stranger = change({ before: ticketOf({ requesterId: 999 }) });
    expect(verdictOf(stranger, { field: 'requester_role', operator: 'is', value: 'end_user' }).problem).toMatch(/not known/);
  });
});

describe('business-hours conditions', () => {
  // Paris, Monday to Friday 09:00-17:00, Christmas off.
  const paris: Schedule = {
    id: 1,
    time_zone: 'Europe/Paris',
    intervals: [1, 2, 3, 4, 5].map((d) => weeklyInterval(d, '09:00', '17:00')),
    holidays: [{ name: 'Christmas', start_date: '2026-12-25', end_date: '2026-12-25' }],
  };
  const tokyo: Schedule = { id: 2, time_zone: 'Asia/Tokyo', intervals: [weeklyInterval(3, '00:00', '23:59')], holidays: [] };
  const schedules = [paris, tokyo];
  const at = (iso: string, update: RuleUpdate = change({})) => ({
    yes: verdictOf(update, { field: 'in_business_hours', operator: 'is', value: 'true' }, { now: new Date(iso), schedules }),
    no: verdictOf(update, { field: 'in_business_hours', operator: 'is', value: false }, { now: new Date(iso), schedules }),
  });

  it('know a weekday morning in Paris is within hours, and the evening is not', () => {
    // Tuesday 2026-11-24 08:30 UTC = 09:30 in Paris.
    expect(at('2026-11-24T08:30:00Z').yes).toMatchObject({ matched: true, detail: expect.stringContaining('within business hours') });
    expect(at('2026-11-24T16:30:00Z').no.matched).toBe(true);
    // Sunday.
    expect(at('2026-11-22T10:00:00Z').yes.matched).toBe(false);
  });

  it('count a holiday as outside business hours', () => {
    // Friday 2026-12-25 10:00 in Paris.
    expect(at('2026-12-25T09:00:00Z').yes).toMatchObject({ matched: false, detail: expect.stringContaining('Christmas') });
  });

  it('use the ticket\'s own schedule when it has one', () => {
    // Wednesday 2026-11-25 20:00 UTC is Thursday 05:00 in Tokyo (outside) but was Wednesday in Paris evening.
    const tokyoTicket = change({ before: ticketOf({ scheduleId: 2 }) });
    expect(at('2026-11-25T10:00:00Z', tokyoTicket).yes.matched).toBe(true); // Wed 19:00 Tokyo
    expect(at('2026-11-25T10:00:00Z').yes.matched).toBe(true); // Wed 11:00 Paris
    expect(at('2026-11-25T20:00:00Z', tokyoTicket).yes.matched).toBe(false); // Thu 05:00 Tokyo
  });

  it('judge within_schedule against a named schedule', () => {
    const v = (operator: string, value: unknown) =>
      verdictOf(change({}), { field: 'within_schedule', operator, value }, { now: new Date('2026-11-25T10:00:00Z'), schedules });
    expect(v('is', 2).matched).toBe(true);
    expect(v('is_not', '1').matched).toBe(false);
    expect(v('is', 9).problem).toBe('schedule 9 does not exist');
  });

  it('refuse to guess without a schedule or a clock', () => {
    const c = { field: 'in_business_hours', operator: 'is', value: true };
    expect(verdictOf(change({}), c, { now: new Date() }).problem).toBe('no business-hours schedule is set up');
    expect(verdictOf(change({}), c, { schedules }).problem).toBe('no clock was given to judge business hours');
  });

  it('compare schedule_id on the ticket', () => {
    expect(holds(change({ before: ticketOf({ scheduleId: 2 }) }), 'schedule_id', 'is', 2)).toBe(true);
    expect(holds(change({}), 'schedule_id', 'is', '')).toBe(true);
  });
});

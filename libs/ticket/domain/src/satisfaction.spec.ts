import type { FiredRule } from '@mailroom/contracts';
import { decide } from './ticket';
import { CUSTOMER, mailedInTicket, NOW, replay, SYSTEM } from './test-fixtures';

const web = { channel: 'web' as const, source: { from: {}, to: {}, rel: 'satisfaction' } };
const rate = (score: 'good' | 'bad', comment: string | null = null, requesterId = 10) => ({ type: 'RecordSatisfactionRating' as const, now: NOW, actor: CUSTOMER, via: web, requesterId, score, comment });
const survey = (body: string, recipientIds = [10]): FiredRule => ({
  kind: 'trigger',
  id: 't1',
  title: 'Survey on solve',
  actions: [{ field: 'notification_user', value: ['requester_id', 'How was it?', body] }],
  notifications: [{ notificationId: 'n1', recipientIds, suppressed: [], subject: 'How was it?', body }],
});
const rules = (fired: FiredRule[], satisfactionOffered = false) => ({ type: 'ApplyRuleActions' as const, now: NOW, actor: SYSTEM, via: web, updateId: 'u1', changes: {}, fired, satisfactionOffered });

describe('satisfaction ratings on a ticket', () => {
  it('a survey notification to the requester offers the rating, once', () => {
    const t = mailedInTicket(5);
    const d = decide(rules([survey('Rate us: {{satisfaction.rating_section}}')]), t);
    expect(d.ok && d.events.filter((e) => e.type === 'ticket.satisfaction_offered')).toEqual([
      { type: 'ticket.satisfaction_offered', data: { ticketId: 5, requesterId: 10, rule: { kind: 'trigger', id: 't1', title: 'Survey on solve' } } },
    ]);
    const offered = replay(d.ok ? d.events : [], t, { causationId: 'u1' });
    expect(offered.satisfaction?.score).toBe('offered');
    const again = decide({ ...rules([survey('{{satisfaction.rating_url}}')]), updateId: 'u2' }, offered);
    expect(again.ok && again.events.some((e) => e.type === 'ticket.satisfaction_offered')).toBe(false);
  });

  it('a notification without the links, or to someone else, offers nothing; the action does', () => {
    const t = mailedInTicket(5);
    const plain = decide(rules([survey('Thanks')]), t);
    expect(plain.ok && plain.events.some((e) => e.type === 'ticket.satisfaction_offered')).toBe(false);
    const toAgent = decide(rules([survey('{{satisfaction.rating_section}}', [99])]), t);
    expect(toAgent.ok && toAgent.events.some((e) => e.type === 'ticket.satisfaction_offered')).toBe(false);
    const action = decide(rules([{ ...survey('Thanks'), actions: [{ field: 'satisfaction_score', value: 'offered_to_requester' }] }], true), t);
    expect(action.ok && action.events.some((e) => e.type === 'ticket.satisfaction_offered')).toBe(true);
  });

  it('the requester rates good with a comment; the same answer again adds nothing; a new answer changes it', () => {
    const t = mailedInTicket(5);
    const d = decide(rate('good', '  Quick and kind '), t);
    expect(d).toEqual({ ok: true, events: [{ type: 'ticket.satisfaction_rated', data: { ticketId: 5, ratingId: 5, requesterId: 10, score: 'good', comment: 'Quick and kind', previousScore: 'unoffered', ratedAt: NOW } }] });
    const rated = replay(d.ok ? d.events : [], t);
    expect(rated.satisfaction).toEqual({ score: 'good', comment: 'Quick and kind', ratedAt: NOW });
    expect(decide(rate('good', 'Quick and kind'), rated)).toEqual({ ok: true, events: [] });
    const changed = decide(rate('bad', 'Actually not fixed'), rated);
    expect(changed.ok && changed.events[0]).toMatchObject({ type: 'ticket.satisfaction_rated', data: { score: 'bad', previousScore: 'good' } });
  });

  it('is refused on a closed ticket, from anyone but the requester, and with a score other than good or bad', () => {
    const t = mailedInTicket(5);
    expect(decide(rate('good'), { ...t, status: 'closed' })).toMatchObject({ ok: false, error: { kind: 'closed' } });
    expect(decide(rate('good', null, 11), t)).toMatchObject({ ok: false, error: { kind: 'invalid', field: 'requester_id' } });
    expect(decide({ ...rate('good'), score: 'meh' as 'good' }, t)).toMatchObject({ ok: false, error: { field: 'score' } });
  });
});

import { runAutomationCycle } from '../cycle/run-automation-cycle';
import type { AutomationTicket } from '../model';
import { HOUR, directory, ticketOf } from '../testing/fixtures';
import { validateAutomation } from '../validation/validate-automation';
import { SATISFACTION_AUTOMATION, STANDARD_AUTOMATIONS, permanenceRefusal, standardAutomations } from './standard-automations';

const SOLVED_AT = Date.parse('2026-01-05T09:15:00Z');
const after = (hours: number, minutes = 0) => new Date(SOLVED_AT + hours * HOUR + minutes * 60_000);

/** The first hour of a cycle at which the ticket gets an update, walking hourly runs from the event on. */
const firstFiring = (ticket: AutomationTicket, automations: ReturnType<typeof standardAutomations>, lastHour: number): { hour: number; changes: unknown; notifications: number } | null => {
  for (let hour = 0; hour <= lastHour; hour++) {
    const [result] = runAutomationCycle({ tickets: [ticket], automations, now: after(hour, 55), directory });
    if (result) return { hour, changes: result.updates[0].changes, notifications: result.updates[0].fired?.notifications.length ?? 0 };
  }
  return null;
};

describe('the standard automations', () => {
  it('carry Zendesk\'s names and states; the close is active and permanent, the pending notifications inactive', () => {
    expect(STANDARD_AUTOMATIONS.map((a) => [a.title, a.active, a.permanent])).toEqual([
      ['Close ticket 4 days after status is set to solved', true, true],
      ['Pending notification 24 hours', false, false],
      ['Pending notification 5 days', false, false],
    ]);
    expect(SATISFACTION_AUTOMATION.title).toBe('Request customer satisfaction rating (System Automation)');
    expect(permanenceRefusal(STANDARD_AUTOMATIONS[0].id, 'delete')).toMatch(/cannot be deleted/);
    expect(permanenceRefusal(STANDARD_AUTOMATIONS[1].id, 'deactivate')).toBeNull();
  });

  it('pass the Automations API validation themselves', () => {
    for (const a of [...STANDARD_AUTOMATIONS, SATISFACTION_AUTOMATION]) expect({ title: a.title, problems: validateAutomation(a) }).toEqual({ title: a.title, problems: [] });
  });

  it('are seeded in order, the satisfaction one only when ratings are turned on', () => {
    expect(standardAutomations('2026-01-01T00:00:00Z').map((a) => a.position)).toEqual([1, 2, 3]);
    const withCsat = standardAutomations('2026-01-01T00:00:00Z', { satisfactionRatings: true });
    expect(withCsat.map((a) => a.title).at(-1)).toBe(SATISFACTION_AUTOMATION.title);
    expect(withCsat.every((a) => a.default && a.raw_title === a.title)).toBe(true);
  });
});

describe('walked through time, with a run every hour at :55 after a 9:15 event', () => {
  const all = standardAutomations('2026-01-01T00:00:00Z', { satisfactionRatings: true }).map((a) => ({ ...a, active: true }));
  const only = (title: string) => all.filter((a) => a.title === title);

  it('close: a solved ticket is not closed at 96 whole hours (96 is not greater than 96) but at the first run with 97', () => {
    const solved = ticketOf({ status: 'solved', solved_at: new Date(SOLVED_AT).toISOString(), satisfaction_score: 'good' });
    // Run at 96:55 after solving: 96 whole hours; at 97:55: 97.
    expect(firstFiring(solved, only(STANDARD_AUTOMATIONS[0].title), 200)).toEqual({ hour: 97, changes: { status: 'closed' }, notifications: 0 });
  });

  it('pending notification 24 hours: emails the requester once, at the run 24 whole hours after pending', () => {
    const pending = ticketOf({ status: 'pending', pending_at: new Date(SOLVED_AT).toISOString() });
    expect(firstFiring(pending, only('Pending notification 24 hours'), 200)).toEqual({ hour: 24, changes: {}, notifications: 1 });
    const [at25] = runAutomationCycle({ tickets: [pending], automations: only('Pending notification 24 hours'), now: after(25, 55), directory });
    expect(at25).toBeUndefined();
  });

  it('pending notification 5 days: at 120 whole hours', () => {
    const pending = ticketOf({ status: 'pending', pending_at: new Date(SOLVED_AT).toISOString() });
    expect(firstFiring(pending, only('Pending notification 5 days'), 200)?.hour).toBe(120);
  });

  it('satisfaction: 24 hours after solve the survey is offered and emailed, once', () => {
    const solved = ticketOf({ status: 'solved', solved_at: new Date(SOLVED_AT).toISOString() });
    const fired = firstFiring(solved, only(SATISFACTION_AUTOMATION.title), 200);
    expect(fired).toEqual({ hour: 24, changes: { satisfactionScore: 'offered' }, notifications: 1 });
  });

  it('all together: survey at 24 h, close at 97 h, nothing else; the pending ones never touch a solved ticket', () => {
    let ticket = ticketOf({ status: 'solved', solved_at: new Date(SOLVED_AT).toISOString() });
    const fired: string[] = [];
    for (let hour = 0; hour <= 700; hour++) {
      const [result] = runAutomationCycle({ tickets: [ticket], automations: all, now: after(hour, 55), directory });
      if (!result) continue;
      for (const u of result.updates) fired.push(`${hour}h ${u.source.title}`);
      ticket = result.ticket;
    }
    expect(fired).toEqual([`24h ${SATISFACTION_AUTOMATION.title}`, '97h Close ticket 4 days after status is set to solved']);
  });

  it('with the close automation edited away, the system still closes at 28 days, firing no triggers', () => {
    let ticket = ticketOf({ status: 'solved', solved_at: new Date(SOLVED_AT).toISOString(), automation_updates: 0 });
    const updates = [];
    for (let hour = 0; hour <= 700; hour++) {
      const [result] = runAutomationCycle({ tickets: [ticket], automations: [], now: after(hour, 55), directory });
      if (!result) continue;
      updates.push({ hour, ...result.updates[0] });
      ticket = result.ticket;
    }
    expect(updates.map((u) => [u.hour, u.source.kind, u.firesTriggers])).toEqual([[672, 'system_close', false]]);
  });
});

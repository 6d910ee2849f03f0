import type { Directory, Person, Schedule } from '@mailroom/rules-domain';
import { weeklyInterval } from '@mailroom/rules-domain';
import type { Automation, AutomationTicket } from '../model';

/** Test data for the scheduler specs: a small help desk and tickets timed against a fixed clock. */

export const HOUR = 3_600_000;
/** Monday 5 January 2026, 10:00 UTC: the clock most specs run at. */
export const NOW = new Date('2026-01-05T10:00:00Z');
export const hoursBefore = (hours: number, now: Date = NOW): string => new Date(now.getTime() - hours * HOUR).toISOString();
export const hoursAfter = (hours: number, now: Date = NOW): string => new Date(now.getTime() + hours * HOUR).toISOString();

export const alice: Person = { id: 1, name: 'Alice Customer', email: 'alice@customer.test', role: 'end_user' };
export const smith: Person = { id: 10, name: 'Agent Smith', email: 'smith@support.test', role: 'agent', groupIds: [5] };
export const directory: Directory = {
  person: (id) => [alice, smith].find((p) => p.id === id),
  agents: () => [smith],
  groupMembers: (g) => (g === 5 ? [smith] : undefined),
};

/** Monday to Friday, 09:00-17:00. */
export const officeHours = (id: number, timeZone: string, holidays: Schedule['holidays'] = []): Schedule => ({
  id,
  time_zone: timeZone,
  intervals: [1, 2, 3, 4, 5].map((d) => weeklyInterval(d, '09:00', '17:00')),
  holidays,
});

export const ticketOf = (overrides: Partial<AutomationTicket> = {}): AutomationTicket => ({
  id: 42,
  status: 'open',
  type: null,
  priority: 'normal',
  group_id: 5,
  assignee_id: smith.id,
  requester_id: alice.id,
  tags: [],
  satisfaction_score: 'unoffered',
  created_at: hoursBefore(200),
  updated_at: hoursBefore(200),
  open_at: hoursBefore(200),
  pending_at: null,
  hold_at: null,
  solved_at: null,
  closed_at: null,
  assigned_at: hoursBefore(200),
  requester_updated_at: hoursBefore(200),
  assignee_updated_at: null,
  due_at: null,
  automation_updates: 0,
  ...overrides,
});

export const automationOf = (overrides: Partial<Automation> & Pick<Automation, 'id' | 'conditions' | 'actions'>): Automation => ({
  title: `Automation ${overrides.id}`,
  raw_title: `Automation ${overrides.id}`,
  active: true,
  position: 1,
  default: false,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...overrides,
});

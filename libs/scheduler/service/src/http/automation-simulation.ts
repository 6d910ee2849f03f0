import { ApiError } from '@mailroom/http';
import {
  AUTOMATION_SIMULATION_DEFAULT_MAX_TICKETS,
  AUTOMATION_SIMULATION_MAX_TICKETS,
  AUTOMATION_SIMULATION_MAX_WINDOW_MS,
  type AutomationSimulation,
} from '../simulate/automation-simulation';
import type { CycleDiff, NotificationDiff } from '../simulate/automation-replay';
import type { AutomationChanges } from '../simulate/proposed-automations';

/**
 * The request and answer of `POST /api/v2/automations/simulate.json`, shaped as the triggers'
 * simulation (the rules' `http/trigger-simulation-controller.ts`): `changes` and `window` alike, `max_tickets` in
 * place of `max_updates`, and per ticket the cycle instants that would differ.
 */

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const invalid = (description: string) => new ApiError(400, { error: 'InvalidRequest', description });

const instant = (raw: unknown, name: string): Date => {
  const d = typeof raw === 'string' && ISO_INSTANT.test(raw.trim()) ? new Date(raw.trim()) : null;
  if (!d || Number.isNaN(d.getTime())) throw invalid(`simulation.window.${name} must be an ISO 8601 instant such as 2026-12-01T09:00:00Z`);
  return d;
};

export interface AutomationSimulationBody {
  changes: AutomationChanges;
  from: Date;
  to: Date;
  maxTickets: number;
}

export const parseAutomationSimulation = (body: unknown): AutomationSimulationBody => {
  const s = (body as { simulation?: unknown } | null)?.simulation;
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw invalid('the body needs a "simulation" object');
  const { changes, window, max_tickets: max } = s as Record<string, unknown>;
  if (!changes || typeof changes !== 'object' || Array.isArray(changes)) throw invalid('simulation.changes must be an object with "create", "update", "deactivate" and/or "delete"');
  if (!window || typeof window !== 'object') throw invalid('simulation.window needs "from" and "to"');
  const from = instant((window as Record<string, unknown>).from, 'from');
  const to = instant((window as Record<string, unknown>).to, 'to');
  if (to.getTime() <= from.getTime()) throw invalid('simulation.window.to must be after from');
  if (to.getTime() - from.getTime() > AUTOMATION_SIMULATION_MAX_WINDOW_MS) throw invalid(`simulation.window may span at most ${AUTOMATION_SIMULATION_MAX_WINDOW_MS / 86_400_000} days of hourly cycles`);
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > AUTOMATION_SIMULATION_MAX_TICKETS)) {
    throw invalid(`simulation.max_tickets must be a whole number from 1 to ${AUTOMATION_SIMULATION_MAX_TICKETS}`);
  }
  return { changes: changes as AutomationChanges, from, to, maxTickets: (max as number | undefined) ?? AUTOMATION_SIMULATION_DEFAULT_MAX_TICKETS };
};

const jsonId = (id: string): string | number => (/^\d{1,15}$/.test(id) ? Number(id) : id);
const ref = (r: { id: string; title: string }) => ({ id: jsonId(r.id), title: r.title });
const notificationJson = (n: NotificationDiff) => ({ automation: ref(n.automation), subject: n.subject, recipients: n.recipients });

const cycleJson = (c: CycleDiff) => ({
  at: c.at,
  automations: { would_fire: c.wouldFire.map(ref), would_not_fire: c.wouldNotFire.map(ref) },
  changes: c.changes,
  notifications: { added: c.added.map(notificationJson), removed: c.removed.map(notificationJson) },
});

export const automationSimulationJson = (s: AutomationSimulation) => ({
  simulation: {
    tickets_replayed: s.ticketsReplayed,
    cycles: s.cycles,
    tickets: s.tickets.map((t) => ({ ticket_id: t.ticketId, cycles: t.cycles.map(cycleJson), at_end: t.atEnd })),
    truncated: s.truncated,
    progress: s.progress,
  },
});

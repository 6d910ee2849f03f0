import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiError, AuthGuard, DbHandle, requireAdmin, type AuthedRequest } from '@mailroom/http';
import { SIMULATION_DEFAULT_MAX_UPDATES, SIMULATION_MAX_UPDATES, simulateTriggers, type UpdateDiff } from '../simulate/trigger-simulation';
import type { TriggerChanges } from '../simulate/proposed-triggers';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const invalid = (description: string) => new ApiError(400, { error: 'InvalidRequest', description });

const instant = (raw: unknown, name: string): Date => {
  const d = typeof raw === 'string' && ISO_INSTANT.test(raw.trim()) ? new Date(raw.trim()) : null;
  if (!d || Number.isNaN(d.getTime())) throw invalid(`simulation.window.${name} must be an ISO 8601 instant such as 2026-12-01T09:00:00Z`);
  return d;
};

interface SimulationBody {
  changes: TriggerChanges;
  from: Date;
  to: Date;
  maxUpdates: number;
}

export const parseSimulation = (body: unknown): SimulationBody => {
  const s = (body as { simulation?: unknown } | null)?.simulation;
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw invalid('the body needs a "simulation" object');
  const { changes, window, max_updates: max } = s as Record<string, unknown>;
  if (!changes || typeof changes !== 'object' || Array.isArray(changes)) throw invalid('simulation.changes must be an object with "create", "update", "deactivate" and/or "delete"');
  if (!window || typeof window !== 'object') throw invalid('simulation.window needs "from" and "to"');
  const from = instant((window as Record<string, unknown>).from, 'from');
  const to = instant((window as Record<string, unknown>).to, 'to');
  if (to.getTime() <= from.getTime()) throw invalid('simulation.window.to must be after from');
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > SIMULATION_MAX_UPDATES)) {
    throw invalid(`simulation.max_updates must be a whole number from 1 to ${SIMULATION_MAX_UPDATES}`);
  }
  return { changes: changes as TriggerChanges, from, to, maxUpdates: (max as number | undefined) ?? SIMULATION_DEFAULT_MAX_UPDATES };
};

const jsonId = (id: string): string | number => (/^\d{1,15}$/.test(id) ? Number(id) : id);
const ref = (r: { id: string; title: string }) => ({ id: jsonId(r.id), title: r.title });

const updateJson = (u: UpdateDiff) => ({
  update_id: u.updateId,
  at: u.at,
  triggers: { would_fire: u.wouldFire.map(ref), would_not_fire: u.wouldNotFire.map(ref) },
  changes: u.changes,
  notifications: {
    added: u.added.map((n) => ({ trigger: ref(n.trigger), subject: n.subject, recipients: n.recipients })),
    removed: u.removed.map((n) => ({ trigger: ref(n.trigger), subject: n.subject, recipients: n.recipients })),
  },
});

/**
 * `POST /api/v2/triggers/simulate.json`: what a proposed change to the triggers would have done to
 * the ticket updates of a past window (see README). Admins only. It runs in one READ ONLY
 * transaction, so it cannot write, send a command or email anyone, whatever the engine decides.
 */
@Controller('api/v2/triggers/simulate')
@UseGuards(AuthGuard)
export class TriggerSimulationController {
  constructor(private readonly handle: DbHandle) {}

  @Post()
  @HttpCode(200)
  async simulate(@Req() req: AuthedRequest, @Body() body: unknown) {
    requireAdmin(req.user);
    const parsed = parseSimulation(body);
    const result = await this.handle.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      return simulateTriggers(tx, parsed);
    });
    if (!result.ok) {
      throw new ApiError(422, {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: { base: result.problems.map((p) => ({ description: p.description, error: 'InvalidValue', field: p.path })) },
      });
    }
    const s = result.value;
    return {
      simulation: {
        updates_replayed: s.updatesReplayed,
        tickets: s.tickets.map((t) => ({ ticket_id: t.ticketId, updates: t.updates.map(updateJson) })),
        truncated: s.truncated,
        progress: s.progress,
      },
    };
  }
}

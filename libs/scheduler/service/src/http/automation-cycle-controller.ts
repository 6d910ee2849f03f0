import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiError, AuthGuard, DbHandle, requireAdmin, type AuthedRequest } from '@mailroom/http';
import { tick } from '../scheduler-service';

/** An ISO 8601 instant with a date and a time (a bare date or a number is refused: the clock needs an instant). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export const parseCycleInstant = (body: unknown): Date => {
  const at = (body as { at?: unknown } | null)?.at;
  if (typeof at !== 'string' || !ISO_INSTANT.test(at.trim())) {
    throw new ApiError(400, { error: 'InvalidRequest', description: 'the body needs "at": an ISO 8601 instant such as 2026-12-01T09:00:00Z' });
  }
  const instant = new Date(at.trim());
  if (Number.isNaN(instant.getTime())) throw new ApiError(422, { error: 'RecordInvalid', description: `"${at}" is not a real instant` });
  return instant;
};

/**
 * `POST /api/v2/automations/cycle.json` `{"at": "<instant>"}`: the clock for tests and operators.
 * Runs one full automation cycle as of that instant and answers once it has finished. The API host
 * runs the scheduler's cycle code itself, against the scheduler's tables, under the same advisory
 * lock as the scheduler's wall-clock tick: whoever runs a cycle, one runs at a time, and a cycle
 * already run at that instant answers with what it did then (its commands are never sent twice).
 */
@Controller('api/v2/automations/cycle')
@UseGuards(AuthGuard)
export class AutomationCycleController {
  constructor(private readonly handle: DbHandle) {}

  @Post()
  @HttpCode(200)
  async run(@Req() req: AuthedRequest, @Body() body: unknown) {
    requireAdmin(req.user);
    const at = parseCycleInstant(body);
    const { cycle } = await tick(this.handle.db, at);
    return { cycle };
  }
}

import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';
import { isConnectionError } from '@mailroom/database';
import { TicketCommandError } from '../commands/ticket-commands';
import { UserInputError } from '../users/users';

/** An error with Zendesk's JSON body. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) {
    super(String(body.description ?? body.error));
  }
}

export const notFound = (): ApiError => new ApiError(404, { error: 'RecordNotFound', description: 'Not found' });

export const invalid = (field: string, description: string): ApiError =>
  new ApiError(422, { error: 'RecordInvalid', description: 'Record validation errors', details: { [field]: [{ description, error: 'InvalidValue' }] } });

/** Maps every error once, at the edge, to Zendesk's error shapes. */
@Catch()
export class ZendeskErrorFilter implements ExceptionFilter {
  constructor(private readonly log: (msg: string) => void = () => undefined) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (err instanceof ApiError) {
      res.status(err.status).json(err.body);
    } else if (err instanceof TicketCommandError) {
      const e = err.error;
      if (e.kind === 'not_found') res.status(404).json({ error: 'RecordNotFound', description: 'Not found' });
      else if (e.kind === 'closed') res.status(422).json({ error: 'RecordInvalid', description: 'Record validation errors', details: { status: [{ description: e.message, error: 'Closed' }] } });
      else res.status(422).json({ error: 'RecordInvalid', description: 'Record validation errors', details: { [e.field ?? 'base']: [{ description: e.message, error: 'InvalidValue' }] } });
    } else if (err instanceof UserInputError) {
      res.status(422).json({ error: 'RecordInvalid', description: 'Record validation errors', details: { [err.field ?? 'base']: [{ description: err.message, error: 'InvalidValue' }] } });
    } else if (err instanceof HttpException) {
      const status = err.getStatus();
      if (status === 404) res.status(404).json({ error: 'InvalidEndpoint', description: 'Not found' });
      else if (status === 400) res.status(400).json({ error: 'InvalidRequest', description: err.message });
      else res.status(status).json({ error: err.name, description: err.message });
    } else if (isConnectionError(err)) {
      res.status(503).set('Retry-After', '5').json({ error: 'ServiceUnavailable', description: 'The database is not reachable; try again shortly' });
    } else {
      this.log(`unhandled error: ${(err as Error)?.stack ?? String(err)}`);
      res.status(500).json({ error: 'InternalError', description: 'Something went wrong on our side' });
    }
  }
}

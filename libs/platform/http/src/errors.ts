import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';
import { isConnectionError } from '@mailroom/database';

/** An error with Zendesk's JSON body. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) {
    super(String(body.description ?? body.error));
  }
}

export const notFound = (): ApiError => new ApiError(404, { error: 'RecordNotFound', description: 'Not found' });

export const invalid = (field: string, description: string): ApiError =>
  new ApiError(422, { error: 'RecordInvalid', description: 'Record validation errors', details: { [field]: [{ description, error: 'InvalidValue' }] } });

/**
 * A context's own errors in Zendesk's shape: the answer for an error it knows, null for any other.
 * The ticket context gives one for its command refusals and user input errors.
 */
export type ApiErrorMapper = (err: unknown) => ApiError | null;

/** Maps every error once, at the edge, to Zendesk's error shapes. */
@Catch()
export class ZendeskErrorFilter implements ExceptionFilter {
  constructor(
    private readonly log: (msg: string) => void = () => undefined,
    private readonly mappers: readonly ApiErrorMapper[] = [],
  ) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const mapped = err instanceof ApiError ? err : this.mapped(err);
    if (mapped) {
      res.status(mapped.status).json(mapped.body);
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

  private mapped(err: unknown): ApiError | null {
    for (const map of this.mappers) {
      const e = map(err);
      if (e) return e;
    }
    return null;
  }
}

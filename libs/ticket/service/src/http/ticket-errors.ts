import { ApiError, type ApiErrorMapper } from '@mailroom/http';
import { TicketCommandError } from '../commands/ticket-commands';
import { UserInputError } from '../users/users';

/** The ticket context's refusals in Zendesk's shapes, for the API host's error filter. */
export const ticketApiErrors: ApiErrorMapper = (err) => {
  if (err instanceof TicketCommandError) {
    const e = err.error;
    if (e.kind === 'not_found') return new ApiError(404, { error: 'RecordNotFound', description: 'Not found' });
    if (e.kind === 'closed') return new ApiError(422, { error: 'RecordInvalid', description: 'Record validation errors', details: { status: [{ description: e.message, error: 'Closed' }] } });
    return new ApiError(422, { error: 'RecordInvalid', description: 'Record validation errors', details: { [e.field ?? 'base']: [{ description: e.message, error: 'InvalidValue' }] } });
  }
  if (err instanceof UserInputError) {
    return new ApiError(422, { error: 'RecordInvalid', description: 'Record validation errors', details: { [err.field ?? 'base']: [{ description: err.message, error: 'InvalidValue' }] } });
  }
  return null;
};

export * from './ticket-service';
export * from './commands/ticket-commands';
export * from './read-model/ticket-projection';
export * from './users/users';
export { sha256 } from './http/auth';
export * from './read-model/ticket-rebuild';
export * from './people/people-rebuild';

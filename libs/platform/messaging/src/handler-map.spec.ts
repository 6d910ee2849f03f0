import type { ConsumedUpdateKey } from '@mailroom/contracts';
import { checkHandlers, HandlerMapError, type HandlerMap } from './broker';
import type { Binding } from './topology';

const noop = async (): Promise<void> => undefined;
const updates = (...keys: string[]): HandlerMap => ({ updates: keys.map((k) => [k as ConsumedUpdateKey, noop] as const) });
const bound = (...keys: string[]): Binding[] => keys.map((pattern) => ({ exchange: 'updates', pattern }));
const check = (bindings: Binding[], handlers: HandlerMap) => () => checkHandlers({ name: 'test.consumer', bindings, handlers });

describe('a consumer is a map from message type to handler, checked at start-up', () => {
  it('starts when every key it binds has exactly one handler', () => {
    expect(check(bound('ticket.created', 'ticket.updated'), updates('ticket.created', 'ticket.updated'))).not.toThrow();
    expect(check([{ exchange: 'commands', pattern: 'ticket.create_ticket.*' }], { commands: [['ticket.create_ticket', noop]] })).not.toThrow();
  });

  it('refuses to start when it binds a key with no handler', () => {
    expect(check(bound('ticket.created', 'ticket.rule_actions'), updates('ticket.created'))).toThrow(/binds updates ticket.rule_actions with no handler/);
    expect(check([{ exchange: 'commands', pattern: 'ticket.record_bounce.*' }], { commands: [] })).toThrow(HandlerMapError);
  });

  it('refuses to start with two handlers for one key', () => {
    expect(check(bound('user.created'), updates('user.created', 'user.created'))).toThrow(/two handlers for update user.created/);
    expect(check([{ exchange: 'commands', pattern: 'ticket.add_comment.*' }], { commands: [['ticket.add_comment', noop], ['ticket.add_comment', noop]] })).toThrow(/two handlers for command/);
  });

  it('refuses a handler no binding routes to (a typo, or a kind it forgot to bind)', () => {
    expect(check(bound('ticket.created'), updates('ticket.created', 'ticket.delivery_recorded'))).toThrow(/a handler for update ticket.delivery_recorded that no binding routes to/);
  });

  it('refuses a binding on the per-event exchange, which is for subscribers', () => {
    expect(check([{ exchange: 'events', pattern: 'ticket.#' }], updates())).toThrow(/events exchange/);
  });
});

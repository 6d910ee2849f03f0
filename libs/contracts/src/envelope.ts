/**
 * The shape every message has in the log (events.messages) and on the wire (RabbitMQ body).
 * Type strings are explicit constants with a schema version, never class names.
 */
export type MessageKind = 'event' | 'command';

export type Role = 'end_user' | 'agent' | 'admin' | 'system';

/** Zendesk's `via`: the channel an update came through. */
export interface Via {
  channel: 'email' | 'api' | 'web' | 'rule' | 'closed_ticket' | 'system';
  source: {
    /** `ticket_id`/`subject`: the closed ticket a follow-up continues (`rel: 'follow_up'`), as Zendesk names them. */
    from: { address?: string; name?: string; id?: number | string; title?: string; ticket_id?: number; subject?: string };
    to: { address?: string; name?: string };
    rel: string | null;
  };
}

export interface Actor {
  /** null for the system itself (rules, scheduler). */
  userId: number | null;
  role: Role;
}

export interface MessageMetadata {
  /** All events written by one command share an update id: rules see whole updates. */
  updateId?: string;
  /** How many events the update has, and this one's index in it (0-based). */
  updateSize?: number;
  updateIndex?: number;
  actor?: Actor;
  via?: Via;
  /** The message that caused this one (for rule updates: the update id they belong to). */
  causationId?: string;
  correlationId?: string;
  occurredAt: string;
}

export interface Message<TType extends string = string, TData = unknown> {
  id: string;
  kind: MessageKind;
  type: TType;
  schemaVersion: number;
  streamId: string;
  streamVersion: number;
  /** Position in the global log, as a decimal string (bigint). */
  globalPosition: string;
  data: TData;
  metadata: MessageMetadata;
}

/** What a writer hands to the event store; the store adds ids and positions. */
export interface NewMessage<TType extends string = string, TData = unknown> {
  id?: string;
  kind?: MessageKind;
  type: TType;
  schemaVersion?: number;
  data: TData;
  metadata?: Partial<MessageMetadata>;
}

/** Routing key on the wire: `ticket.created.v1`, `ticket.create_ticket.v1`. */
export const routingKeyOf = (m: { type: string; schemaVersion: number }): string =>
  `${m.type}.v${m.schemaVersion}`;

// Updates (what one command appended to one stream) travel as one message: see updates.ts.
export * from './updates';

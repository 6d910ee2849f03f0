/**
 * Ticket triggers and trigger categories (`/api/v2/triggers`, `/api/v2/trigger_categories`) live
 * in one stream, `triggers`: every change an admin makes has its place in the log, with who made
 * it, and the warning the API gave when the change silences notification emails.
 */
export const TRIGGERS_STREAM = 'triggers';

/** A trigger as stored (Zendesk's condition/action JSON). */
export interface TriggerV1 {
  id: string;
  title: string;
  active: boolean;
  position: number;
  category_id: string | null;
  description: string;
  conditions: { all: { field: string; operator: string; value?: unknown }[]; any: { field: string; operator: string; value?: unknown }[] };
  actions: { field: string; value: unknown }[];
}

export interface TriggerCreatedV1 {
  trigger: TriggerV1;
  createdAt: string;
  /** 'standard' when seeded as one of the standard triggers, 'api' otherwise. */
  source: 'standard' | 'api';
}

export interface TriggerUpdatedV1 {
  triggerId: string;
  /** The trigger after the change. */
  trigger: TriggerV1;
  /** The keys that changed (title, active, position, category_id, description, conditions, actions). */
  changed: string[];
  /** Set when the change turned off a trigger that sends email notifications. */
  warning?: string;
  updatedAt: string;
}

export interface TriggerDeletedV1 {
  triggerId: string;
  title: string;
  /** Set when the deleted trigger sent email notifications. */
  warning?: string;
  deletedAt: string;
}

export interface TriggerCategoryV1 {
  id: string;
  name: string;
  position: number;
}

export interface TriggerCategoryCreatedV1 {
  category: TriggerCategoryV1;
  createdAt: string;
}

export interface TriggerCategoryUpdatedV1 {
  category: TriggerCategoryV1;
  updatedAt: string;
}

export interface TriggerCategoryDeletedV1 {
  categoryId: string;
  deletedAt: string;
}

export type TriggerEvent =
  | { type: 'trigger.created'; data: TriggerCreatedV1 }
  | { type: 'trigger.updated'; data: TriggerUpdatedV1 }
  | { type: 'trigger.deleted'; data: TriggerDeletedV1 }
  | { type: 'trigger_category.created'; data: TriggerCategoryCreatedV1 }
  | { type: 'trigger_category.updated'; data: TriggerCategoryUpdatedV1 }
  | { type: 'trigger_category.deleted'; data: TriggerCategoryDeletedV1 };

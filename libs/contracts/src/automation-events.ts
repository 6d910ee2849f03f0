/**
 * Automations (`/api/v2/automations`) live in one stream, `automations`, owned by the scheduler
 * context: every change has its place in the log with who made it (an admin through the API, or
 * the system when it seeds the standard automations or follows the satisfaction setting).
 */
export const AUTOMATIONS_STREAM = 'automations';

/** An automation as stored (Zendesk's condition/action JSON). */
export interface AutomationV1 {
  id: string;
  title: string;
  active: boolean;
  position: number;
  conditions: { all: { field: string; operator: string; value?: unknown }[]; any: { field: string; operator: string; value?: unknown }[] };
  actions: { field: string; value: unknown }[];
  /** One of Zendesk's standard automations (seeded, or added by the satisfaction setting). */
  default: boolean;
}

/**
 * Why the system, not an admin, changed an automation: the standard set seeded on a new account,
 * or satisfaction ratings turned on or off in the account settings.
 */
export type AutomationChangeSource = 'api' | 'standard' | 'satisfaction_ratings_on' | 'satisfaction_ratings_off';

export interface AutomationCreatedV1 {
  automation: AutomationV1;
  createdAt: string;
  source: AutomationChangeSource;
}

export interface AutomationUpdatedV1 {
  automationId: string;
  /** The automation after the change. */
  automation: AutomationV1;
  /** The keys that changed (title, active, position, conditions, actions). */
  changed: string[];
  source: AutomationChangeSource;
  updatedAt: string;
}

export interface AutomationDeletedV1 {
  automationId: string;
  title: string;
  deletedAt: string;
}

export type AutomationEvent =
  | { type: 'automation.created'; data: AutomationCreatedV1 }
  | { type: 'automation.updated'; data: AutomationUpdatedV1 }
  | { type: 'automation.deleted'; data: AutomationDeletedV1 };

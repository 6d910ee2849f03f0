import type { AccountSettingsV1, Actor } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { AutomationStore } from './automation-store';

/**
 * What happens in a change of the account settings, in its transaction: the shape of the ticket
 * context's `AccountSettingsFollower`, which the API host hands this follower to (the scheduler does
 * not import the ticket context).
 */
export type AccountSettingsChangeFollower = (tx: Db, settings: AccountSettingsV1, changed: string[], actor: Actor, now: string) => Promise<void>;

/**
 * The satisfaction setting's effect on automations (README "Automations"): turning ratings on adds
 * Zendesk's satisfaction request once, turning them off pauses it; in the settings' transaction.
 */
export const satisfactionAutomationFollower =
  (store: AutomationStore = new AutomationStore()): AccountSettingsChangeFollower =>
  async (tx, settings, changed, actor, now) => {
    if (changed.includes('customer_satisfaction.enabled')) await store.followSatisfactionSetting(tx, settings.customerSatisfaction === true, actor, now);
  };

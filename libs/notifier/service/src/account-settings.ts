import type { AccountSettingsV1 } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { DEFAULT_ACCOUNT_EMAIL_TEMPLATE, DEFAULT_SUPPRESS_PLACEHOLDERS_ON_CREATION, type AccountEmailTemplate } from '@mailroom/notifier-domain';

export interface NotifierAccountSettings {
  emailTemplate: AccountEmailTemplate;
  suppressPlaceholdersOnCreation: boolean;
}

/**
 * The account settings in force, for rendering one notification. The ticket service writes
 * account.settings in the transaction that appends each `account.settings_changed`, so this one
 * primary-key read gives every notifier replica the settings committed when it renders — no
 * projection lag, no cache to expire. Before any change (no row): the defaults.
 */
export const loadAccountSettings = async (db: Db): Promise<NotifierAccountSettings> => {
  const rows = await db.query<{ settings: AccountSettingsV1 }>(`SELECT settings FROM account.settings WHERE id`);
  const s = rows[0]?.settings;
  return {
    emailTemplate: s?.emailTemplate ?? DEFAULT_ACCOUNT_EMAIL_TEMPLATE,
    suppressPlaceholdersOnCreation: s?.suppressPlaceholdersOnCreation ?? DEFAULT_SUPPRESS_PLACEHOLDERS_ON_CREATION,
  };
};

import type { AccountSettingsV1 } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { DEFAULT_VISIBILITY_SETTINGS, type VisibilitySettings } from '@mailroom/mail-domain';

/** The account settings that decide how a mail lands on its ticket. */
export interface IngestAccountSettings {
  /** Who writes public comments by email (reference §5.5). */
  visibility: VisibilitySettings;
  /** Addresses and domains never made CCs from mail (reference §5.6). */
  ccBlocklist: string[];
}

/**
 * The settings in force for one mail, read in the mail's own transaction: the ticket service
 * writes account.settings with each `account.settings_changed`, so a change made through
 * `/api/v2/account/settings` applies to the next mail on every worker. Before any change: the
 * defaults.
 */
export const loadIngestAccountSettings = async (db: Db): Promise<IngestAccountSettings> => {
  const rows = await db.query<{ settings: AccountSettingsV1 }>(`SELECT settings FROM account.settings WHERE id`);
  const s = rows[0]?.settings;
  return {
    visibility: s?.emailCommentVisibility ?? { ...DEFAULT_VISIBILITY_SETTINGS },
    ccBlocklist: s?.ccBlocklist ?? [],
  };
};

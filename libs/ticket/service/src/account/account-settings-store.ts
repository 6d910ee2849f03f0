import { ACCOUNT_STREAM, type AccountSettingsChangedV1, type AccountSettingsV1, type Actor } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import type { EventStore } from '@mailroom/event-store';
import { changeAccountSettings, DEFAULT_ACCOUNT_SETTINGS, withDefaultSettings, type SettingsFieldError } from './account-settings';

const ACCOUNT_SETTINGS_LOCK = 7261011;

/** Reads the settings in force: the account.settings row, or the defaults before any change. */
export const currentAccountSettings = async (db: Db): Promise<AccountSettingsV1> => {
  const rows = await db.query<{ settings: AccountSettingsV1 }>(`SELECT settings FROM account.settings WHERE id`);
  return withDefaultSettings(rows[0]?.settings ?? { ...DEFAULT_ACCOUNT_SETTINGS, emailTemplate: { ...DEFAULT_ACCOUNT_SETTINGS.emailTemplate } });
};

/**
 * What another context does when a setting changes, in the same transaction as the change (turning
 * satisfaction ratings on adds the scheduler's satisfaction automation): both happen or neither.
 */
export type AccountSettingsFollower = (tx: Db, settings: AccountSettingsV1, changed: string[], actor: Actor, now: string) => Promise<void>;

/**
 * Account settings as the `account` stream: each change appends `account.settings_changed` with
 * the whole result and writes the same value to account.settings in that transaction, so every
 * replica of every service reads what is in force without waiting for a projection.
 */
export class AccountSettingsStore {
  constructor(
    private readonly store: EventStore,
    private readonly followers: readonly AccountSettingsFollower[] = [],
  ) {}

  current(db: Db): Promise<AccountSettingsV1> {
    return currentAccountSettings(db);
  }

  async change(tx: Db, body: unknown, actor: Actor, now: string): Promise<{ ok: true; settings: AccountSettingsV1; changed: string[] } | { ok: false; errors: SettingsFieldError[] }> {
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [ACCOUNT_SETTINGS_LOCK]);
    const current = await currentAccountSettings(tx);
    const result = changeAccountSettings(current, body);
    if (!result.ok || result.changed.length === 0) return result;
    const version = await this.store.streamVersion(tx, ACCOUNT_STREAM);
    const data: AccountSettingsChangedV1 = { settings: result.settings, changed: result.changed, changedAt: now };
    const appended = await this.store.append(tx, ACCOUNT_STREAM, 'account', version === 0 ? 'no_stream' : version, [{ type: 'account.settings_changed', data }], { actor, occurredAt: now });
    await tx.query(
      `INSERT INTO account.settings (id, version, settings, updated_at) VALUES (true, $1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at`,
      [appended.version, JSON.stringify(result.settings), now],
    );
    for (const follow of this.followers) await follow(tx, result.settings, result.changed, actor, now);
    return result;
  }
}

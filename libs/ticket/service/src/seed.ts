import type { Db } from '@mailroom/database';
import { sha256 } from './http/auth';
import type { Users } from './users/users';

/**
 * The first admin and the account's first API token come from configuration, so a new install can
 * be used at once. Running it again changes nothing; a changed token is added, not swapped.
 */
export const seedAdmin = async (db: Db, users: Users, cfg: { adminEmail: string; adminName: string; adminToken: string }): Promise<number> =>
  db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(7261002)`);
    const existing = await users.byEmail(tx, cfg.adminEmail);
    const admin = existing ?? (await users.create(tx, { name: cfg.adminName, email: cfg.adminEmail, role: 'admin' }, { userId: null, role: 'system' }, new Date().toISOString())).user;
    const hash = sha256(cfg.adminToken);
    await tx.query(`INSERT INTO ticket.api_tokens (token_sha256, kind, description) VALUES ($1, 'api', 'seeded from MAILROOM_ADMIN_TOKEN') ON CONFLICT DO NOTHING`, [hash]);
    await tx.query(`INSERT INTO ticket.api_tokens (token_sha256, kind, user_id, description) VALUES ($1, 'oauth', $2, 'seeded from MAILROOM_ADMIN_TOKEN') ON CONFLICT DO NOTHING`, [hash, admin.id]);
    return admin.id;
  });

import type { Db } from '@mailroom/database';
import { sha256 } from './http/authenticator';
import type { Users } from './users/users';

/**
 * The first admin and the token from MAILROOM_ADMIN_TOKEN come from configuration, so a new
 * install can be used at once. The configured token replaces the one seeded before: changing the
 * setting is how an operator rotates a leaked token, so the old one must stop working. Tokens
 * admins made through /api/v2/api_tokens are left alone.
 */
export const seedAdmin = async (db: Db, users: Users, cfg: { adminEmail: string; adminName: string; adminToken: string }): Promise<number> =>
  db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(7261002)`);
    const existing = await users.byEmail(tx, cfg.adminEmail);
    const admin = existing ?? (await users.create(tx, { name: cfg.adminName, email: cfg.adminEmail, role: 'admin' }, { userId: null, role: 'system' }, new Date().toISOString())).user;
    const hash = sha256(cfg.adminToken);
    await tx.query(`DELETE FROM ticket.api_tokens WHERE seeded AND token_sha256 <> $1`, [hash]);
    const description = 'seeded from MAILROOM_ADMIN_TOKEN';
    await tx.query(`INSERT INTO ticket.api_tokens (token_sha256, kind, description, seeded) VALUES ($1, 'api', $2, true) ON CONFLICT DO NOTHING`, [hash, description]);
    await tx.query(`INSERT INTO ticket.api_tokens (token_sha256, kind, user_id, description, seeded) VALUES ($1, 'oauth', $2, $3, true) ON CONFLICT DO NOTHING`, [hash, admin.id, description]);
    return admin.id;
  });

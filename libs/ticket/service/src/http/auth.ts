import { createHash } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Db } from '@mailroom/database';
import { ApiError } from './errors';
import type { UserRecord } from '../users/users';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export type AuthedRequest = Request & { user?: UserRecord };

/**
 * Authentication as Zendesk does it: an API token belongs to the account, and
 * `email/token:TOKEN` basic auth acts as the agent or admin with that email (end users cannot use
 * it); a bearer (OAuth) token acts as the user it was issued to. Tokens are stored hashed.
 */
export const authenticate = async (db: Db, header: string | undefined): Promise<UserRecord> => {
  const unauthorized = new ApiError(401, { error: "Couldn't authenticate you" });
  if (!header) throw unauthorized;
  const [scheme, value] = header.split(/\s+/, 2);
  if (/^basic$/i.test(scheme) && value) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const m = /^(.+)\/token:(.+)$/.exec(decoded);
    if (!m) throw unauthorized;
    const rows = await db.query<{ data: UserRecord }>(
      `SELECT u.data FROM ticket.api_tokens t, ticket.user_emails e JOIN ticket.users u ON u.id = e.user_id
       WHERE t.kind = 'api' AND t.token_sha256 = $1 AND e.email = $2`,
      [sha256(m[2]), m[1].trim().toLowerCase()],
    );
    const user = rows[0]?.data;
    if (!user || !user.active || user.role === 'end_user') throw unauthorized;
    return user;
  }
  if (/^bearer$/i.test(scheme) && value) {
    const rows = await db.query<{ data: UserRecord }>(
      `SELECT u.data FROM ticket.api_tokens t JOIN ticket.users u ON u.id = t.user_id WHERE t.kind = 'oauth' AND t.token_sha256 = $1`,
      [sha256(value)],
    );
    const user = rows[0]?.data;
    if (!user || !user.active) throw unauthorized;
    return user;
  }
  throw unauthorized;
};

/** The database, as something Nest can inject by class. */
export class DbHandle {
  constructor(readonly db: Db) {}
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly handle: DbHandle) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    req.user = await authenticate(this.handle.db, req.headers.authorization);
    return true;
  }
}

/** Agents and admins only (end users with a bearer token can read their own tickets only — a later issue). */
export const requireAgent = (user: UserRecord | undefined): UserRecord => {
  if (!user || user.role === 'end_user') throw new ApiError(403, { error: 'Forbidden', description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.' });
  return user;
};

/** Admins only: changes to groups, memberships, organizations and account settings. */
export const requireAdmin = (user: UserRecord | undefined): UserRecord => {
  if (!user || user.role !== 'admin') throw new ApiError(403, { error: 'Forbidden', description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.' });
  return user;
};

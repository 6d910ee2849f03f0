import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { UserRole } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { AUTH_FAILURE_KEY, ApiLimits } from './api-limits';
import { ApiError } from './errors';

/** What every context's controllers need of the caller: who, in which role. */
export interface ApiUser {
  id: number;
  name: string;
  email: string | null;
  role: UserRole;
  active: boolean;
}

export type AuthedRequest<U extends ApiUser = ApiUser> = Request & { user?: U };

/**
 * Who an `Authorization` header belongs to: the user, or an `ApiError` 401 (any other error is a
 * failure of the lookup itself, not of the caller). The ticket context provides it: users and API
 * tokens are its tables.
 */
export abstract class Authenticator {
  abstract authenticate(header: string | undefined): Promise<ApiUser>;
}

/** The database, as something Nest can inject by class. */
export class DbHandle {
  constructor(readonly db: Db) {}
}

/** The email a basic-auth header claims (never the token), for limits and logs. */
export const claimedEmail = (header: string | undefined): string | null => {
  const [scheme, value] = (header ?? '').split(/\s+/, 2);
  if (!/^basic$/i.test(scheme) || !value) return null;
  const m = /^(.+)\/token:/.exec(Buffer.from(value, 'base64').toString('utf8'));
  return m ? m[1].trim().toLowerCase().slice(0, 254) : null;
};

const tooManyRequests = (res: Response, retryAfter: number): ApiError => {
  res.setHeader('Retry-After', String(retryAfter));
  return new ApiError(429, { error: 'TooManyRequests', description: `Rate limit exceeded; retry after ${retryAfter} seconds` });
};

/** Where authentication failures are written; never given a token. */
export class AuthLog {
  constructor(readonly warn: (msg: string, fields: Record<string, unknown>) => void) {}
}

/**
 * Every API call passes here: a client address or claimed email with too many failed
 * authentications gets 429 before its credentials are even looked at (so guessing stops paying),
 * each failure is counted and logged, and an authenticated user's requests are counted against
 * Zendesk's per-minute limit, reported in Zendesk's rate-limit headers.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly limits: ApiLimits,
    private readonly log: AuthLog,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const client = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const email = claimedEmail(req.headers.authorization);
    const keys = [AUTH_FAILURE_KEY.client(client), ...(email ? [AUTH_FAILURE_KEY.email(email)] : [])];
    const blocked = await this.limits.blockedBy(keys);
    if (blocked) throw tooManyRequests(res, blocked.retryAfterSeconds);
    let user: ApiUser;
    try {
      user = await this.authenticator.authenticate(req.headers.authorization);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      const reached = await this.limits.recordFailure(keys);
      const fields = { client, email, scheme: (req.headers.authorization ?? '').split(/\s+/, 1)[0] || null, method: req.method, path: req.path };
      this.log.warn('API authentication failed', fields);
      // One more line when a burst reaches the limit; what follows is refused unlogged until it decays.
      if (reached.length) this.log.warn('API authentication failures reached the limit; refusing with 429', { ...fields, limited: reached.map((k) => k.replace(/^auth-failure:/, '')), limit: this.limits.settings.authFailureLimit, window_seconds: this.limits.settings.authFailureWindowSeconds });
      throw err;
    }
    const usage = await this.limits.recordRequest(user.id);
    if (usage) {
      const remaining = Math.max(0, Math.floor(usage.limit - usage.count));
      res.setHeader('X-Rate-Limit', String(usage.limit));
      res.setHeader('X-Rate-Limit-Remaining', String(remaining));
      res.setHeader('ratelimit-limit', String(usage.limit));
      res.setHeader('ratelimit-remaining', String(remaining));
      res.setHeader('ratelimit-reset', String(usage.resetSeconds));
      if (usage.count > usage.limit) throw tooManyRequests(res, usage.resetSeconds);
    }
    req.user = user;
    return true;
  }
}

/** Agents and admins only (end users with a bearer token can read their own tickets only — a later issue). */
export const requireAgent = <U extends ApiUser>(user: U | undefined): U => {
  if (!user || user.role === 'end_user') throw new ApiError(403, { error: 'Forbidden', description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.' });
  return user;
};

/** Admins only: changes to groups, memberships, organizations and account settings. */
export const requireAdmin = <U extends ApiUser>(user: U | undefined): U => {
  if (!user || user.role !== 'admin') throw new ApiError(403, { error: 'Forbidden', description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.' });
  return user;
};

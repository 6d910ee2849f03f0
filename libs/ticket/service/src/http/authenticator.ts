import { createHash } from 'node:crypto';
import type { Db } from '@mailroom/database';
import { ApiError, Authenticator, type AuthedRequest as HttpRequest } from '@mailroom/http';
import type { UserRecord } from '../users/users';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

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
       WHERE t.kind = 'api' AND t.revoked_at IS NULL AND t.token_sha256 = $1 AND e.email = $2`,
      [sha256(m[2]), m[1].trim().toLowerCase()],
    );
    const user = rows[0]?.data;
    if (!user || !user.active || user.role === 'end_user') throw unauthorized;
    return user;
  }
  if (/^bearer$/i.test(scheme) && value) {
    const rows = await db.query<{ data: UserRecord }>(
      `SELECT u.data FROM ticket.api_tokens t JOIN ticket.users u ON u.id = t.user_id WHERE t.kind = 'oauth' AND t.revoked_at IS NULL AND t.token_sha256 = $1`,
      [sha256(value)],
    );
    const user = rows[0]?.data;
    if (!user || !user.active) throw unauthorized;
    return user;
  }
  throw unauthorized;
};

/**
 * The API host's authenticator, over the ticket context's users and API tokens: every context's
 * `AuthGuard` asks it, and the request's user is the ticket context's `UserRecord`.
 */
export class TicketAuthenticator extends Authenticator {
  constructor(private readonly db: Db) {
    super();
  }

  authenticate(header: string | undefined): Promise<UserRecord> {
    return authenticate(this.db, header);
  }
}


/** A request to the ticket context's endpoints: its user is the `UserRecord` TicketAuthenticator found. */
export type AuthedRequest = HttpRequest<UserRecord>;

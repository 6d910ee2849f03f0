import type { ApiLimitSettings } from '@mailroom/config';
import type { Db } from '@mailroom/database';

/**
 * Counters for the API's rate limits in a table the host names (the ticket service's
 * `ticket.rate_counters`), shared by every replica of the API host: a guesser spreading attempts
 * over replicas meets the same limit.
 *
 * A sliding window approximated from two fixed ones: the current window's count plus the previous
 * window's count weighted by the part of it still inside the sliding window. Exact enough for a
 * limit, one row per key and window, no row per request.
 */
export interface WindowCount {
  /** The weighted count in the sliding window ending now. */
  count: number;
  /** Seconds until the current fixed window ends (what Retry-After and ratelimit-reset say). */
  resetSeconds: number;
}

export const slidingCount = (current: number, previous: number, windowMs: number, nowMs: number): WindowCount => {
  const into = nowMs % windowMs;
  return { count: current + previous * (1 - into / windowMs), resetSeconds: Math.max(1, Math.ceil((windowMs - into) / 1000)) };
};

/**
 * When a key at or over its limit may try again: once the previous window's weighted share has
 * decayed below the limit, at the latest when the next window starts with nothing counted.
 */
export const retryAfterSeconds = (current: number, previous: number, limit: number, windowMs: number, nowMs: number): number => {
  const into = nowMs % windowMs;
  const untilNext = windowMs - into;
  if (current >= limit || previous === 0) return Math.max(1, Math.ceil(untilNext / 1000));
  // current + previous * (1 - t / windowMs) < limit  ⇔  t > windowMs * (1 - (limit - current) / previous)
  const t = windowMs * (1 - (limit - current) / previous);
  return Math.max(1, Math.ceil(Math.min(untilNext, Math.max(0, t - into)) / 1000));
};

export const AUTH_FAILURE_KEY = {
  client: (address: string) => `auth-failure:client:${address}`,
  email: (email: string) => `auth-failure:email:${email}`,
};
const requestsKey = (userId: number) => `requests:user:${userId}`;

export interface Blocked {
  key: string;
  retryAfterSeconds: number;
}

export class ApiLimits {
  private lastPurge = 0;

  constructor(
    private readonly db: Db,
    readonly settings: ApiLimitSettings,
    /** The counters' table, schema-qualified: `(key, window_start, count, expires_at)`, unique on (key, window_start). */
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  private get failureWindowMs(): number {
    return this.settings.authFailureWindowSeconds * 1000;
  }

  /** The first of these keys whose failed authentications reached the limit, if any. */
  async blockedBy(keys: string[]): Promise<Blocked | null> {
    const now = this.now();
    const windowMs = this.failureWindowMs;
    const current = now - (now % windowMs);
    const rows = await this.db.query<{ key: string; window_start: Date; count: number }>(
      `SELECT key, window_start, count FROM ${this.table} WHERE key = ANY($1) AND window_start IN ($2, $3)`,
      [keys, new Date(current), new Date(current - windowMs)],
    );
    for (const key of keys) {
      const cur = rows.find((r) => r.key === key && r.window_start.getTime() === current)?.count ?? 0;
      const prev = rows.find((r) => r.key === key && r.window_start.getTime() !== current)?.count ?? 0;
      if (slidingCount(cur, prev, windowMs, now).count >= this.settings.authFailureLimit) {
        return { key, retryAfterSeconds: retryAfterSeconds(cur, prev, this.settings.authFailureLimit, windowMs, now) };
      }
    }
    return null;
  }

  /** Counts one failed authentication against each key; answers the keys this failure brought to the limit. */
  async recordFailure(keys: string[]): Promise<string[]> {
    const counts = await Promise.all(keys.map((k) => this.increment(k, this.failureWindowMs)));
    void this.purge();
    return keys.filter((_, i) => counts[i].count >= this.settings.authFailureLimit && counts[i].count - 1 < this.settings.authFailureLimit);
  }

  /** Counts one authenticated request of a user; null when the request limit is off. */
  async recordRequest(userId: number): Promise<(WindowCount & { limit: number }) | null> {
    if (this.settings.requestsPerMinute === 0) return null;
    return { ...(await this.increment(requestsKey(userId), 60_000)), limit: this.settings.requestsPerMinute };
  }

  private async increment(key: string, windowMs: number): Promise<WindowCount> {
    const now = this.now();
    const current = now - (now % windowMs);
    const rows = await this.db.query<{ current: number; previous: number | null }>(
      `WITH up AS (
         INSERT INTO ${this.table} (key, window_start, count, expires_at) VALUES ($1, $2, 1, $4)
         ON CONFLICT (key, window_start) DO UPDATE SET count = ${this.table}.count + 1
         RETURNING count)
       SELECT (SELECT count FROM up) AS current,
              (SELECT count FROM ${this.table} WHERE key = $1 AND window_start = $3) AS previous`,
      [key, new Date(current), new Date(current - windowMs), new Date(current + 2 * windowMs)],
    );
    return slidingCount(rows[0].current, rows[0].previous ?? 0, windowMs, now);
  }

  /** Old windows go, at most once a minute per process. */
  private async purge(): Promise<void> {
    const now = this.now();
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    await this.db.query(`DELETE FROM ${this.table} WHERE expires_at < $1`, [new Date(now)]).catch(() => undefined);
  }
}

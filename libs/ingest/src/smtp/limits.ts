/**
 * Per-client limits of the SMTP edge, in memory (one ingest process; each replica limits its own
 * clients). Time is passed in so the arithmetic is tested without waiting.
 */

/**
 * Mails a client address may start per minute, as a token bucket: a full minute's allowance may
 * be used at once, and it refills evenly over the minute.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one mail from the key's allowance; false when none is left. */
  take(key: string): boolean {
    if (this.perMinute <= 0) return true;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.forgetFull(now);
    return true;
  }

  /** Seconds until the key may start another mail (0 when it may now). */
  retryAfterSeconds(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket || this.perMinute <= 0) return 0;
    const tokens = bucket.tokens + ((this.now() - bucket.at) * this.perMinute) / 60_000;
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 60) / this.perMinute);
  }

  get size(): number {
    return this.buckets.size;
  }

  // A full bucket holds no information: dropping it keeps memory bounded by the busy clients.
  private forgetFull(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * this.perMinute) / 60_000 >= this.perMinute) this.buckets.delete(key);
    }
  }
}

/** Open connections per client address. */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();

  constructor(readonly perAddress: number) {}

  /** Counts a new connection in; false (and not counted) when the address already has its maximum. */
  enter(key: string): boolean {
    const n = this.open.get(key) ?? 0;
    if (n >= this.perAddress) return false;
    this.open.set(key, n + 1);
    return true;
  }

  leave(key: string): void {
    const n = (this.open.get(key) ?? 0) - 1;
    if (n > 0) this.open.set(key, n);
    else this.open.delete(key);
  }

  count(key: string): number {
    return this.open.get(key) ?? 0;
  }
}

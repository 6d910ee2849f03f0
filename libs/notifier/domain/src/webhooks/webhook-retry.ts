/**
 * What happens after one webhook attempt. 2xx delivers. 408, 409, 429 and 5xx answers, timeouts
 * and network errors are tried again after a back-off, a bounded number of times (a Retry-After of
 * up to a minute is honoured). Other answers — 3xx (redirects are never followed), 4xx — and
 * refusals on our side (a blocked address, a broken body) end the call at once.
 */

export interface WebhookRetryPolicy {
  /** Wait before each retry; its length is the number of retries. */
  delaysMs: readonly number[];
  /** Longest Retry-After that is waited for; a longer one is not (the call fails). */
  maxRetryAfterMs: number;
}

export const DEFAULT_WEBHOOK_RETRY_POLICY: Readonly<WebhookRetryPolicy> = { delaysMs: [5_000, 30_000, 120_000, 600_000], maxRetryAfterMs: 60_000 };

export type AttemptResult =
  | { kind: 'response'; statusCode: number; retryAfterSeconds?: number | null }
  | { kind: 'error'; error: string; retryable: boolean };

export type AttemptDecision =
  | { next: 'delivered'; statusCode: number }
  | { next: 'retry'; delayMs: number; statusCode: number | null; error: string }
  | { next: 'failed'; statusCode: number | null; error: string };

const RETRYABLE_STATUS = (code: number) => code === 408 || code === 409 || code === 429 || code >= 500;

/** `attempt` counts from 1 (the attempt just made). */
export const decideAfterAttempt = (result: AttemptResult, attempt: number, policy: WebhookRetryPolicy): AttemptDecision => {
  const retriesLeft = attempt <= policy.delaysMs.length;
  const backoff = policy.delaysMs[Math.min(attempt, policy.delaysMs.length) - 1] ?? 0;
  if (result.kind === 'error') {
    if (result.retryable && retriesLeft) return { next: 'retry', delayMs: backoff, statusCode: null, error: result.error };
    return { next: 'failed', statusCode: null, error: retriesLeft || !result.retryable ? result.error : `${result.error} (gave up after ${attempt} attempts)` };
  }
  const code = result.statusCode;
  if (code >= 200 && code < 300) return { next: 'delivered', statusCode: code };
  const error = code >= 300 && code < 400 ? `HTTP ${code}: redirects are not followed` : `HTTP ${code}`;
  if (!RETRYABLE_STATUS(code)) return { next: 'failed', statusCode: code, error };
  if (!retriesLeft) return { next: 'failed', statusCode: code, error: `${error} (gave up after ${attempt} attempts)` };
  const retryAfterMs = typeof result.retryAfterSeconds === 'number' && result.retryAfterSeconds >= 0 ? result.retryAfterSeconds * 1000 : null;
  if (retryAfterMs !== null && retryAfterMs > policy.maxRetryAfterMs) return { next: 'failed', statusCode: code, error: `${error}: Retry-After ${result.retryAfterSeconds} s is longer than we wait` };
  return { next: 'retry', delayMs: Math.max(backoff, retryAfterMs ?? 0), statusCode: code, error };
};

/** Retry-After as seconds (delta or HTTP date), null when absent or unreadable. */
export const parseRetryAfter = (header: string | undefined, now: Date): number | null => {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
};

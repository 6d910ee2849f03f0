import { decideAfterAttempt, parseRetryAfter, type WebhookRetryPolicy } from './webhook-retry';

describe('webhook retries', () => {
  const policy: WebhookRetryPolicy = { delaysMs: [100, 1000], maxRetryAfterMs: 60_000 };

  it('2xx delivers', () => {
    expect(decideAfterAttempt({ kind: 'response', statusCode: 204 }, 1, policy)).toEqual({ next: 'delivered', statusCode: 204 });
  });

  it('5xx, 429, 409, 408, timeouts and network errors retry with back-off, then fail', () => {
    expect(decideAfterAttempt({ kind: 'response', statusCode: 500 }, 1, policy)).toEqual({ next: 'retry', delayMs: 100, statusCode: 500, error: 'HTTP 500' });
    expect(decideAfterAttempt({ kind: 'response', statusCode: 503 }, 2, policy)).toMatchObject({ next: 'retry', delayMs: 1000 });
    expect(decideAfterAttempt({ kind: 'response', statusCode: 503 }, 3, policy)).toEqual({ next: 'failed', statusCode: 503, error: 'HTTP 503 (gave up after 3 attempts)' });
    for (const code of [408, 409, 429]) expect(decideAfterAttempt({ kind: 'response', statusCode: code }, 1, policy).next).toBe('retry');
    expect(decideAfterAttempt({ kind: 'error', error: 'timed out after 12000 ms', retryable: true }, 1, policy)).toMatchObject({ next: 'retry', statusCode: null });
    expect(decideAfterAttempt({ kind: 'error', error: 'ECONNREFUSED', retryable: true }, 3, policy)).toMatchObject({ next: 'failed', statusCode: null });
  });

  it('other answers and our own refusals end at once', () => {
    expect(decideAfterAttempt({ kind: 'response', statusCode: 404 }, 1, policy)).toEqual({ next: 'failed', statusCode: 404, error: 'HTTP 404' });
    expect(decideAfterAttempt({ kind: 'response', statusCode: 302 }, 1, policy)).toMatchObject({ next: 'failed', error: expect.stringMatching(/redirects are not followed/) });
    expect(decideAfterAttempt({ kind: 'error', error: 'blocked: 10.0.0.1 is a private address', retryable: false }, 1, policy)).toMatchObject({ next: 'failed' });
  });

  it('honours a Retry-After of up to a minute', () => {
    expect(decideAfterAttempt({ kind: 'response', statusCode: 429, retryAfterSeconds: 30 }, 1, policy)).toMatchObject({ next: 'retry', delayMs: 30_000 });
    expect(decideAfterAttempt({ kind: 'response', statusCode: 429, retryAfterSeconds: 3600 }, 1, policy)).toMatchObject({ next: 'failed' });
    expect(parseRetryAfter('12', new Date())).toBe(12);
    expect(parseRetryAfter('Sun, 01 Mar 2026 09:01:00 GMT', new Date('2026-03-01T09:00:00Z'))).toBe(60);
    expect(parseRetryAfter(undefined, new Date())).toBeNull();
  });
});

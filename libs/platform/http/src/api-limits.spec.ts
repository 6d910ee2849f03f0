import { retryAfterSeconds, slidingCount } from './api-limits';
import { refuseUnstorableText, unstorableText } from './json-body';
import { claimedEmail } from './auth';

const MIN = 60_000;

describe('the sliding window of the API limits', () => {
  it('weighs the previous window by the part of it still inside the sliding window', () => {
    expect(slidingCount(2, 10, MIN, 15_000)).toEqual({ count: 2 + 10 * 0.75, resetSeconds: 45 });
    expect(slidingCount(0, 10, MIN, 59_500).count).toBeCloseTo(10 / 120);
  });

  it('says when a key at its limit may try again', () => {
    // Over the limit in this window alone: wait for the next one.
    expect(retryAfterSeconds(5, 0, 5, MIN, 20_000)).toBe(40);
    // Blocked by the previous window's share: once it decays below the limit (3 + 10·(1 − t/60 s) < 5 from t = 48 s).
    expect(retryAfterSeconds(3, 10, 5, MIN, 30_000)).toBe(18);
    expect(retryAfterSeconds(3, 10, 5, MIN, 59_900)).toBe(1);
  });
});

describe('text PostgreSQL cannot hold', () => {
  it('is NUL or an unpaired surrogate, never a paired one', () => {
    expect(unstorableText('a\u0000b')).toMatch(/NUL/);
    expect(unstorableText('a\ud83d')).toMatch(/surrogate/);
    expect(unstorableText('\ude00a')).toMatch(/surrogate/);
    expect(unstorableText('smile \ud83d\ude00')).toBeNull();
  });

  it('is refused while the body is parsed, in keys and values at any depth', () => {
    const parse = (s: string) => JSON.parse(s, refuseUnstorableText as (k: string, v: unknown) => unknown);
    expect(() => parse('{"a": [{"b": "x\\u0000"}]}')).toThrow(SyntaxError);
    expect(() => parse('{"k\\ud800": 1}')).toThrow(/key/);
    expect(parse('{"a": ["\\ud83d\\ude00", 1, null]}')).toEqual({ a: ['😀', 1, null] });
  });
});

describe('the email a basic-auth header claims', () => {
  it('is read for limits and logs, never the token', () => {
    const header = 'Basic ' + Buffer.from('Jane@Example.com/token:s3cret').toString('base64');
    expect(claimedEmail(header)).toBe('jane@example.com');
    expect(claimedEmail('Bearer abc')).toBeNull();
    expect(claimedEmail(undefined)).toBeNull();
  });
});

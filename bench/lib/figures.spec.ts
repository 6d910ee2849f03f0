import { delta, median, orderViolations, pacedRate, parseProcStat, percentile, perMail, shares, stats } from './figures';

describe('benchmark figures', () => {
  it('takes nearest-rank percentiles, so p99 of 100 values is the 99th', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarises latencies in any order and has nothing to say about none', () => {
    expect(stats([30, 10, 20])).toEqual({ min: 10, p50: 20, p95: 30, p99: 30, max: 30, mean: 20 });
    expect(stats([])).toBeNull();
  });

  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('subtracts counters key by key, a key new since the first reading counting from zero', () => {
    expect(delta({ a: 10, b: 5 }, { a: 25, b: 5, c: 3 })).toEqual({ a: 15, b: 0, c: 3 });
  });

  it('spreads a total over the mails and gives no figure for no mail', () => {
    expect(perMail(8300, 100)).toBe(83);
    expect(perMail(10, 3)).toBe(3.33);
    expect(perMail(10, 0)).toBeNull();
  });

  it('gives each replica its share of the work in percent', () => {
    expect(shares({ r1: 300, r2: 0, r3: 100 })).toEqual({ r1: 75, r2: 0, r3: 25 });
    expect(shares({ r1: 0, r2: 0 })).toEqual({ r1: 0, r2: 0 });
  });

  it('reads CPU ticks from /proc/<pid>/stat even when the command name has spaces and parentheses', () => {
    const line = '4242 (node (bench) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 25 7 3 20 0 11 0 1234 100000 2000';
    expect(parseProcStat(line)).toEqual({ self: 175, children: 10 });
  });

  it('paces at a fraction of the sustained rate, never below one mail a second', () => {
    expect(pacedRate(19.4, 0.5)).toBe(9.7);
    expect(pacedRate(0.5, 0.5)).toBe(1);
  });

  it('finds tickets whose events a consumer handled out of version order, and ties it cannot order', () => {
    const rows = [
      { stream: 'ticket-1', version: 1, at: 100 },
      { stream: 'ticket-2', version: 1, at: 101 },
      { stream: 'ticket-1', version: 3, at: 102 },
      { stream: 'ticket-2', version: 2, at: 101 },
      { stream: 'ticket-1', version: 2, at: 103 },
    ];
    expect(orderViolations(rows)).toEqual({ outOfOrder: ['ticket-1'], ambiguous: ['ticket-2'] });
    expect(orderViolations(rows.slice(0, 3))).toEqual({ outOfOrder: [], ambiguous: [] });
  });
});

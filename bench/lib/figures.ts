// Pure arithmetic of the benchmark's figures: percentiles, counter deltas, per-mail shares. No I/O,
// so the numbers in bench/results can be checked by unit tests.

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

export interface LatencyStats {
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100): the smallest value with at least p% at or below it. */
export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export const stats = (values: number[]): LatencyStats | null => {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return {
    min: round(s[0]),
    p50: round(percentile(s, 50)),
    p95: round(percentile(s, 95)),
    p99: round(percentile(s, 99)),
    max: round(s[s.length - 1]),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
};

export const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** after − before for every key of `after` (a key missing before counts from 0). */
export const delta = (before: Record<string, number>, after: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));

/** A total spread over the mails it served, or null when no mail was served. */
export const perMail = (total: number, mails: number, digits = 2): number | null => (mails > 0 ? round(total / mails, digits) : null);

/** Each part's share of the whole, in percent (0 for every part when the whole is 0). */
export const shares = (parts: Record<string, number>): Record<string, number> => {
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, total > 0 ? round((v / total) * 100) : 0]));
};

/** utime + stime (fields 14 and 15) and cutime + cstime (16, 17) of a /proc/<pid>/stat line, in clock ticks. */
export const parseProcStat = (line: string): { self: number; children: number } => {
  // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
  const rest = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const f = (n: number): number => Number(rest[n - 3]);
  return { self: f(14) + f(15), children: f(16) + f(17) };
};

/**
 * Mails per second a paced run offers: a fraction of the sustained rate measured by the burst,
 * at least one per second so a very slow run still finishes.
 */
export const pacedRate = (sustainedMailsPerSec: number, fraction: number): number => Math.max(1, round(sustainedMailsPerSec * fraction, 2));

/**
 * Per-ticket order, from what a consumer recorded: rows of (stream, stream version, when handled,
 * in handling order). Returns the streams whose versions did not strictly increase in handling
 * order, and those where two handlings of one stream have the same timestamp (order then unknown).
 */
export const orderViolations = (rows: { stream: string; version: number; at: number }[]): { outOfOrder: string[]; ambiguous: string[] } => {
  const last = new Map<string, { version: number; at: number }>();
  const outOfOrder = new Set<string>();
  const ambiguous = new Set<string>();
  for (const r of rows) {
    const prev = last.get(r.stream);
    if (prev) {
      if (r.version <= prev.version) outOfOrder.add(r.stream);
      if (r.at === prev.at) ambiguous.add(r.stream);
    }
    last.set(r.stream, { version: r.version, at: r.at });
  }
  return { outOfOrder: [...outOfOrder], ambiguous: [...ambiguous] };
};

/**
 * Dates as placeholders show them, in UTC (the account time zone is not part of the view yet).
 * Zendesk leaves out the year for dates in the current year; rendering has no clock of its own, so
 * "now" is passed in (the update's time), and without it the year is always shown.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const parse = (iso: string | undefined): Date | null => {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
};

const pad = (n: number) => String(n).padStart(2, '0');

/** "May 18, 2014", or "May 18" when `now` is in 2014 too. */
export const formatDate = (iso: string, now?: string): string => {
  const d = parse(iso);
  if (!d) return iso;
  const sameYear = parse(now)?.getUTCFullYear() === d.getUTCFullYear();
  return sameYear ? `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}` : `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
};

/** "May 18, 2014 14:03" */
export const formatDateTime = (iso: string, now?: string): string => {
  const d = parse(iso);
  return d ? `${formatDate(iso, now)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : iso;
};

/** ISO 8601, as `_with_timestamp` placeholders give it. */
export const formatTimestamp = (iso: string): string => parse(iso)?.toISOString() ?? iso;

/**
 * Dates as placeholders show them, in UTC (the account time zone is not part of the view yet).
 * Zendesk leaves out the year for dates in the current year; rendering has no clock, so the year is
 * always shown.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const parse = (iso: string): Date | null => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
};

const pad = (n: number) => String(n).padStart(2, '0');

/** "May 18, 2014" */
export const formatDate = (iso: string): string => {
  const d = parse(iso);
  return d ? `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}` : iso;
};

/** "May 18, 2014 14:03" */
export const formatDateTime = (iso: string): string => {
  const d = parse(iso);
  return d ? `${formatDate(iso)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : iso;
};

/** ISO 8601, as `_with_timestamp` placeholders give it. */
export const formatTimestamp = (iso: string): string => parse(iso)?.toISOString() ?? iso;

import { DateTime } from 'luxon';

/** Today's date in the firm's time zone, 'YYYY-MM-DD': trade dates, holding terms and price dates count from it. */
export function todayIn(timeZone: string, at: Date = new Date()): string {
  const today = DateTime.fromJSDate(at).setZone(timeZone).toISODate();
  if (!today) throw new Error(`unknown time zone ${timeZone}`);
  return today;
}

/** The date `days` calendar days before `date`. */
export function daysBefore(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).minus({ days }).toISODate()!;
}

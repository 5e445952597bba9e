import { DateTime, IANAZone } from 'luxon';

/**
 * Business-calendar arithmetic for SLAs. Runs inside Temporal's deterministic workflow sandbox, so it
 * imports only luxon, never reads the clock, and takes and returns epoch milliseconds.
 *
 * Every working interval is turned into real instants with DateTime.fromObject in the calendar's zone,
 * so a day with a DST change is exactly as long as it really is (e.g. a 24/7 desk has a 23-hour day in
 * March and a 25-hour day in November in America/New_York).
 */

export interface WorkingHours {
  /** 'HH:mm' local time. */
  start: string;
  /** 'HH:mm' local time after start; '24:00' means the end of the day. */
  end: string;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface BusinessCalendar {
  id: string;
  name: string;
  /** IANA zone, e.g. 'America/New_York'. */
  timeZone: string;
  /** A day missing (or with no intervals) is closed; several intervals make a lunch break. */
  workingHours: Partial<Record<Weekday, WorkingHours[]>>;
  /** ISO 'YYYY-MM-DD' local dates: the region's public holidays (already expanded) plus one-off closures. */
  closedDates: string[];
}

export type SlaTarget = { unit: 'business_hours' | 'business_days' | 'wall_clock_hours'; amount: number };

export const HOUR_MS = 3_600_000;

/** Luxon's weekday numbering: 1 = Monday ... 7 = Sunday. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A year without a single working minute means the calendar is broken, not that work is slow. */
const MAX_IDLE_DAYS = 366;
/** Hard stop so an absurd duration cannot spin a workflow task forever. */
const MAX_WALK_DAYS = 100 * 366;
const MINUTES_PER_DAY = 24 * 60;

const START_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;
const END_PATTERN = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;
const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Minutes after local midnight, or null when the text is not a valid 'HH:mm' (end may be '24:00'). */
function parseClockTime(text: string, allowEndOfDay: boolean): number | null {
  const match = (allowEndOfDay ? END_PATTERN : START_PATTERN).exec(text);
  if (!match) return null;
  const hours = match[1] ?? match[3];
  const minutes = match[2] ?? match[4];
  return Number(hours) * 60 + Number(minutes);
}

/** Human-readable problems with a calendar; an empty list means it is valid. */
export function validateCalendar(calendar: BusinessCalendar): string[] {
  const problems: string[] = [];
  if (typeof calendar.timeZone !== 'string' || !IANAZone.isValidZone(calendar.timeZone)) {
    problems.push(`time zone '${String(calendar.timeZone)}' is not a known IANA zone`);
  }

  let openDays = 0;
  for (const [day, intervals] of Object.entries(calendar.workingHours ?? {})) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      problems.push(`'${day}' is not a weekday (use ${WEEKDAYS.join(', ')})`);
      continue;
    }
    if (intervals === undefined) continue;
    if (!Array.isArray(intervals)) {
      problems.push(`${day}: working hours must be a list of {start, end} intervals`);
      continue;
    }
    const parsed: Array<{ start: number; end: number; label: string }> = [];
    for (const interval of intervals) {
      const label = `${interval?.start}–${interval?.end}`;
      const start = parseClockTime(String(interval?.start), false);
      const end = parseClockTime(String(interval?.end), true);
      if (start === null) problems.push(`${day} ${label}: start '${interval?.start}' is not HH:mm`);
      if (end === null) problems.push(`${day} ${label}: end '${interval?.end}' is not HH:mm (or 24:00)`);
      if (start === null || end === null) continue;
      if (end <= start) {
        problems.push(`${day} ${label}: end must be after start`);
        continue;
      }
      parsed.push({ start, end, label });
    }
    parsed.sort((a, b) => a.start - b.start);
    for (let i = 1; i < parsed.length; i++) {
      // Touching intervals (12:00–13:00 then 13:00–17:00) are fine; overlaps would count time twice.
      if (parsed[i].start < parsed[i - 1].end) {
        problems.push(`${day}: intervals ${parsed[i - 1].label} and ${parsed[i].label} overlap`);
      }
    }
    if (parsed.length > 0) openDays++;
  }
  if (openDays === 0) problems.push('no day of the week has working hours');

  for (const date of calendar.closedDates ?? []) {
    if (!ISO_DATE_PATTERN.test(date) || !DateTime.fromISO(date, { zone: 'utc' }).isValid) {
      problems.push(`closed date '${date}' is not a valid YYYY-MM-DD date`);
    }
  }
  return problems;
}

/** Minutes-after-midnight intervals per luxon weekday (index 1..7), sorted, plus closed dates as a set. */
interface CompiledCalendar {
  zone: string;
  days: ReadonlyArray<ReadonlyArray<{ start: number; end: number }>>;
  closed: ReadonlySet<string>;
}

function compileCalendar(calendar: BusinessCalendar): CompiledCalendar {
  const problems = validateCalendar(calendar);
  if (problems.length > 0) {
    throw new Error(`Business calendar '${calendar.id}' is invalid: ${problems.join('; ')}`);
  }
  const days = [
    [],
    ...WEEKDAYS.map((day) =>
      (calendar.workingHours[day] ?? [])
        .map((interval) => ({
          start: parseClockTime(interval.start, false) as number,
          end: parseClockTime(interval.end, true) as number,
        }))
        .sort((a, b) => a.start - b.start),
    ),
  ];
  return { zone: calendar.timeZone, days, closed: new Set(calendar.closedDates) };
}

/** The real instant of a local wall time; '24:00' is the next day's midnight. */
function localInstant(zone: string, date: DateTime, minuteOfDay: number): number {
  const day = minuteOfDay === MINUTES_PER_DAY ? date.plus({ days: 1 }) : date;
  const minutes = minuteOfDay % MINUTES_PER_DAY;
  return DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone },
  ).toMillis();
}

interface Interval {
  startMs: number;
  endMs: number;
}

/**
 * Working intervals in time order, clipped so none starts before fromMs. Stops once a local day begins
 * at or after untilMs. Local dates are stepped in UTC so that a DST change never skips or repeats a day.
 */
function* workingIntervals(calendar: BusinessCalendar, fromMs: number, untilMs = Infinity): Generator<Interval> {
  const compiled = compileCalendar(calendar);
  const local = DateTime.fromMillis(fromMs, { zone: compiled.zone });
  let date = DateTime.utc(local.year, local.month, local.day);
  let idleDays = 0;
  for (let walked = 0; ; walked++) {
    if (localInstant(compiled.zone, date, 0) >= untilMs) return;
    if (walked > MAX_WALK_DAYS) {
      throw new Error(`Business calendar '${calendar.id}': walked more than ${MAX_WALK_DAYS} days; duration too large`);
    }
    let found = false;
    if (!compiled.closed.has(date.toISODate() as string)) {
      for (const { start, end } of compiled.days[date.weekday]) {
        const startMs = Math.max(localInstant(compiled.zone, date, start), fromMs);
        const endMs = localInstant(compiled.zone, date, end);
        // A slot inside a spring-forward gap collapses to nothing; skip it.
        if (endMs <= startMs) continue;
        found = true;
        yield { startMs, endMs };
      }
    }
    idleDays = found ? 0 : idleDays + 1;
    if (idleDays > MAX_IDLE_DAYS) {
      throw new Error(
        `Business calendar '${calendar.id}' has no working time for more than ${MAX_IDLE_DAYS} days ` +
          `after ${DateTime.fromMillis(fromMs, { zone: 'utc' }).toISO()}; check its closed dates`,
      );
    }
    date = date.plus({ days: 1 });
  }
}

function assertDuration(durationMs: number): void {
  if (!Number.isFinite(durationMs) || durationMs < 0) {
    throw new RangeError(`duration must be a finite, non-negative number of milliseconds (got ${durationMs})`);
  }
}

/**
 * The instant at which durationMs of working time has elapsed since startMs. A start outside working
 * hours begins counting at the next opening; a zero duration returns startMs unchanged. When the
 * duration runs out exactly at closing time the result is the closing instant, not the next opening.
 */
export function addBusinessTime(calendar: BusinessCalendar, startMs: number, durationMs: number): number {
  assertDuration(durationMs);
  if (durationMs === 0) return startMs;
  let remaining = durationMs;
  for (const { startMs: from, endMs: to } of workingIntervals(calendar, startMs)) {
    if (remaining <= to - from) return from + remaining;
    remaining -= to - from;
  }
  throw new Error('unreachable: workingIntervals is unbounded without untilMs');
}

/**
 * Working milliseconds between two instants. Signed: negative when toMs is before fromMs, so
 * "remaining" can go below zero once a deadline has passed.
 */
export function businessTimeBetween(calendar: BusinessCalendar, fromMs: number, toMs: number): number {
  if (toMs < fromMs) return -businessTimeBetween(calendar, toMs, fromMs);
  let total = 0;
  for (const { startMs, endMs } of workingIntervals(calendar, fromMs, toMs)) {
    if (startMs >= toMs) break;
    total += Math.min(endMs, toMs) - startMs;
  }
  return total;
}

/**
 * Length of a "business day": the total working time of the first open weekday, Monday to Sunday.
 * Calendars with uneven days (a short Friday) thus measure days by their Monday; a fixed rule is
 * easier to explain on an ops board than an average.
 */
export function standardWorkingDayMs(calendar: BusinessCalendar): number {
  const compiled = compileCalendar(calendar);
  const firstOpen = compiled.days.find((intervals) => intervals.length > 0);
  if (!firstOpen) throw new Error(`Business calendar '${calendar.id}' has no open weekday`);
  return firstOpen.reduce((sum, { start, end }) => sum + (end - start) * 60_000, 0);
}

/**
 * A target as an amount of clock time: working time on a calendar, or plain elapsed time when the
 * calendar is null (a wall-clock SLA, where a "business day" is simply 24 hours).
 */
export function targetDurationMs(calendar: BusinessCalendar | null, target: SlaTarget): number {
  switch (target.unit) {
    case 'business_hours':
    case 'wall_clock_hours':
      return target.amount * HOUR_MS;
    case 'business_days':
      return target.amount * (calendar ? standardWorkingDayMs(calendar) : 24 * HOUR_MS);
  }
}

/** addBusinessTime on a calendar, plain addition on the wall clock (null). */
export function addClockTime(calendar: BusinessCalendar | null, startMs: number, durationMs: number): number {
  if (calendar) return addBusinessTime(calendar, startMs, durationMs);
  assertDuration(durationMs);
  return startMs + durationMs;
}

/** businessTimeBetween on a calendar, plain difference on the wall clock (null). */
export function clockTimeBetween(calendar: BusinessCalendar | null, fromMs: number, toMs: number): number {
  return calendar ? businessTimeBetween(calendar, fromMs, toMs) : toMs - fromMs;
}

/**
 * When a target falls due. wall_clock_hours ignores the calendar; business_days counts N standard
 * working days of working time (see standardWorkingDayMs), so 2 business days from Friday 15:00 on a
 * 09:00–17:00 calendar is Tuesday 15:00. A null calendar means the wall clock.
 */
export function computeDeadline(calendar: BusinessCalendar | null, startMs: number, target: SlaTarget): number {
  const clock = target.unit === 'wall_clock_hours' ? null : calendar;
  return addClockTime(clock, startMs, targetDurationMs(clock, target));
}

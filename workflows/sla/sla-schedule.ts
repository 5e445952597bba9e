import {
  addClockTime,
  clockTimeBetween,
  targetDurationMs,
  type BusinessCalendar,
  type SlaTarget,
} from './business-calendar.js';

/**
 * SLA rungs and a pausable SLA clock. Pure and deterministic (workflow sandbox): every function takes
 * `now` as epoch milliseconds and returns new values instead of mutating.
 *
 * "Clock time" below means working time on the policy's business calendar, or plain elapsed time when
 * the SLA runs on the wall clock (calendar null, or a wall_clock_hours target).
 */

/** Positions in the hierarchy a rung may name: filled, when the rung fires, from the process's client's team and office. */
export const POSITIONS = ['team_manager', 'office_manager', 'office_compliance'] as const;
export type Position = (typeof POSITIONS)[number];

export interface SlaRung {
  kind: 'warning' | 'breach' | 'escalation';
  /** Percent of the target; above 100 keeps counting clock time past the deadline. */
  atPercent: number;
  /** Recipient descriptors, opaque here. */
  notify: string[];
}

export interface SlaPolicy {
  id: string;
  processType: string;
  state: string;
  target: SlaTarget;
  /** null = wall clock. */
  calendarId: string | null;
  rungs: SlaRung[];
}

export interface RungDue {
  rung: SlaRung;
  /** Position in policy.rungs, so a workflow can remember which rungs fired even if rungs are unsorted. */
  index: number;
  dueMs: number;
}

/**
 * Pausing stops the clock: the clock time that passes while paused does not count, so after a resume
 * the remaining clock time is exactly what it was at the pause. Both sums are kept because a pause over
 * a night costs no business time but does cost wall time, and people want to see the wall time.
 */
export interface SlaClock {
  readonly startedAtMs: number;
  readonly pausedAtMs: number | null;
  /** Clock time (working time on the calendar) spent in finished pauses. */
  readonly pausedBusinessMs: number;
  /** Wall time spent in finished pauses. */
  readonly pausedWallMs: number;
}

export type SlaState = 'on_track' | 'warning' | 'breached' | 'paused';

export interface SlaStatus {
  /** When 100% falls due; while paused, projected as if the clock resumed at `now`. */
  deadlineMs: number;
  /** Clock time left until 100%; negative once breached. */
  remainingMs: number;
  /** Clock time elapsed as a percent of the target, unrounded and unclamped (may exceed 100). */
  percentElapsed: number;
  paused: boolean;
  /** Wall time spent paused, including a pause still running at `now`. */
  pausedTotalMs: number;
  state: SlaState;
}

const RUNG_KINDS: ReadonlyArray<SlaRung['kind']> = ['warning', 'breach', 'escalation'];
const TARGET_UNITS: ReadonlyArray<SlaTarget['unit']> = ['business_hours', 'business_days', 'wall_clock_hours'];

/** Human-readable problems with a policy; an empty list means it is valid. */
export function validatePolicy(policy: SlaPolicy): string[] {
  const problems: string[] = [];
  if (!TARGET_UNITS.includes(policy.target?.unit)) {
    problems.push(`target unit '${policy.target?.unit}' must be one of ${TARGET_UNITS.join(', ')}`);
  }
  if (!Number.isFinite(policy.target?.amount) || policy.target.amount <= 0) {
    problems.push(`target amount must be a number above 0 (got ${policy.target?.amount})`);
  }
  if (!Array.isArray(policy.rungs) || policy.rungs.length === 0) {
    problems.push('a policy needs at least one rung');
    return problems;
  }
  policy.rungs.forEach((rung, index) => {
    if (!RUNG_KINDS.includes(rung.kind)) {
      problems.push(`rung ${index}: kind '${rung.kind}' must be one of ${RUNG_KINDS.join(', ')}`);
    }
    if (!Number.isFinite(rung.atPercent) || rung.atPercent <= 0) {
      problems.push(`rung ${index}: atPercent must be a number above 0 (got ${rung.atPercent})`);
    }
  });
  return problems;
}

/**
 * The calendar a policy's clock runs on: null (wall clock) for wall_clock_hours targets and for
 * policies without a calendar. Throws when a business policy gets no calendar or the wrong one.
 */
export function policyCalendar(calendar: BusinessCalendar | null, policy: SlaPolicy): BusinessCalendar | null {
  if (policy.target.unit === 'wall_clock_hours' || policy.calendarId === null) return null;
  if (!calendar) throw new Error(`SLA policy '${policy.id}' needs business calendar '${policy.calendarId}'`);
  if (calendar.id !== policy.calendarId) {
    throw new Error(`SLA policy '${policy.id}' runs on calendar '${policy.calendarId}', got '${calendar.id}'`);
  }
  return calendar;
}

function assertValidPolicy(policy: SlaPolicy): void {
  const problems = validatePolicy(policy);
  if (problems.length > 0) throw new Error(`SLA policy '${policy.id}' is invalid: ${problems.join('; ')}`);
}

/**
 * When each rung falls due, sorted by atPercent (ties keep policy order). A rung is due once the clock
 * time elapsed since startMs, minus pausedMs of paused clock time, reaches atPercent of the target.
 */
export function computeRungTimes(
  calendar: BusinessCalendar | null,
  startMs: number,
  policy: SlaPolicy,
  pausedMs = 0,
): RungDue[] {
  assertValidPolicy(policy);
  const clock = policyCalendar(calendar, policy);
  const targetMs = targetDurationMs(clock, policy.target);
  return policy.rungs
    .map((rung, index) => ({ rung, index }))
    .sort((a, b) => a.rung.atPercent - b.rung.atPercent || a.index - b.index)
    .map(({ rung, index }) => ({
      rung,
      index,
      dueMs: addClockTime(clock, startMs, pausedMs + Math.round((targetMs * rung.atPercent) / 100)),
    }));
}

export function startClock(nowMs: number): SlaClock {
  return { startedAtMs: nowMs, pausedAtMs: null, pausedBusinessMs: 0, pausedWallMs: 0 };
}

export function isPaused(clock: SlaClock): boolean {
  return clock.pausedAtMs !== null;
}

/** Pausing a paused clock changes nothing, so a duplicated signal is harmless. */
export function pauseClock(clock: SlaClock, nowMs: number): SlaClock {
  return isPaused(clock) ? clock : { ...clock, pausedAtMs: nowMs };
}

/** Clock time and wall time of the pause running at nowMs (zeros when the clock runs). */
function openPause(
  clock: SlaClock,
  calendar: BusinessCalendar | null,
  nowMs: number,
): { business: number; wall: number } {
  if (clock.pausedAtMs === null) return { business: 0, wall: 0 };
  return {
    business: clockTimeBetween(calendar, clock.pausedAtMs, nowMs),
    wall: nowMs - clock.pausedAtMs,
  };
}

/**
 * Ends the pause, adding its working time on `calendar` and its wall time. Pass the same calendar as
 * to dueTimes/slaStatus (null = wall clock); wall-clock policies use the wall sum, so that is always
 * right. Resuming a running clock changes nothing.
 */
export function resumeClock(clock: SlaClock, calendar: BusinessCalendar | null, nowMs: number): SlaClock {
  if (!isPaused(clock)) return clock;
  const pause = openPause(clock, calendar, nowMs);
  return {
    startedAtMs: clock.startedAtMs,
    pausedAtMs: null,
    pausedBusinessMs: clock.pausedBusinessMs + pause.business,
    pausedWallMs: clock.pausedWallMs + pause.wall,
  };
}

/** Paused clock time that applies on this calendar: wall-clock SLAs shift by wall time. */
function finishedPausesMs(clock: SlaClock, calendar: BusinessCalendar | null): number {
  return calendar ? clock.pausedBusinessMs : clock.pausedWallMs;
}

/** Clock time on the clock's own calendar (null = wall clock) that counts towards the SLA; frozen while paused. */
export function elapsedMs(clock: SlaClock, calendar: BusinessCalendar | null, nowMs: number): number {
  const countedUntil = clock.pausedAtMs ?? nowMs;
  return clockTimeBetween(calendar, clock.startedAtMs, countedUntil) - finishedPausesMs(clock, calendar);
}

/**
 * Rung due instants for a running clock, skipping rungs already fired (indexes into policy.rungs).
 * Throws while paused: a stopped clock has no due times, so a workflow should wait for resume instead.
 */
export function dueTimes(
  clock: SlaClock,
  calendar: BusinessCalendar | null,
  policy: SlaPolicy,
  firedRungIndexes: readonly number[] = [],
): RungDue[] {
  if (isPaused(clock)) throw new Error(`SLA clock for policy '${policy.id}' is paused; resume it first`);
  const clockCalendar = policyCalendar(calendar, policy);
  return computeRungTimes(calendar, clock.startedAtMs, policy, finishedPausesMs(clock, clockCalendar)).filter(
    ({ index }) => !firedRungIndexes.includes(index),
  );
}

/**
 * Where an SLA stands at nowMs. State precedence: breached > paused > warning > on_track. A rung counts
 * as reached when its percent has elapsed or the workflow reports it fired (timers can fire a hair
 * before the arithmetic agrees).
 */
export function slaStatus(
  clock: SlaClock,
  calendar: BusinessCalendar | null,
  policy: SlaPolicy,
  nowMs: number,
  firedRungIndexes: readonly number[] = [],
): SlaStatus {
  assertValidPolicy(policy);
  const clockCalendar = policyCalendar(calendar, policy);
  const targetMs = targetDurationMs(clockCalendar, policy.target);
  const elapsed = elapsedMs(clock, clockCalendar, nowMs);
  const percentElapsed = (elapsed / targetMs) * 100;
  const pause = openPause(clock, clockCalendar, nowMs);
  // The deadline moves with every paused minute, including the pause still running now.
  const deadlineMs = addClockTime(
    clockCalendar,
    clock.startedAtMs,
    finishedPausesMs(clock, clockCalendar) + pause.business + targetMs,
  );

  const reached = policy.rungs.filter(
    (rung, index) => firedRungIndexes.includes(index) || percentElapsed >= rung.atPercent,
  );
  const paused = isPaused(clock);
  let state: SlaState = 'on_track';
  if (percentElapsed >= 100 || reached.some((rung) => rung.kind !== 'warning')) state = 'breached';
  else if (paused) state = 'paused';
  else if (reached.length > 0) state = 'warning';

  return {
    deadlineMs,
    remainingMs: targetMs - elapsed,
    percentElapsed,
    paused,
    pausedTotalMs: clock.pausedWallMs + pause.wall,
    state,
  };
}

import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  businessTimeBetween,
  type BusinessCalendar,
  type WorkingHours,
} from '../../workflows/sla/business-calendar.js';
import {
  computeRungTimes,
  dueTimes,
  elapsedMs,
  pauseClock,
  resumeClock,
  slaStatus,
  startClock,
  validatePolicy,
  type RungDue,
  type SlaPolicy,
} from '../../workflows/sla/sla-schedule.js';

const HOUR = 3_600_000;
const NINE_TO_FIVE: WorkingHours[] = [{ start: '09:00', end: '17:00' }];
const ny: BusinessCalendar = {
  id: 'ny',
  name: 'New York office',
  timeZone: 'America/New_York',
  workingHours: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE },
  closedDates: [],
};

function local(iso: string): number {
  return DateTime.fromISO(iso, { zone: 'America/New_York' }).toMillis();
}

/** [kind, index, UTC ISO] per rung, so one assertion pins order, identity and instant. */
function summarize(rungs: RungDue[]): Array<[string, number, string]> {
  return rungs.map(({ rung, index, dueMs }) => [rung.kind, index, new Date(dueMs).toISOString()]);
}

function policy(overrides: Partial<SlaPolicy> = {}): SlaPolicy {
  return {
    id: 'kyc-review',
    processType: 'account-opening',
    state: 'compliance_review',
    target: { unit: 'business_hours', amount: 8 },
    calendarId: 'ny',
    // Deliberately unsorted: indexes must keep pointing at policy.rungs.
    rungs: [
      { kind: 'breach', atPercent: 100, notify: ['role:compliance-lead'] },
      { kind: 'warning', atPercent: 75, notify: ['assignee'] },
      { kind: 'escalation', atPercent: 150, notify: ['role:head-of-operations'] },
    ],
    ...overrides,
  };
}

const MONDAY_9 = local('2026-10-19T09:00'); // 13:00Z

describe('computeRungTimes', () => {
  it('places rungs at 75/100/150% of 8 business hours, sorted by percent', () => {
    expect(summarize(computeRungTimes(ny, MONDAY_9, policy()))).toEqual([
      ['warning', 1, '2026-10-19T19:00:00.000Z'], // Mon 15:00
      ['breach', 0, '2026-10-19T21:00:00.000Z'], // Mon 17:00
      ['escalation', 2, '2026-10-20T17:00:00.000Z'], // Tue 13:00: past 100% it keeps counting business time
    ]);
  });

  it('handles business days across a weekend', () => {
    const twoDays = policy({ target: { unit: 'business_days', amount: 2 } });
    expect(summarize(computeRungTimes(ny, local('2026-10-16T15:00'), twoDays))).toEqual([
      ['warning', 1, '2026-10-20T15:00:00.000Z'], // 12 h: Tue 11:00
      ['breach', 0, '2026-10-20T19:00:00.000Z'], // 16 h: Tue 15:00
      ['escalation', 2, '2026-10-21T19:00:00.000Z'], // 24 h: Wed 15:00
    ]);
  });

  it('runs on the wall clock for wall_clock_hours targets, whatever calendar is passed', () => {
    const wall = policy({ target: { unit: 'wall_clock_hours', amount: 8 } });
    const friday = local('2026-10-16T15:00'); // 19:00Z
    expect(summarize(computeRungTimes(ny, friday, wall))).toEqual([
      ['warning', 1, '2026-10-17T01:00:00.000Z'],
      ['breach', 0, '2026-10-17T03:00:00.000Z'],
      ['escalation', 2, '2026-10-17T07:00:00.000Z'],
    ]);
  });

  it('runs on the wall clock when the policy has no calendar', () => {
    const noCalendar = policy({ calendarId: null });
    expect(summarize(computeRungTimes(null, local('2026-10-16T15:00'), noCalendar))).toEqual([
      ['warning', 1, '2026-10-17T01:00:00.000Z'],
      ['breach', 0, '2026-10-17T03:00:00.000Z'],
      ['escalation', 2, '2026-10-17T07:00:00.000Z'],
    ]);
  });

  it('shifts every rung by pausedMs of business time', () => {
    expect(summarize(computeRungTimes(ny, MONDAY_9, policy(), 2 * HOUR))).toEqual([
      ['warning', 1, '2026-10-19T21:00:00.000Z'], // Mon 17:00
      ['breach', 0, '2026-10-20T15:00:00.000Z'], // Tue 11:00
      ['escalation', 2, '2026-10-20T19:00:00.000Z'], // Tue 15:00
    ]);
  });

  it('refuses a missing or mismatched calendar and an invalid policy', () => {
    expect(() => computeRungTimes(null, MONDAY_9, policy())).toThrow(/needs business calendar 'ny'/);
    const london = { ...ny, id: 'london' };
    expect(() => computeRungTimes(london, MONDAY_9, policy())).toThrow(/runs on calendar 'ny', got 'london'/);
    expect(() => computeRungTimes(ny, MONDAY_9, policy({ rungs: [] }))).toThrow(/at least one rung/);
  });
});

describe('validatePolicy', () => {
  it('accepts a sound policy', () => {
    expect(validatePolicy(policy())).toEqual([]);
  });

  it('reports a non-positive target, non-positive percents and no rungs', () => {
    expect(
      validatePolicy(
        policy({
          target: { unit: 'business_hours', amount: 0 },
          rungs: [
            { kind: 'warning', atPercent: 0, notify: [] },
            { kind: 'breach', atPercent: -5, notify: [] },
          ],
        }),
      ),
    ).toEqual([
      'target amount must be a number above 0 (got 0)',
      'rung 0: atPercent must be a number above 0 (got 0)',
      'rung 1: atPercent must be a number above 0 (got -5)',
    ]);
    expect(validatePolicy(policy({ rungs: [] }))).toEqual(['a policy needs at least one rung']);
  });
});

describe('SLA clock', () => {
  // Paused Monday 16:00 (7 business hours in), resumed Tuesday 10:00: 18 wall hours, 2 business hours.
  const pausedAt = local('2026-10-19T16:00');
  const resumedAt = local('2026-10-20T10:00');
  const running = startClock(MONDAY_9);
  const paused = pauseClock(running, pausedAt);
  const resumed = resumeClock(paused, ny, resumedAt);

  it('records paused business time and paused wall time separately', () => {
    expect(resumed).toEqual({
      startedAtMs: MONDAY_9,
      pausedAtMs: null,
      pausedBusinessMs: 2 * HOUR,
      pausedWallMs: 18 * HOUR,
    });
  });

  it('pausing twice or resuming a running clock changes nothing', () => {
    expect(pauseClock(paused, pausedAt + HOUR)).toBe(paused);
    expect(resumeClock(running, ny, resumedAt)).toBe(running);
  });

  it('freezes elapsed time while paused', () => {
    expect(elapsedMs(paused, ny, pausedAt)).toBe(7 * HOUR);
    expect(elapsedMs(paused, ny, local('2026-10-20T09:45'))).toBe(7 * HOUR);
    expect(elapsedMs(resumed, ny, local('2026-10-20T10:30'))).toBe(7.5 * HOUR);
  });

  it('a pause of 2 business hours shifts every remaining rung by exactly 2 business hours', () => {
    const before = dueTimes(running, ny, policy(), [1]);
    const after = dueTimes(resumed, ny, policy(), [1]);
    expect(summarize(after)).toEqual([
      ['breach', 0, '2026-10-20T15:00:00.000Z'], // Tue 11:00 instead of Mon 17:00
      ['escalation', 2, '2026-10-20T19:00:00.000Z'], // Tue 15:00 instead of Tue 13:00
    ]);
    expect(after.map((due, i) => businessTimeBetween(ny, before[i].dueMs, due.dueMs))).toEqual([2 * HOUR, 2 * HOUR]);
  });

  it('a wall-clock policy shifts by paused wall time instead', () => {
    const wall = policy({ target: { unit: 'wall_clock_hours', amount: 8 } });
    expect(summarize(dueTimes(resumed, ny, wall))).toEqual([
      ['warning', 1, '2026-10-20T13:00:00.000Z'], // Mon 15:00 + 18 h
      ['breach', 0, '2026-10-20T15:00:00.000Z'],
      ['escalation', 2, '2026-10-20T19:00:00.000Z'],
    ]);
  });

  it('has no due times while paused', () => {
    expect(() => dueTimes(paused, ny, policy())).toThrow(/paused; resume it first/);
  });
});

describe('slaStatus', () => {
  const clock = startClock(MONDAY_9);

  it('is on track early on', () => {
    expect(slaStatus(clock, ny, policy(), local('2026-10-19T14:00'))).toEqual({
      deadlineMs: local('2026-10-19T17:00'),
      remainingMs: 3 * HOUR,
      percentElapsed: 62.5,
      paused: false,
      pausedTotalMs: 0,
      state: 'on_track',
    });
  });

  it('warns once the warning percent has elapsed, or once the workflow says the warning fired', () => {
    expect(slaStatus(clock, ny, policy(), local('2026-10-19T15:30')).state).toBe('warning');
    expect(slaStatus(clock, ny, policy(), local('2026-10-19T14:59')).state).toBe('on_track');
    expect(slaStatus(clock, ny, policy(), local('2026-10-19T14:59'), [1]).state).toBe('warning');
  });

  it('is paused with frozen numbers and a deadline projected from now', () => {
    const paused = pauseClock(clock, local('2026-10-19T16:00'));
    expect(slaStatus(paused, ny, policy(), local('2026-10-19T16:30'))).toEqual({
      // 1 h left, resumed at 16:30: half an hour on Monday, half an hour on Tuesday.
      deadlineMs: local('2026-10-20T09:30'),
      remainingMs: HOUR,
      percentElapsed: 87.5,
      paused: true,
      pausedTotalMs: 0.5 * HOUR,
      state: 'paused',
    });
  });

  it('is breached past 100%, with negative remaining time, even while paused', () => {
    const resumed = resumeClock(pauseClock(clock, local('2026-10-19T16:00')), ny, local('2026-10-20T10:00'));
    expect(slaStatus(resumed, ny, policy(), local('2026-10-20T12:00'))).toEqual({
      deadlineMs: local('2026-10-20T11:00'),
      remainingMs: -HOUR,
      percentElapsed: 112.5,
      paused: false,
      pausedTotalMs: 18 * HOUR,
      state: 'breached',
    });
    const pausedAgain = pauseClock(resumed, local('2026-10-20T12:00'));
    expect(slaStatus(pausedAgain, ny, policy(), local('2026-10-20T13:00')).state).toBe('breached');
  });
});

import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addBusinessTime,
  businessTimeBetween,
  computeDeadline,
  standardWorkingDayMs,
  validateCalendar,
  type BusinessCalendar,
  type WorkingHours,
} from '../../workflows/sla/business-calendar.js';

const HOUR = 3_600_000;
const NINE_TO_FIVE: WorkingHours[] = [{ start: '09:00', end: '17:00' }];

function calendar(overrides: Partial<BusinessCalendar> = {}): BusinessCalendar {
  return {
    id: 'ny',
    name: 'New York office',
    timeZone: 'America/New_York',
    workingHours: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE },
    closedDates: [],
    ...overrides,
  };
}

const ALL_DAY: WorkingHours[] = [{ start: '00:00', end: '24:00' }];
const roundTheClock = calendar({
  id: 'desk-24-7',
  workingHours: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY },
});

/** Local New York wall time → epoch ms. */
function ny(localIso: string): number {
  return DateTime.fromISO(localIso, { zone: 'America/New_York' }).toMillis();
}

function utc(ms: number): string {
  return new Date(ms).toISOString();
}

describe('computeDeadline: business days', () => {
  it('2 business days from Friday 15:00 lands Tuesday 15:00', () => {
    const start = ny('2026-10-16T15:00'); // Friday, EDT
    expect(utc(start)).toBe('2026-10-16T19:00:00.000Z');
    const deadline = computeDeadline(calendar(), start, { unit: 'business_days', amount: 2 });
    expect(utc(deadline)).toBe('2026-10-20T19:00:00.000Z');
  });

  it('a closed Monday pushes it to Wednesday', () => {
    const cal = calendar({ closedDates: ['2026-10-19'] });
    const deadline = computeDeadline(cal, ny('2026-10-16T15:00'), { unit: 'business_days', amount: 2 });
    expect(utc(deadline)).toBe('2026-10-21T19:00:00.000Z');
  });

  it('Thanksgiving (2026-11-26) between start and deadline pushes it a day', () => {
    const start = ny('2026-11-25T15:00'); // Wednesday, EST
    const target = { unit: 'business_days', amount: 2 } as const;
    expect(utc(computeDeadline(calendar(), start, target))).toBe('2026-11-27T20:00:00.000Z');
    const withHoliday = calendar({ closedDates: ['2026-11-26'] });
    expect(utc(computeDeadline(withHoliday, start, target))).toBe('2026-11-30T20:00:00.000Z');
  });

  it('a business day is the working time of the first open weekday, lunch excluded', () => {
    const lunch: WorkingHours[] = [
      { start: '09:00', end: '12:00' },
      { start: '13:00', end: '17:00' },
    ];
    expect(standardWorkingDayMs(calendar({ workingHours: { mon: lunch, fri: NINE_TO_FIVE } }))).toBe(7 * HOUR);
    // Monday closed: Tuesday's short day sets the length.
    const shortTuesday = calendar({ workingHours: { tue: [{ start: '10:00', end: '16:00' }], wed: NINE_TO_FIVE } });
    expect(standardWorkingDayMs(shortTuesday)).toBe(6 * HOUR);
    const sundayOnly = calendar({ workingHours: { sun: [{ start: '08:00', end: '12:30' }] } });
    expect(standardWorkingDayMs(sundayOnly)).toBe(4.5 * HOUR);
  });
});

describe('DST changes (America/New_York 2026-03-08 and 2026-11-01)', () => {
  it('spring forward: Friday 15:00 EST + 2 business days is Tuesday 15:00 EDT, 95 real hours later', () => {
    const start = ny('2026-03-06T15:00');
    const deadline = computeDeadline(calendar(), start, { unit: 'business_days', amount: 2 });
    expect(utc(start)).toBe('2026-03-06T20:00:00.000Z');
    expect(utc(deadline)).toBe('2026-03-10T19:00:00.000Z');
    expect(deadline - start).toBe(95 * HOUR);
  });

  it('fall back: Friday 15:00 EDT + 16 business hours is Tuesday 15:00 EST, 97 real hours later', () => {
    const start = ny('2026-10-30T15:00');
    const deadline = computeDeadline(calendar(), start, { unit: 'business_hours', amount: 16 });
    expect(utc(start)).toBe('2026-10-30T19:00:00.000Z');
    expect(utc(deadline)).toBe('2026-11-03T20:00:00.000Z');
    expect(deadline - start).toBe(97 * HOUR);
  });

  it('a 24/7 calendar counts the real 23-hour and 25-hour days', () => {
    expect(businessTimeBetween(roundTheClock, ny('2026-03-08T00:00'), ny('2026-03-09T00:00'))).toBe(23 * HOUR);
    expect(businessTimeBetween(roundTheClock, ny('2026-11-01T00:00'), ny('2026-11-02T00:00'))).toBe(25 * HOUR);
    // 24 working hours from Saturday noon EST is Sunday 13:00 EDT: exactly 24 real hours.
    const start = ny('2026-03-07T12:00');
    const end = addBusinessTime(roundTheClock, start, 24 * HOUR);
    expect(utc(start)).toBe('2026-03-07T17:00:00.000Z');
    expect(utc(end)).toBe('2026-03-08T17:00:00.000Z');
  });

  it('an interval spanning the skipped hour is one hour shorter', () => {
    const nights = calendar({ workingHours: { sun: [{ start: '01:00', end: '05:00' }] } });
    expect(businessTimeBetween(nights, ny('2026-03-08T00:00'), ny('2026-03-09T00:00'))).toBe(3 * HOUR);
    expect(businessTimeBetween(nights, ny('2026-03-15T00:00'), ny('2026-03-16T00:00'))).toBe(4 * HOUR);
  });
});

describe('addBusinessTime', () => {
  it('a Saturday start begins at Monday opening', () => {
    expect(utc(addBusinessTime(calendar(), ny('2026-10-17T10:00'), HOUR))).toBe('2026-10-19T14:00:00.000Z');
  });

  it('a 20:00 start begins at next morning opening', () => {
    expect(utc(addBusinessTime(calendar(), ny('2026-10-20T20:00'), 2 * HOUR))).toBe('2026-10-21T15:00:00.000Z');
  });

  it('an early-morning start begins at opening the same day', () => {
    expect(utc(addBusinessTime(calendar(), ny('2026-10-20T07:00'), HOUR))).toBe('2026-10-20T14:00:00.000Z');
  });

  it('time running out exactly at closing gives the closing instant, not the next opening', () => {
    expect(utc(addBusinessTime(calendar(), ny('2026-10-16T15:00'), 2 * HOUR))).toBe('2026-10-16T21:00:00.000Z');
  });

  it('a zero duration returns the start unchanged, even outside working hours', () => {
    expect(addBusinessTime(calendar(), ny('2026-10-17T10:00'), 0)).toBe(ny('2026-10-17T10:00'));
  });

  it('skips the lunch break', () => {
    const lunch: WorkingHours[] = [
      { start: '09:00', end: '12:00' },
      { start: '13:00', end: '17:00' },
    ];
    const cal = calendar({ workingHours: { mon: lunch, tue: lunch } });
    expect(utc(addBusinessTime(cal, ny('2026-10-19T11:00'), 2 * HOUR))).toBe('2026-10-19T18:00:00.000Z');
    // A start during lunch begins at 13:00.
    expect(utc(addBusinessTime(cal, ny('2026-10-19T12:30'), HOUR))).toBe('2026-10-19T18:00:00.000Z');
    // One business day (7 h) from Monday 11:00 is Tuesday 11:00.
    expect(utc(computeDeadline(cal, ny('2026-10-19T11:00'), { unit: 'business_days', amount: 1 }))).toBe(
      '2026-10-20T15:00:00.000Z',
    );
  });

  it('rejects negative durations', () => {
    expect(() => addBusinessTime(calendar(), ny('2026-10-19T09:00'), -1)).toThrow(RangeError);
  });

  it('throws clearly instead of looping when no day is open', () => {
    expect(() => addBusinessTime(calendar({ workingHours: {} }), ny('2026-10-19T09:00'), HOUR)).toThrow(
      /no day of the week has working hours/,
    );
  });

  it('throws clearly when closed dates cover more than a year', () => {
    const first = DateTime.utc(2026, 1, 1);
    const closedDates = Array.from({ length: 400 }, (_, i) => first.plus({ days: i }).toISODate() as string);
    expect(() => addBusinessTime(calendar({ closedDates }), ny('2026-01-01T09:00'), HOUR)).toThrow(
      /no working time for more than 366 days/,
    );
  });
});

describe('businessTimeBetween', () => {
  it('counts only working time, and is signed', () => {
    const from = ny('2026-10-16T15:00');
    const to = ny('2026-10-20T15:00');
    expect(businessTimeBetween(calendar(), from, to)).toBe(16 * HOUR);
    expect(businessTimeBetween(calendar(), to, from)).toBe(-16 * HOUR);
  });

  it('is zero within a weekend and skips closed dates and lunch', () => {
    expect(businessTimeBetween(calendar(), ny('2026-10-17T08:00'), ny('2026-10-18T20:00'))).toBe(0);
    const cal = calendar({
      closedDates: ['2026-10-20'],
      workingHours: {
        mon: [
          { start: '09:00', end: '12:00' },
          { start: '13:00', end: '17:00' },
        ],
        tue: NINE_TO_FIVE,
        wed: NINE_TO_FIVE,
      },
    });
    expect(businessTimeBetween(cal, ny('2026-10-19T10:00'), ny('2026-10-19T14:00'))).toBe(3 * HOUR);
    expect(businessTimeBetween(cal, ny('2026-10-19T16:00'), ny('2026-10-21T10:00'))).toBe(2 * HOUR);
  });

  it('is the inverse of addBusinessTime', () => {
    const start = ny('2026-11-25T10:30');
    const cal = calendar({ closedDates: ['2026-11-26'] });
    const end = addBusinessTime(cal, start, 21.5 * HOUR);
    expect(businessTimeBetween(cal, start, end)).toBe(21.5 * HOUR);
  });
});

describe('wall_clock_hours', () => {
  it('ignores working hours, weekends, holidays and DST', () => {
    const cal = calendar({ closedDates: ['2026-10-17'] });
    expect(utc(computeDeadline(cal, ny('2026-10-16T15:00'), { unit: 'wall_clock_hours', amount: 10 }))).toBe(
      '2026-10-17T05:00:00.000Z',
    );
    // Saturday 22:00 EST + 10 h = Sunday 09:00 EDT (the skipped hour is not working time, it just does not exist).
    expect(utc(computeDeadline(cal, ny('2026-03-07T22:00'), { unit: 'wall_clock_hours', amount: 10 }))).toBe(
      '2026-03-08T13:00:00.000Z',
    );
  });

  it('a null calendar runs business targets on the wall clock, 24 h per day', () => {
    const start = ny('2026-10-16T15:00');
    expect(utc(computeDeadline(null, start, { unit: 'business_hours', amount: 8 }))).toBe('2026-10-17T03:00:00.000Z');
    expect(utc(computeDeadline(null, start, { unit: 'business_days', amount: 2 }))).toBe('2026-10-18T19:00:00.000Z');
  });
});

describe('validateCalendar', () => {
  it('accepts a sound calendar', () => {
    expect(validateCalendar(calendar({ closedDates: ['2026-11-26'] }))).toEqual([]);
    expect(validateCalendar(roundTheClock)).toEqual([]);
  });

  it('reports every problem', () => {
    const problems = validateCalendar(
      calendar({
        timeZone: 'Mars/Olympus_Mons',
        workingHours: {
          mon: [{ start: '9:00', end: '17:00' }],
          tue: [{ start: '17:00', end: '09:00' }],
          wed: [
            { start: '09:00', end: '13:00' },
            { start: '12:00', end: '17:00' },
          ],
          thu: [{ start: '09:00', end: '24:30' }],
        },
        closedDates: ['2026-02-30', '26-11-26'],
      }),
    );
    expect(problems).toEqual([
      "time zone 'Mars/Olympus_Mons' is not a known IANA zone",
      "mon 9:00–17:00: start '9:00' is not HH:mm",
      'tue 17:00–09:00: end must be after start',
      'wed: intervals 09:00–13:00 and 12:00–17:00 overlap',
      "thu 09:00–24:30: end '24:30' is not HH:mm (or 24:00)",
      "closed date '2026-02-30' is not a valid YYYY-MM-DD date",
      "closed date '26-11-26' is not a valid YYYY-MM-DD date",
    ]);
  });

  it('reports a calendar with no open day', () => {
    expect(validateCalendar(calendar({ workingHours: { sat: [] } }))).toEqual(['no day of the week has working hours']);
  });

  it('walking functions refuse an invalid calendar', () => {
    const bad = calendar({ timeZone: 'Nowhere/Special' });
    expect(() => businessTimeBetween(bad, 0, HOUR)).toThrow(/Business calendar 'ny' is invalid: time zone/);
  });
});

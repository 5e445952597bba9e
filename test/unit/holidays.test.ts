import { describe, expect, it } from 'vitest';
import { expandHolidays, listSupportedRegions } from '../../db/holidays.js';

describe('expandHolidays', () => {
  it('lists US 2026 public holidays, observed days included, sorted', () => {
    expect(expandHolidays('US', 2026, 2026)).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03', // Independence Day falls on a Saturday: observed Friday
      '2026-07-04',
      '2026-09-07',
      '2026-10-12',
      '2026-11-11',
      '2026-11-26',
      '2026-12-25',
    ]);
  });

  it('includes substitute days (GB-ENG 2027: Christmas and Boxing Day on a weekend)', () => {
    const dates = expandHolidays('GB-ENG', 2027, 2027);
    expect(dates).toEqual(expect.arrayContaining(['2027-12-25', '2027-12-26', '2027-12-27', '2027-12-28']));
    expect(dates).not.toContain('2027-03-28'); // Easter Sunday is an observance
  });

  it('includes state holidays and whole-day bank holidays, not half days or observances', () => {
    const bavaria = expandHolidays('DE-BY', 2026, 2026);
    expect(bavaria).toContain('2026-06-04'); // Fronleichnam, Bavaria only
    expect(bavaria).not.toContain('2026-12-24'); // bank holiday from 14:00 only
    expect(bavaria).not.toContain('2026-02-16'); // Rosenmontag, an observance
    expect(expandHolidays('DE', 2026, 2026)).not.toContain('2026-06-04');
    expect(expandHolidays('IE', 2026, 2026)).toContain('2026-04-03'); // Good Friday: bank holiday
  });

  it('closes every day of a multi-day holiday', () => {
    const dates = expandHolidays('AE', 2026, 2026);
    expect(dates).toEqual(expect.arrayContaining(['2026-03-20', '2026-03-21', '2026-03-22']));
  });

  it('spans several years without duplicates', () => {
    const dates = expandHolidays('CH-ZH', 2026, 2027);
    expect(dates).toContain('2026-08-01');
    expect(dates).toContain('2027-08-01');
    expect(dates[0] >= '2026-01-01' && dates[dates.length - 1] <= '2027-12-31').toBe(true);
    expect(new Set(dates).size).toBe(dates.length);
    expect([...dates].sort()).toEqual(dates);
  });

  it('accepts codes in any case', () => {
    expect(expandHolidays('gb-eng', 2027, 2027)).toEqual(expandHolidays('GB-ENG', 2027, 2027));
  });

  it('throws naming an unknown region', () => {
    expect(() => expandHolidays('XX', 2026, 2026)).toThrow("Unknown holiday region 'XX'");
    expect(() => expandHolidays('US-ZZ', 2026, 2026)).toThrow("Unknown holiday region 'US-ZZ'");
    expect(() => expandHolidays('DE-BY-NOPE', 2026, 2026)).toThrow("Unknown holiday region 'DE-BY-NOPE'");
  });

  it('rejects an inverted year range', () => {
    expect(() => expandHolidays('US', 2027, 2026)).toThrow(RangeError);
  });
});

describe('listSupportedRegions', () => {
  it('lists countries, sorted by code', () => {
    const countries = listSupportedRegions();
    expect(countries).toContainEqual({ code: 'US', name: 'United States of America' });
    expect(countries.map((c) => c.code)).toEqual(countries.map((c) => c.code).sort());
  });

  it("lists a country's states as codes expandHolidays accepts", () => {
    expect(listSupportedRegions('GB')).toContainEqual({ code: 'GB-ENG', name: 'England' });
  });
});

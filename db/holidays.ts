import Holidays, { type HolidaysTypes } from 'date-holidays';
import { DateTime } from 'luxon';

/**
 * Public-holiday expansion for business calendars (Node side only: date-holidays is too big for the
 * workflow sandbox, so workers expand holidays into BusinessCalendar.closedDates).
 *
 * Which days count as closed:
 * - type 'public', including substitute/observed days (date-holidays emits those as their own entries,
 *   e.g. US 2026-07-03 for Independence Day on a Saturday): the office is closed then.
 * - type 'bank' too, in every country that has them ("banks and offices are closed" in date-holidays'
 *   terms: IE Good Friday, JP 1/2–1/3, SE/FI Christmas Eve...). A wealth-management office follows the
 *   banks.
 * - but only whole-day entries: date-holidays marks half days with a start time (DE/AT Christmas Eve
 *   from 14:00, CN Women's Day from 12:00). A closed date closes the whole day, so counting those would
 *   steal the working morning; add them as one-off closures if a firm really shuts.
 * - 'optional', 'school' and 'observance' are not days off.
 * Multi-day entries (e.g. three days of Eid) close every day they cover.
 */

const CLOSED_TYPES: HolidaysTypes.HolidayType[] = ['public', 'bank'];
const DAY_MS = 86_400_000;

interface RegionCode {
  country: string;
  state?: string;
  region?: string;
}

/** Lists' keys are upper case ('US', 'ENG', 'BY'); match the caller's code without regard to case. */
function findKey(list: Record<string, string> | undefined, code: string): string | undefined {
  return Object.keys(list ?? {}).find((key) => key.toUpperCase() === code.toUpperCase());
}

/**
 * 'DE-BY-A' → { country: 'DE', state: 'BY', region: 'A' }, checked against date-holidays' lists,
 * because its init() silently accepts unknown codes (falling back to the country, or to nothing).
 */
function parseRegion(code: string): RegionCode {
  const unknown = (why: string) => new Error(`Unknown holiday region '${code}': ${why}`);
  const [countryPart, statePart, regionPart, ...rest] = code.trim().split('-');
  if (!countryPart || rest.length > 0) throw unknown("expected 'CC', 'CC-STATE' or 'CC-STATE-REGION'");
  const directory = new Holidays();
  const country = findKey(directory.getCountries(), countryPart);
  if (!country) throw unknown(`date-holidays does not know country '${countryPart}'`);
  if (statePart === undefined) return { country };
  const state = findKey(directory.getStates(country), statePart);
  if (!state) throw unknown(`date-holidays does not know state '${statePart}' in ${country}`);
  if (regionPart === undefined) return { country, state };
  const region = findKey(directory.getRegions(country, state), regionPart);
  if (!region) throw unknown(`date-holidays does not know region '${regionPart}' in ${country}-${state}`);
  return { country, state, region };
}

/** The local dates a whole-day holiday closes; none for a part-day one. */
function closedDatesOf(holiday: HolidaysTypes.Holiday): string[] {
  // `date` is "YYYY-MM-DD hh:mm:ss", sometimes with an offset for holidays that begin at sunset the day
  // before ("2026-03-20 00:00:00 -0600"); the local date and time-of-day are what matter here.
  const [day, time] = holiday.date.split(' ');
  if (time !== '00:00:00') return [];
  const days = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / DAY_MS));
  const first = DateTime.fromISO(day, { zone: 'utc' });
  return Array.from({ length: days }, (_, offset) => first.plus({ days: offset }).toISODate() as string);
}

/**
 * ISO local dates ('YYYY-MM-DD') on which offices in a region are closed for holidays, from fromYear
 * to toYear inclusive, sorted and deduplicated. `region` is a date-holidays code: 'US', 'GB-ENG',
 * 'DE-BY', 'CH-ZH'... Throws naming the region when date-holidays does not know it.
 */
export function expandHolidays(region: string, fromYear: number, toYear: number): string[] {
  if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || fromYear > toYear) {
    throw new RangeError(`expected whole years with fromYear <= toYear (got ${fromYear}..${toYear})`);
  }
  const holidays = new Holidays(parseRegion(region), { types: CLOSED_TYPES });
  const from = `${fromYear}-01-01`;
  const to = `${toYear}-12-31`;
  const dates = new Set<string>();
  // Start a year early: a multi-day holiday beginning on 30 December runs into fromYear.
  for (let year = fromYear - 1; year <= toYear; year++) {
    for (const holiday of holidays.getHolidays(year)) {
      if (!CLOSED_TYPES.includes(holiday.type)) continue;
      for (const date of closedDatesOf(holiday)) if (date >= from && date <= to) dates.add(date);
    }
  }
  return [...dates].sort();
}

export interface SupportedRegion {
  /** A code expandHolidays accepts, e.g. 'US' or 'GB-ENG'. */
  code: string;
  /** English name where date-holidays has one. */
  name: string;
}

/** Countries date-holidays knows, or the states of one country ('GB' → 'GB-ENG', 'GB-SCT'...), sorted by code. */
export function listSupportedRegions(country?: string): SupportedRegion[] {
  const directory = new Holidays();
  let entries: Array<[string, string]>;
  if (country === undefined) {
    entries = Object.entries(directory.getCountries('en'));
  } else {
    const code = parseRegion(country).country;
    entries = Object.entries(directory.getStates(code, 'en') ?? {}).map(([state, name]) => [`${code}-${state}`, name]);
  }
  return entries
    .map(([code, name]) => ({ code, name }))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

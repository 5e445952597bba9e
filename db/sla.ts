import { expandHolidays } from './holidays.js';
import type { BusinessCalendar, WorkingHours, Weekday } from '../workflows/sla/business-calendar.js';
import type { SlaPolicy, SlaRung } from '../workflows/sla/sla-schedule.js';
import type { LoadedSlaPolicy } from '../workflows/sla/sla-tracker.js';
import type { ProcessSpec } from '../workflows/process-spec.js';
import { toWireNumber } from '../workflows/money.js';
import type { Queryable, Sql } from './client.js';
import { officeCalendarOfClient } from './hierarchy.js';
import { getSetting } from './settings.js';

export interface CalendarRow {
  id: string;
  name: string;
  time_zone: string;
  working_hours: Partial<Record<Weekday, WorkingHours[]>>;
  holiday_region: string | null;
  closures: string[];
  updated_by: string | null;
  updated_at: string;
}

export interface PolicyRow {
  id: string;
  process_type: string;
  state: string;
  target_unit: SlaPolicy['target']['unit'];
  target_amount: number;
  calendar_id: string | null;
  rungs: SlaRung[];
  active: boolean;
  updated_by: string | null;
  updated_at: string;
}

export function toPolicy(row: PolicyRow): SlaPolicy {
  return {
    id: row.id,
    processType: row.process_type,
    state: row.state,
    target: { unit: row.target_unit, amount: row.target_amount },
    calendarId: row.calendar_id,
    rungs: row.rungs,
  };
}

/** The calendar as the pure math wants it, with the region's holidays already expanded to dates. */
export function toCalendar(row: CalendarRow, holidays: string[]): BusinessCalendar {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    workingHours: row.working_hours,
    closedDates: [...new Set([...holidays, ...row.closures])].sort(),
  };
}

/** target_amount is numeric, which arrives as its exact text; the policy carries it as a number. */
function policyRowOf(row: Record<string, unknown> | undefined): PolicyRow | undefined {
  return row && ({ ...row, target_amount: toWireNumber(row.target_amount as string) } as PolicyRow);
}

export async function activePolicyFor(
  db: Queryable,
  processType: string,
  state: string,
): Promise<PolicyRow | undefined> {
  const [row] =
    await db`SELECT * FROM sla_policies WHERE process_type = ${processType} AND state = ${state} AND active`;
  return policyRowOf(row);
}

export async function listPolicies(db: Queryable): Promise<PolicyRow[]> {
  return (await db`SELECT * FROM sla_policies ORDER BY process_type, state, id`).map((row) => policyRowOf(row)!);
}

export async function getPolicy(db: Queryable, id: string): Promise<PolicyRow | undefined> {
  const [row] = await db`SELECT * FROM sla_policies WHERE id = ${id}`;
  return policyRowOf(row);
}

export async function getCalendar(db: Queryable, id: string): Promise<CalendarRow | undefined> {
  const [row] = await db`SELECT * FROM business_calendars WHERE id = ${id}`;
  return row as CalendarRow | undefined;
}

/** A process whose running SLA clock counts on this calendar, if any. */
export async function processWithClockOn(db: Queryable, calendarId: string): Promise<string | undefined> {
  const [row] = await db`SELECT process_id FROM processes WHERE sla ->> 'calendar_id' = ${calendarId} LIMIT 1`;
  return row?.process_id as string | undefined;
}

export async function listCalendars(db: Queryable): Promise<CalendarRow[]> {
  return (await db`SELECT * FROM business_calendars ORDER BY id`) as unknown as CalendarRow[];
}

export async function upsertPolicy(db: Queryable, row: Omit<PolicyRow, 'updated_at'>): Promise<PolicyRow> {
  const [stored] = await db`
    INSERT INTO sla_policies (id, process_type, state, target_unit, target_amount, calendar_id, rungs, active, updated_by, updated_at)
    VALUES (${row.id}, ${row.process_type}, ${row.state}, ${row.target_unit}, ${row.target_amount}, ${row.calendar_id},
            ${db.json(row.rungs as never)}, ${row.active}, ${row.updated_by}, now())
    ON CONFLICT (id) DO UPDATE SET process_type = EXCLUDED.process_type, state = EXCLUDED.state, target_unit = EXCLUDED.target_unit,
      target_amount = EXCLUDED.target_amount, calendar_id = EXCLUDED.calendar_id, rungs = EXCLUDED.rungs, active = EXCLUDED.active,
      updated_by = EXCLUDED.updated_by, updated_at = now()
    RETURNING *`;
  return policyRowOf(stored)!;
}

export async function upsertCalendar(db: Queryable, row: Omit<CalendarRow, 'updated_at'>): Promise<CalendarRow> {
  const [stored] = await db`
    INSERT INTO business_calendars (id, name, time_zone, working_hours, holiday_region, closures, updated_by, updated_at)
    VALUES (${row.id}, ${row.name}, ${row.time_zone}, ${db.json(row.working_hours as never)}, ${row.holiday_region},
            ${db.array(row.closures)}, ${row.updated_by}, now())
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone, working_hours = EXCLUDED.working_hours,
      holiday_region = EXCLUDED.holiday_region, closures = EXCLUDED.closures, updated_by = EXCLUDED.updated_by, updated_at = now()
    RETURNING *`;
  return stored as CalendarRow;
}

const holidayCache = new Map<string, string[]>();

/** The region's holidays for the year before to the year after `aroundYear`, computed once per process. */
function holidaysAround(region: string | null, aroundYear: number): string[] {
  if (!region) return [];
  const key = `${region}:${aroundYear}`;
  let dates = holidayCache.get(key);
  if (!dates) {
    dates = expandHolidays(region, aroundYear - 1, aroundYear + 1);
    holidayCache.set(key, dates);
  }
  return dates;
}

export async function resolveCalendar(
  db: Queryable,
  calendarId: string | null,
  at: Date,
): Promise<BusinessCalendar | null> {
  if (!calendarId) return null;
  const row = await getCalendar(db, calendarId);
  if (!row) throw new Error(`business calendar ${calendarId} does not exist`);
  return toCalendar(row, holidaysAround(row.holiday_region, at.getUTCFullYear()));
}

/**
 * What a workflow needs to start the clock of a state: the active policy and its calendar, or null. A
 * business-time policy that names no calendar runs on the calendar of the client's office, or the firm's
 * when the client has no office (or no client is given); the loaded policy names the one chosen.
 */
export async function loadSlaPolicy(
  db: Queryable,
  processType: string,
  state: string,
  at: Date,
  clientId: string | null = null,
): Promise<LoadedSlaPolicy | null> {
  const row = await activePolicyFor(db, processType, state);
  if (!row) return null;
  const calendarId =
    row.calendar_id ??
    (row.target_unit === 'wall_clock_hours'
      ? null
      : ((await officeCalendarOfClient(db, clientId)) ?? FIRM_CALENDAR_ID));
  return { policy: { ...toPolicy(row), calendarId }, calendar: await resolveCalendar(db, calendarId, at) };
}

/** The calendar of a process without an office, and the rungs default policies start with: admins change both. */
export const FIRM_CALENDAR_ID = 'us-new-york';
export const DEFAULT_RUNGS: SlaRung[] = [
  { kind: 'warning', atPercent: 75, notify: ['assignee'] },
  { kind: 'breach', atPercent: 100, notify: ['role:manager'] },
  { kind: 'escalation', atPercent: 150, notify: ['role:manager', 'role:admin'] },
];

export const defaultPolicyId = (processType: string, state: string) => `${processType}-${state}`.replace(/_/g, '-');

/**
 * Gives every SLA a process spec declares a policy, once: a default an admin later deletes stays deleted,
 * because the ids already seeded are remembered in settings.
 */
export async function ensureDefaultSlaPolicies(sql: Sql, specs: readonly ProcessSpec[]): Promise<string[]> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext('default SLA policies'))`;
    const seeded = new Set(await getSetting<string[]>(tx, 'sla_defaults_seeded', []));
    const added: string[] = [];
    for (const spec of specs) {
      for (const sla of spec.slas) {
        const id = defaultPolicyId(spec.processType, sla.state);
        if (seeded.has(id)) continue;
        await tx`
          INSERT INTO sla_policies (id, process_type, state, target_unit, target_amount, calendar_id, rungs, updated_by)
          SELECT ${id}, ${spec.processType}, ${sla.state}, ${sla.maxDuration.unit}, ${sla.maxDuration.amount},
                 NULL, ${tx.json(DEFAULT_RUNGS as never)}, 'system'
          WHERE NOT EXISTS (SELECT 1 FROM sla_policies WHERE process_type = ${spec.processType} AND state = ${sla.state} AND active)
          ON CONFLICT (id) DO NOTHING`;
        seeded.add(id);
        added.push(id);
      }
    }
    if (added.length) {
      await tx`
        INSERT INTO settings (key, value, updated_by) VALUES ('sla_defaults_seeded', ${tx.json([...seeded] as never)}, 'system')
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`;
    }
    return added;
  });
}

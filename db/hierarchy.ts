import type { Scope } from '../workflows/policy.js';
import type { Position } from '../workflows/sla/sla-schedule.js';
import type { Queryable } from './client.js';

/** The firm's hierarchy: offices, their teams, who belongs where, and who holds which position. */

export interface OfficeRow {
  id: string;
  name: string;
  time_zone: string;
  calendar_id: string | null;
  manager_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface TeamRow {
  id: string;
  office_id: string;
  name: string;
  manager_id: string | null;
  created_at: string;
  updated_at: string;
}

export type OfficeFields = Pick<OfficeRow, 'name' | 'time_zone' | 'calendar_id' | 'manager_id'>;
export type TeamFields = Pick<TeamRow, 'office_id' | 'name' | 'manager_id'>;

/** Where a user belongs: a team, an office, or neither (the whole firm). */
export interface UserPlace {
  team_id: string | null;
  office_id: string | null;
}

/** NOTIFY channel: someone or something moved, so every server node re-reads its sockets' scopes. */
export const HIERARCHY_CHANGED_CHANNEL = 'hierarchy_changed';

export async function listOffices(db: Queryable): Promise<OfficeRow[]> {
  return (await db`SELECT * FROM offices ORDER BY name`) as unknown as OfficeRow[];
}

/** The rows of offices and teams are read, added and edited alike. */
type UnitTable = 'offices' | 'teams';

async function getUnit<T>(db: Queryable, table: UnitTable, id: string): Promise<T | undefined> {
  const [row] = await db`SELECT * FROM ${db(table)} WHERE id = ${id}`;
  return row as T | undefined;
}

async function insertUnit<T>(db: Queryable, table: UnitTable, id: string, fields: object): Promise<T> {
  const [row] = await db`INSERT INTO ${db(table)} ${db({ id, ...fields })} RETURNING *`;
  return row as T;
}

/** Sets the fields given (undefined ones stay as they are) and answers the row as it now stands. */
async function updateUnit<T>(db: Queryable, table: UnitTable, id: string, fields: object): Promise<T> {
  const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  const [row] = Object.keys(set).length
    ? await db`UPDATE ${db(table)} SET ${db(set)}, updated_at = now() WHERE id = ${id} RETURNING *`
    : await db`SELECT * FROM ${db(table)} WHERE id = ${id}`;
  return row as T;
}

export const getOffice = (db: Queryable, id: string) => getUnit<OfficeRow>(db, 'offices', id);
export const insertOffice = (db: Queryable, id: string, fields: OfficeFields) =>
  insertUnit<OfficeRow>(db, 'offices', id, fields);
export const updateOffice = (db: Queryable, id: string, fields: Partial<OfficeFields>) =>
  updateUnit<OfficeRow>(db, 'offices', id, fields);

export async function listTeams(db: Queryable, officeId?: string): Promise<TeamRow[]> {
  return (await db`
    SELECT * FROM teams ${officeId ? db`WHERE office_id = ${officeId}` : db``} ORDER BY office_id, name`) as unknown as TeamRow[];
}

export const getTeam = (db: Queryable, id: string) => getUnit<TeamRow>(db, 'teams', id);
export const insertTeam = (db: Queryable, id: string, fields: TeamFields) =>
  insertUnit<TeamRow>(db, 'teams', id, fields);

/** Edits a team; a team moved to another office takes its processes with it. */
export async function updateTeam(db: Queryable, id: string, fields: Partial<TeamFields>): Promise<TeamRow> {
  const row = await updateUnit<TeamRow>(db, 'teams', id, fields);
  if (fields.office_id) await db`UPDATE processes SET office_id = ${fields.office_id} WHERE team_id = ${id}`;
  return row;
}

export async function getUserPlace(db: Queryable, userId: string): Promise<UserPlace | undefined> {
  const [row] = await db`SELECT team_id, office_id FROM users WHERE id = ${userId}`;
  return row as UserPlace | undefined;
}

export async function setUserPlace(db: Queryable, userId: string, place: UserPlace): Promise<void> {
  await db`UPDATE users SET team_id = ${place.team_id}, office_id = ${place.office_id}, updated_at = now() WHERE id = ${userId}`;
}

/** Moves a client to a team (or out of every team); their processes move with them at once. */
export async function setClientTeam(db: Queryable, clientId: string, teamId: string | null): Promise<string[]> {
  await db`UPDATE clients SET team_id = ${teamId}, updated_at = now() WHERE id = ${clientId}`;
  const moved = await db`
    UPDATE processes SET team_id = ${teamId}, office_id = (SELECT office_id FROM teams WHERE id = ${teamId})
    WHERE client_id = ${clientId}
    RETURNING process_id`;
  return moved.map((r) => r.process_id as string);
}

export async function announceHierarchyChange(db: Queryable): Promise<void> {
  await db`SELECT pg_notify(${HIERARCHY_CHANGED_CHANNEL}, '')`;
}

/** The scopes of these users now (absent: the whole firm), for sockets to re-read after a move. */
export async function scopesOf(db: Queryable, userIds: readonly string[]): Promise<Map<string, Scope | undefined>> {
  const rows = await db`
    SELECT u.id, u.team_id, coalesce(u.office_id, t.office_id) AS office_id
    FROM users u LEFT JOIN teams t ON t.id = u.team_id
    WHERE u.id = ANY(${[...userIds]})`;
  return new Map(
    rows.map((r) => [
      r.id as string,
      r.office_id ? { office_id: r.office_id as string, team_id: (r.team_id as string | null) ?? null } : undefined,
    ]),
  );
}

/**
 * Who holds each position for a client now: their team's manager, their office's manager, and the compliance
 * officers of that office. A position nobody holds maps to no one.
 */
export async function positionHolders(
  db: Queryable,
  clientId: string | null,
  positions: readonly Position[],
): Promise<Record<Position, string[]>> {
  const held: Record<Position, string[]> = { team_manager: [], office_manager: [], office_compliance: [] };
  if (!clientId || positions.length === 0) return held;
  const [row] = await db`
    SELECT t.manager_id AS team_manager, o.manager_id AS office_manager,
           coalesce((SELECT array_agg(u.id ORDER BY u.id) FROM users u
                     WHERE u.role = 'compliance_officer' AND u.active AND u.office_id = o.id), '{}') AS office_compliance
    FROM clients c JOIN teams t ON t.id = c.team_id JOIN offices o ON o.id = t.office_id
    WHERE c.id = ${clientId}`;
  if (!row) return held;
  for (const position of positions) {
    const value = row[position] as string | string[] | null;
    held[position] = value === null ? [] : Array.isArray(value) ? value : [value];
  }
  return held;
}

/** The business calendar of a client's office, if the client has a team and its office a calendar. */
export async function officeCalendarOfClient(db: Queryable, clientId: string | null): Promise<string | null> {
  if (!clientId) return null;
  const [row] = await db`
    SELECT o.calendar_id FROM clients c JOIN teams t ON t.id = c.team_id JOIN offices o ON o.id = t.office_id
    WHERE c.id = ${clientId}`;
  return (row?.calendar_id as string | null | undefined) ?? null;
}

/** The active users of a role whose scope covers a process (no scope covers everything). */
export async function usersOfRoleCovering(db: Queryable, role: string, processId: string | null): Promise<string[]> {
  const rows = await db`
    SELECT u.id FROM users u
    LEFT JOIN processes p ON p.process_id = ${processId}
    WHERE u.role = ${role} AND u.active
      AND (u.role = 'admin'
           OR (u.team_id IS NULL AND u.office_id IS NULL)
           OR (u.team_id IS NOT NULL AND u.team_id = p.team_id)
           OR (u.team_id IS NULL AND u.office_id = p.office_id))`;
  return rows.map((r) => r.id as string);
}

/**
 * The active compliance officer with the fewest applications in review among those who may see the client's
 * processes: officers of the client's office first, then the firm's; ties go to the lowest id.
 */
export async function leastLoadedOfficerFor(db: Queryable, clientId: string | null): Promise<string | null> {
  const [officer] = await db`
    WITH place AS (
      SELECT c.team_id, t.office_id FROM clients c LEFT JOIN teams t ON t.id = c.team_id WHERE c.id = ${clientId}
    )
    SELECT u.id
    FROM users u
    LEFT JOIN place ON true
    LEFT JOIN processes p ON p.assigned_user_id = u.id AND p.status = 'compliance_review'
    WHERE u.role = 'compliance_officer' AND u.active
      AND ((u.office_id IS NULL AND u.team_id IS NULL) OR u.office_id = place.office_id OR u.team_id = place.team_id)
    GROUP BY u.id, u.office_id, u.team_id
    ORDER BY (u.office_id IS NULL AND u.team_id IS NULL), count(p.process_id), u.id
    LIMIT 1`;
  return (officer?.id as string | undefined) ?? null;
}

export async function officeOnCalendar(db: Queryable, calendarId: string): Promise<string | undefined> {
  const [row] = await db`SELECT name FROM offices WHERE calendar_id = ${calendarId} ORDER BY name LIMIT 1`;
  return row?.name as string | undefined;
}

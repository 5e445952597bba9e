import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { getClient } from '../db/catalog.js';
import type { Queryable, Sql } from '../db/client.js';
import {
  announceHierarchyChange,
  getOffice,
  getTeam,
  getUserPlace,
  insertOffice,
  insertTeam,
  listOffices,
  listTeams,
  setClientTeam,
  setUserPlace,
  updateOffice,
  updateTeam,
  type OfficeFields,
  type TeamFields,
  type UserPlace,
} from '../db/hierarchy.js';
import { getCalendar } from '../db/sla.js';
import { getUser } from '../db/users.js';
import { HubError } from '../workflows/errors.js';
import { mayManageSettings } from '../workflows/policy.js';
import type { Actor } from '../workflows/process-records.js';
import { auditChange, auditedWork, requireAdmin, type Subject } from './admin-access.js';

/**
 * The firm's hierarchy as administrators maintain it: offices, teams, and who (staff and clients) belongs
 * where. Every change is audited with what it was and became, and announced so every server node re-reads
 * its sockets' scopes at once; a client's move carries their processes along in the same transaction.
 */
export function createAdminHierarchy({ sql }: { sql: Sql }) {
  const office = (id: string | null): Subject => ({ type: 'office', id });
  const team = (id: string | null): Subject => ({ type: 'team', id });

  /** A unique name taken by a concurrent writer is the same refusal as one found taken beforehand. */
  async function storing<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof postgres.PostgresError && error.code === '23505') throw new HubError('NAME_TAKEN');
      throw error;
    }
  }

  async function officeOrThrow(db: Queryable, id: string, field?: string) {
    const found = await getOffice(db, id);
    if (!found)
      throw new HubError(
        'OFFICE_NOT_FOUND',
        `${field ? `${field}: ` : ''}no office ${id}`,
        field ? { field } : undefined,
      );
    return found;
  }

  async function teamOrThrow(db: Queryable, id: string, field?: string) {
    const found = await getTeam(db, id);
    if (!found)
      throw new HubError('TEAM_NOT_FOUND', `${field ? `${field}: ` : ''}no team ${id}`, field ? { field } : undefined);
    return found;
  }

  async function checkCalendar(calendarId: string | null | undefined) {
    if (calendarId && !(await getCalendar(sql, calendarId)))
      throw new HubError('VALIDATION_FAILED', `calendar_id: no business calendar ${calendarId}`, {
        field: 'calendar_id',
      });
  }

  /** A position is held by an active manager: the escalations that name it go to them. */
  async function checkManager(managerId: string | null | undefined) {
    if (!managerId) return;
    const user = await getUser(sql, managerId);
    if (!user || user.role !== 'manager')
      throw new HubError('VALIDATION_FAILED', `manager_id: ${managerId} is not an active manager`, {
        field: 'manager_id',
      });
  }

  /**
   * One change to an office or team: administrators only, refusals audited; the checks, then the write and its
   * audit row (what it was and became) in one transaction. `subject` is what a refusal names, `written` the row.
   */
  async function changeUnit<T>(
    actor: Actor,
    action: string,
    subject: Subject,
    written: Subject,
    work: {
      check: () => Promise<T | null>;
      write: (tx: Queryable) => Promise<T>;
      after?: (tx: Queryable, before: T | null) => Promise<void>;
    },
  ): Promise<T> {
    await requireAdmin(sql, actor, 'manage_hierarchy', subject, { operation: action });
    return auditedWork(sql, actor, action, subject, async () => {
      const before = await work.check();
      return storing(() =>
        sql.begin(async (tx) => {
          const after = await work.write(tx);
          await auditChange(tx, actor, action, written, before, after);
          await work.after?.(tx, before);
          return after;
        }),
      ) as Promise<T>;
    });
  }

  return {
    /** Offices and teams, for everyone on staff: the board's filters are built from it. */
    async overview(actor: Actor) {
      if (!mayManageSettings(actor, 'read')) {
        await requireAdmin(sql, actor, 'manage_hierarchy', office(null), { operation: 'overview' });
      }
      return { offices: await listOffices(sql), teams: await listTeams(sql) };
    },

    createOffice(actor: Actor, fields: OfficeFields) {
      const id = `off_${randomBytes(6).toString('hex')}`;
      return changeUnit(actor, 'create_office', office(null), office(id), {
        check: async () => {
          await checkCalendar(fields.calendar_id);
          await checkManager(fields.manager_id);
          return null;
        },
        write: (tx) => insertOffice(tx, id, fields),
      });
    },

    /** A new manager holds the position from now on: escalations that fire later go to them. */
    updateOffice(actor: Actor, id: string, fields: Partial<OfficeFields>) {
      return changeUnit(actor, 'update_office', office(id), office(id), {
        check: async () => {
          const before = await officeOrThrow(sql, id);
          await checkCalendar(fields.calendar_id);
          await checkManager(fields.manager_id);
          return before;
        },
        write: (tx) => updateOffice(tx, id, fields),
      });
    },

    createTeam(actor: Actor, fields: TeamFields) {
      const id = `team_${randomBytes(6).toString('hex')}`;
      return changeUnit(actor, 'create_team', team(null), team(id), {
        check: async () => {
          await officeOrThrow(sql, fields.office_id, 'office_id');
          await checkManager(fields.manager_id);
          return null;
        },
        write: (tx) => insertTeam(tx, id, fields),
      });
    },

    /** Renames a team, names its manager, or moves it (with its processes) to another office. */
    updateTeam(actor: Actor, id: string, fields: Partial<TeamFields>) {
      return changeUnit(actor, 'update_team', team(id), team(id), {
        check: async () => {
          const before = await teamOrThrow(sql, id);
          if (fields.office_id) await officeOrThrow(sql, fields.office_id, 'office_id');
          await checkManager(fields.manager_id);
          return before;
        },
        write: (tx) => updateTeam(tx, id, fields),
        after: async (tx, before) => {
          if (fields.office_id && fields.office_id !== before?.office_id) await announceHierarchyChange(tx);
        },
      });
    },

    /** Places a member of staff in a team, an office, or (both null) the whole firm; their scope changes at once. */
    async placeUser(actor: Actor, userId: string, place: UserPlace) {
      const subject: Subject = { type: 'user', id: userId };
      await requireAdmin(sql, actor, 'manage_hierarchy', subject, { operation: 'place_user' });
      return auditedWork(sql, actor, 'place_user', subject, async () => {
        const user = await getUser(sql, userId);
        if (!user) throw new HubError('USER_NOT_FOUND', `No active user ${userId}`);
        if (user.role === 'client')
          throw new HubError('VALIDATION_FAILED', 'user_id: clients belong to a team through their client record', {
            field: 'user_id',
          });
        if (place.team_id) await teamOrThrow(sql, place.team_id, 'team_id');
        if (place.office_id) await officeOrThrow(sql, place.office_id, 'office_id');
        return sql.begin(async (tx) => {
          const before = await getUserPlace(tx, userId);
          await setUserPlace(tx, userId, place);
          await auditChange(tx, actor, 'place_user', subject, before, place);
          await announceHierarchyChange(tx);
          return { user_id: userId, ...place };
        });
      });
    },

    /** Moves a client to a team: their processes, and so who sees them and whose calendar they run on, follow. */
    async placeClient(actor: Actor, clientId: string, teamId: string | null) {
      const subject: Subject = { type: 'client', id: clientId };
      await requireAdmin(sql, actor, 'manage_hierarchy', subject, { operation: 'place_client' });
      return auditedWork(sql, actor, 'place_client', subject, async () => {
        const client = await getClient(sql, clientId);
        if (!client) throw new HubError('CLIENT_NOT_FOUND', `No client ${clientId}`);
        if (teamId) await teamOrThrow(sql, teamId, 'team_id');
        return sql.begin(async (tx) => {
          const moved = await setClientTeam(tx, clientId, teamId);
          await auditChange(tx, actor, 'place_client', subject, { team_id: client.team_id }, { team_id: teamId });
          await announceHierarchyChange(tx);
          return { client_id: clientId, team_id: teamId, moved_processes: moved };
        });
      });
    },
  };
}

export type AdminHierarchy = ReturnType<typeof createAdminHierarchy>;

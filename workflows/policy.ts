import { GRANTS } from './grants.js';
import type { Ownership, ProcessSpec, Role } from './process-spec.js';

/**
 * The one permission policy. The API, the Socket.IO gateway, the Slack bot and the workflows' own
 * validators all ask it, so a refusal reads the same wherever it happens.
 */

/**
 * The part of the firm a role is granted over: one office, or one team of it (team_id set). No scope is
 * the whole firm, which is also what everyone has while no hierarchy is configured.
 */
export interface Scope {
  office_id: string;
  team_id: string | null;
}

export interface Principal {
  user_id: string;
  role: Role | 'system';
  scope?: Scope;
}

/**
 * Who a process belongs to: the client's login and the advisor on it, and where in the firm it is (its
 * client's team and that team's office; null when the client has none). A place left undefined is one the
 * caller cannot know (a workflow's own record): a scoped principal is then refused, never let through.
 */
export interface ProcessRelations {
  client_user_id: string | null;
  advisor_id: string | null;
  office_id?: string | null;
  team_id?: string | null;
}

/** Where a process is, as its read-model row says. */
export interface ProcessPlace {
  office_id: string | null;
  team_id: string | null;
}

/** Relations from a record, placed where the read model says the process is. */
export function placed(relations: ProcessRelations, place: ProcessPlace): ProcessRelations {
  return { ...relations, office_id: place.office_id, team_id: place.team_id };
}

/** Administrators keep the whole firm whatever office they sit in: they maintain the hierarchy itself. */
export function scopeOf(principal: Principal): Scope | undefined {
  return principal.role === 'admin' || principal.role === 'system' ? undefined : principal.scope;
}

/** Whether a process lies within the principal's scope: the firm covers all, an office its teams, a team itself. */
export function withinScope(principal: Principal, relations: ProcessRelations): boolean {
  const scope = scopeOf(principal);
  if (!scope) return true;
  if (scope.team_id !== null) return relations.team_id === scope.team_id;
  return relations.office_id === scope.office_id;
}

export function holdsRelation(principal: Principal, role: Role, relations: ProcessRelations): boolean {
  if (role === 'client') return relations.client_user_id !== null && principal.user_id === relations.client_user_id;
  if (role === 'advisor') return relations.advisor_id !== null && principal.user_id === relations.advisor_id;
  return false;
}

function allows(grants: Partial<Record<Role, Ownership>>, principal: Principal, relations: ProcessRelations): boolean {
  if (principal.role === 'system') return true;
  const ownership = grants[principal.role];
  if (!ownership) return false;
  return ownership === 'any' ? withinScope(principal, relations) : holdsRelation(principal, principal.role, relations);
}

export function maySee(spec: Pick<ProcessSpec, 'readers'>, principal: Principal, relations: ProcessRelations): boolean {
  return allows(spec.readers, principal, relations);
}

/** Whether the role reads at all, before looking at any particular process (its scope decides which rows). */
export function roleMaySee(spec: Pick<ProcessSpec, 'readers'>, role: Role | 'system'): boolean {
  return role === 'system' || Boolean(spec.readers[role]);
}

/** Whether the role may run the command at all, before looking at any particular process. */
export function roleMayRun(spec: Pick<ProcessSpec, 'commands'>, command: string, role: Role | 'system'): boolean {
  return role === 'system' || Boolean(spec.commands[command]?.roles[role]);
}

export function mayRun(
  spec: Pick<ProcessSpec, 'commands'>,
  command: string,
  principal: Principal,
  relations: ProcessRelations,
): boolean {
  const grants = spec.commands[command]?.roles;
  return Boolean(grants) && allows(grants!, principal, relations);
}

/** For list queries: which rows a principal may see, as a filter the database can apply. */
export type VisibilityFilter =
  | { all: true }
  | { office_id: string }
  | { team_id: string }
  | { client_user_id: string }
  | { advisor_id: string }
  | { none: true };

export function visibilityFilter(spec: Pick<ProcessSpec, 'readers'>, principal: Principal): VisibilityFilter {
  if (principal.role === 'system') return { all: true };
  const ownership = spec.readers[principal.role];
  if (!ownership) return { none: true };
  if (ownership === 'any') {
    const scope = scopeOf(principal);
    if (!scope) return { all: true };
    return scope.team_id !== null ? { team_id: scope.team_id } : { office_id: scope.office_id };
  }
  if (principal.role === 'client') return { client_user_id: principal.user_id };
  if (principal.role === 'advisor') return { advisor_id: principal.user_id };
  return { none: true };
}

/** Settings (SLA policies, calendars, mappings): as GRANTS.settings says. */
export function mayManageSettings(principal: Principal, access: 'read' | 'write'): boolean {
  const { settings } = GRANTS;
  const none = { client_user_id: null, advisor_id: null };
  return access === 'read' ? maySee(settings, principal, none) : mayRun(settings, 'change_settings', principal, none);
}

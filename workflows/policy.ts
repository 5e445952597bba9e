import { GRANTS } from './grants.js';
import type { Ownership, ProcessSpec, Role } from './process-spec.js';

/**
 * The one permission policy. The API, the Socket.IO gateway, the Slack bot and the workflows' own
 * validators all ask it, so a refusal reads the same wherever it happens.
 */

export interface Principal {
  user_id: string;
  role: Role | 'system';
}

/** Who a process belongs to: the client's login and the advisor on it. */
export interface ProcessRelations {
  client_user_id: string | null;
  advisor_id: string | null;
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
  return ownership === 'any' || holdsRelation(principal, principal.role, relations);
}

export function maySee(spec: Pick<ProcessSpec, 'readers'>, principal: Principal, relations: ProcessRelations): boolean {
  return allows(spec.readers, principal, relations);
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
export type VisibilityFilter = { all: true } | { client_user_id: string } | { advisor_id: string } | { none: true };

export function visibilityFilter(spec: Pick<ProcessSpec, 'readers'>, principal: Principal): VisibilityFilter {
  if (principal.role === 'system') return { all: true };
  const ownership = spec.readers[principal.role];
  if (!ownership) return { none: true };
  if (ownership === 'any') return { all: true };
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

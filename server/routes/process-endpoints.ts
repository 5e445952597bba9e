import type { ProcessSpec } from '../../workflows/process-spec.js';
import { PROCESS_SPECS } from '../../workflows/specs.js';

/**
 * Where the board finds each process type's own HTTP endpoints: the detail (with `allowed_actions` for the
 * caller), the audit trail, and the command behind each of the spec's board commands, all read from the
 * spec's command table. A process type without a resource still gets its board and a read-only drawer from
 * the generic /api/processes routes.
 */

export interface CommandEndpoint {
  /** `{id}` stands for the process id. */
  path: string;
  /** A text the board asks for before sending the command, and the body field it goes into. */
  input?: { field: string; label: string; required: boolean };
}

export interface ProcessEndpoints {
  detail: string;
  audit: string;
  commands: Record<string, CommandEndpoint>;
}

export const GENERIC_ENDPOINTS: ProcessEndpoints = {
  detail: '/api/processes/{id}',
  audit: '/api/processes/{id}/audit',
  commands: {},
};

function endpointsOf(spec: ProcessSpec): ProcessEndpoints {
  if (!spec.resource) return GENERIC_ENDPOINTS;
  const base = `/api/${spec.resource}/{id}`;
  const commands: Record<string, CommandEndpoint> = {};
  for (const [command, { board, path, reason }] of Object.entries(spec.commands)) {
    if (!board || !path) continue;
    commands[command] = {
      path: `${base}/${path}`,
      ...(reason ? { input: { field: reason.field, label: reason.label, required: reason.required } } : {}),
    };
  }
  return { detail: base, audit: `${base}/audit`, commands };
}

export const PROCESS_ENDPOINTS: Record<string, ProcessEndpoints> = Object.fromEntries(
  PROCESS_SPECS.filter((spec) => spec.resource).map((spec) => [spec.processType, endpointsOf(spec)]),
);

export function endpointsFor(processType: string): ProcessEndpoints {
  return PROCESS_ENDPOINTS[processType] ?? GENERIC_ENDPOINTS;
}

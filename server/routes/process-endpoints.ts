/**
 * Where the board finds each process type's own HTTP endpoints: the detail (with `allowed_actions` for the
 * caller), the audit trail, and the command behind each of the spec's board commands. A process type
 * without an entry still gets its board and a read-only drawer from the generic /api/processes routes.
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

export const PROCESS_ENDPOINTS: Record<string, ProcessEndpoints> = {
  account_opening: {
    detail: '/api/applications/{id}',
    audit: '/api/applications/{id}/audit',
    commands: {
      compliance_approve: { path: '/api/applications/{id}/approve' },
      compliance_reject: { path: '/api/applications/{id}/reject', input: { field: 'rejection_reason', label: 'Reason for rejection', required: true } },
      cancel_application: { path: '/api/applications/{id}/cancel', input: { field: 'reason', label: 'Reason for cancelling', required: false } },
      retry_account_creation: { path: '/api/applications/{id}/retry-account-creation' },
    },
  },
  rebalancing: {
    detail: '/api/rebalances/{id}',
    audit: '/api/rebalances/{id}/audit',
    commands: {
      approve: { path: '/api/rebalances/{id}/approve', input: { field: 'notes', label: 'Rationale for the record', required: false } },
      decline: { path: '/api/rebalances/{id}/decline', input: { field: 'reason', label: 'Reason for declining', required: true } },
      compliance_approve: { path: '/api/rebalances/{id}/compliance-approve', input: { field: 'notes', label: 'Compliance notes', required: false } },
    },
  },
};

export function endpointsFor(processType: string): ProcessEndpoints {
  return PROCESS_ENDPOINTS[processType] ?? GENERIC_ENDPOINTS;
}

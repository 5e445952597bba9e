import type { ErrorSpec } from './process-spec.js';

/**
 * Errors every entry point shares. Process specs add their own (the blueprint's Errors table); the
 * registry below merges them, so a code maps to one status and one default message everywhere.
 */
export const HUB_ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid', retryable: false },
  UNAUTHENTICATED: { status: 401, message: 'Sign in first: a valid bearer token is required', retryable: false },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this', retryable: false },
  FOUR_EYES_VIOLATION: {
    status: 403,
    message: 'Four-eyes rule: you cannot approve an application you opened or advise on',
    retryable: false,
  },
  SECOND_APPROVER_REQUIRED: {
    status: 403,
    message: 'This application needs a second approval by a different compliance officer',
    retryable: false,
  },
  NOT_FOUND: { status: 404, message: 'Not found', retryable: false },
  CLIENT_NOT_FOUND: { status: 404, message: 'Client not found', retryable: false },
  USER_NOT_FOUND: { status: 404, message: 'User not found', retryable: false },
  DOCUMENT_NOT_FOUND: { status: 404, message: 'Document not found', retryable: false },
  RETENTION_PERIOD_ACTIVE: {
    status: 409,
    message: 'This document version is still within its retention period and cannot be deleted',
    retryable: false,
  },
  CONFLICT: { status: 409, message: 'The resource changed meanwhile; reload and try again', retryable: true },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large', retryable: false },
  RATE_LIMITED: { status: 429, message: 'Too many requests; slow down', retryable: true },
  INTERNAL_ERROR: { status: 500, message: 'Something went wrong on our side; the error has been logged', retryable: true },
  SERVICE_UNAVAILABLE: { status: 503, message: 'A service the hub depends on is unavailable; try again shortly', retryable: true },
} as const satisfies Record<string, ErrorSpec>;

const registry = new Map<string, ErrorSpec>(Object.entries(HUB_ERRORS));

/** Called once per process spec at module load. */
export function registerErrors(errors: Record<string, ErrorSpec>): void {
  for (const [code, spec] of Object.entries(errors)) {
    const existing = registry.get(code);
    if (existing && existing.status !== spec.status) throw new Error(`error code ${code} registered twice with different statuses`);
    registry.set(code, spec);
  }
}

export function errorSpec(code: string): ErrorSpec | undefined {
  return registry.get(code);
}

/** The hub's one error type: a code from the registry, its HTTP status, and a message for people. */
export class HubError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;
  /** Set once the refusal is in the audit trail, so no layer writes it twice. */
  audited = false;

  constructor(code: string, message?: string, details?: Record<string, unknown>) {
    const spec = registry.get(code) ?? HUB_ERRORS.INTERNAL_ERROR;
    super(message ?? spec.message);
    this.name = 'HubError';
    this.code = registry.has(code) ? code : 'INTERNAL_ERROR';
    this.status = spec.status;
    this.retryable = spec.retryable;
    this.details = details;
  }
}

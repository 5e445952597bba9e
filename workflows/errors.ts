import { ACCOUNT_OPENING_ERRORS } from './account-opening/spec.js';
import { ADMINISTRATION_ERRORS } from './administration-errors.js';
import { ONBOARDING_ERRORS } from './client-onboarding/spec.js';
import { type ErrorSpec, type ProcessSpec, refuse } from './process-spec.js';
import { QUERY_THREAD_ERRORS } from './query-threads.js';
import { REBALANCING_ERRORS } from './rebalancing/spec.js';

/**
 * Errors every entry point shares. Process specs add their own (the blueprint's Errors table); ERRORS
 * below merges them, so a code maps to one status and one default message everywhere.
 */
export const HUB_ERRORS = {
  VALIDATION_FAILED: refuse(400, 'The request is not valid'),
  UNAUTHENTICATED: refuse(401, 'Sign in first: a valid bearer token is required'),
  FORBIDDEN: refuse(403, 'You are not allowed to do this'),
  FOUR_EYES_VIOLATION: refuse(403, 'Four-eyes rule: you cannot approve an application you opened or advise on'),
  SECOND_APPROVER_REQUIRED: refuse(403, 'This application needs a second approval by a different compliance officer'),
  NOT_FOUND: refuse(404, 'Not found'),
  CLIENT_NOT_FOUND: refuse(404, 'Client not found'),
  USER_NOT_FOUND: refuse(404, 'User not found'),
  DOCUMENT_NOT_FOUND: refuse(404, 'Document not found'),
  RETENTION_PERIOD_ACTIVE: refuse(
    409,
    'This document version is still within its retention period and cannot be deleted',
  ),
  CONFLICT: refuse(409, 'The resource changed meanwhile; reload and try again', { retryable: true }),
  PAYLOAD_TOO_LARGE: refuse(413, 'The request body is too large'),
  RATE_LIMITED: refuse(429, 'Too many requests; slow down', { retryable: true }),
  INTERNAL_ERROR: refuse(500, 'Something went wrong on our side; the error has been logged', { retryable: true }),
  SERVICE_UNAVAILABLE: refuse(503, 'A service the hub depends on is unavailable; try again shortly', {
    retryable: true,
  }),
} as const satisfies Record<string, ErrorSpec>;

/**
 * Every code the hub can answer with, built from the specs' own tables at compile time: a code that is in
 * none of them does not typecheck. A code shared by two tables must mean the same everywhere (a unit test
 * holds them to one status).
 */
export const ERRORS = {
  ...HUB_ERRORS,
  ...ACCOUNT_OPENING_ERRORS,
  ...REBALANCING_ERRORS,
  ...QUERY_THREAD_ERRORS,
  ...ADMINISTRATION_ERRORS,
  ...ONBOARDING_ERRORS,
} as const satisfies Record<string, ErrorSpec>;
export type ErrorCode = keyof typeof ERRORS;

/** The tables ERRORS merges, for the test that keeps a shared code to one status. */
export const ERROR_TABLES: readonly Record<string, ErrorSpec>[] = [
  HUB_ERRORS,
  ACCOUNT_OPENING_ERRORS,
  REBALANCING_ERRORS,
  QUERY_THREAD_ERRORS,
  ADMINISTRATION_ERRORS,
  ONBOARDING_ERRORS,
];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

export function errorSpec(code: string): ErrorSpec | undefined {
  return isErrorCode(code) ? ERRORS[code] : undefined;
}

/** The hub's one error type: a code of ERRORS, its HTTP status, and a message for people. */
export class HubError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;
  /** Set once the refusal is in the audit trail, so no layer writes it twice. */
  audited = false;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    const spec: ErrorSpec = ERRORS[code];
    super(message ?? spec.message);
    this.name = 'HubError';
    this.code = code;
    this.status = spec.status;
    this.retryable = spec.retryable;
    this.details = details;
  }

  /**
   * A refusal the rules or the workflow gave with a code as plain text (from an ApplicationFailure's type,
   * say): the hub's error when the code is one of ERRORS, an internal error otherwise.
   */
  static fromRefusal(refusal: { code: string; message?: string; details?: Record<string, unknown> }): HubError {
    return isErrorCode(refusal.code)
      ? new HubError(refusal.code, refusal.message, refusal.details)
      : new HubError('INTERNAL_ERROR');
  }
}

/** What any command on a process can meet: a bad body, a wrong state, no permission, and the hub being away. */
const ANY_COMMAND: readonly ErrorCode[] = [
  'VALIDATION_FAILED',
  'INVALID_STATUS_TRANSITION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'SECOND_FACTOR_ENROLLMENT_REQUIRED',
  'NOT_FOUND',
  'SERVICE_UNAVAILABLE',
];

/**
 * Every code a command can answer with, from its spec: the ones any command meets, the spec's not-found
 * codes, the codes its rules raise (when it lists none, every code of its table and the hub's own) and those
 * of the documents it requires.
 */
export function commandErrorCodes(spec: ProcessSpec, command: string): ErrorCode[] {
  const notFound = Object.keys(spec.errors).filter((code) => spec.errors[code]!.status === 404);
  const documents = (spec.documents?.required ?? []).filter((r) => r.command === command).map((r) => r.code);
  const codes = [
    ...ANY_COMMAND,
    ...notFound,
    ...(spec.commands[command]?.raises ?? [...Object.keys(spec.errors), ...Object.keys(HUB_ERRORS)]),
    ...documents,
  ];
  return [...new Set(codes)].filter(isErrorCode);
}

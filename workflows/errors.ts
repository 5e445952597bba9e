import { ACCOUNT_OPENING_ERRORS } from './account-opening/spec.js';
import { ADMINISTRATION_ERRORS } from './administration-errors.js';
import { ONBOARDING_ERRORS } from './client-onboarding/spec.js';
import type { ErrorSpec } from './process-spec.js';
import { QUERY_THREAD_ERRORS } from './query-threads.js';
import { REBALANCING_ERRORS } from './rebalancing/spec.js';

/**
 * Errors every entry point shares. Process specs add their own (the blueprint's Errors table); ERRORS
 * below merges them, so a code maps to one status and one default message everywhere.
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
  INTERNAL_ERROR: {
    status: 500,
    message: 'Something went wrong on our side; the error has been logged',
    retryable: true,
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    message: 'A service the hub depends on is unavailable; try again shortly',
    retryable: true,
  },
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

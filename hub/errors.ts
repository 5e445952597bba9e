import {
  ApplicationFailure,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { HTTPException } from 'hono/http-exception';
import postgres from 'postgres';
import { ZodError } from 'zod';
import { HubError, isErrorCode } from '../workflows/errors.js';

/** What people call the parts of a request hono's validators name by target. */
const TARGET_NAMES: Record<string, string> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'headers',
};

/** Names the first offending field, as people expect: "initial_investment_amount: expected number". */
export function validationError(error: ZodError, where = 'body'): HubError {
  const place = TARGET_NAMES[where] ?? where;
  const issue = error.issues[0];
  const field = issue ? fieldOf(issue, place) : place;
  return new HubError('VALIDATION_FAILED', `${field}: ${issue?.message ?? 'invalid'}`, {
    field,
    issues: error.issues.map((i) => ({ field: fieldOf(i, place), message: i.message })),
  });
}

/** An unknown field is named by itself, not by the object that holds it. */
function fieldOf(issue: ZodError['issues'][number], place: string): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys.length) path.push(issue.keys[0]!);
  return path.length ? path.join('.') : place;
}

/**
 * Turns anything thrown while serving a request into the hub's one error type. Business refusals come
 * back from Temporal as ApplicationFailures carrying the blueprint's code.
 */
export function toHubError(error: unknown): HubError {
  if (error instanceof HubError) return error;
  if (error instanceof ZodError) return validationError(error);
  if (
    error instanceof WorkflowUpdateFailedError &&
    error.cause instanceof ApplicationFailure &&
    isErrorCode(error.cause.type)
  ) {
    const details = error.cause.details?.[0];
    return new HubError(
      error.cause.type,
      error.cause.message,
      details && typeof details === 'object' ? (details as Record<string, unknown>) : undefined,
    );
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new HubError(
      'SERVICE_UNAVAILABLE',
      'The command was not confirmed in time: the hub is not processing commands right now. It may still be applied once it is; send it again with the same Idempotency-Key to learn its outcome',
    );
  }
  if (error instanceof WorkflowNotFoundError)
    return new HubError('INVALID_STATUS_TRANSITION', 'This process has finished; nothing more can be done to it');
  if (error instanceof ServiceError)
    return new HubError('SERVICE_UNAVAILABLE', 'The workflow service is unavailable; try again shortly');
  if (error instanceof HTTPException) {
    if (error.status === 413) return new HubError('PAYLOAD_TOO_LARGE');
    if (error.status === 401) return new HubError('UNAUTHENTICATED');
    // The body could not be read at all (malformed JSON, a content type the route does not take).
    if (error.status < 500)
      return new HubError('VALIDATION_FAILED', `body: ${error.message || 'the request is malformed'}`, {
        field: 'body',
      });
  }
  if (isConnectionError(error)) return new HubError('SERVICE_UNAVAILABLE');
  // Class 22 is PostgreSQL's "data exception": a value the database cannot store, e.g. a NUL character.
  if (error instanceof postgres.PostgresError && error.code.startsWith('22')) {
    return new HubError('VALIDATION_FAILED', 'A value in the request cannot be stored');
  }
  return new HubError('INTERNAL_ERROR');
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  // Class 08 is "connection exception"; 57P01-57P03: the server is shutting down, crashed or not yet accepting.
  return (
    typeof code === 'string' &&
    ([
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'CONNECTION_CLOSED',
      'CONNECTION_ENDED',
      'CONNECTION_DESTROYED',
      'CONNECT_TIMEOUT',
    ].includes(code) ||
      /^(08|57P0[123])/.test(code))
  );
}

export function errorBody(error: HubError) {
  return { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
}

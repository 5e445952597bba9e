import type { ErrorSpec } from './process-spec.js';

/** What administration and sign-in refuse with, beside the codes every entry point shares. */
export const ADMINISTRATION_ERRORS = {
  LINK_INVALID: {
    status: 400,
    message: 'This link has expired or was already used; ask an administrator for a new one',
    retryable: false,
  },
  SECOND_FACTOR_REQUIRED: { status: 401, message: 'Enter the code from your authenticator app', retryable: false },
  SECOND_FACTOR_ENROLLMENT_REQUIRED: {
    status: 403,
    message: 'Your role must use a second factor: set up an authenticator app first',
    retryable: false,
  },
  SSO_NOT_CONFIGURED: { status: 404, message: 'Single sign-on is not configured on this hub', retryable: false },
  SSO_FAILED: { status: 401, message: 'Single sign-on did not complete; try again', retryable: false },
  EMAIL_TAKEN: { status: 409, message: 'A user with this e-mail already exists', retryable: false },
  LAST_ADMINISTRATOR: { status: 409, message: 'The hub needs at least one active administrator', retryable: false },
  PRODUCT_NOT_FOUND: { status: 404, message: 'Product not found', retryable: false },
  OFFICE_NOT_FOUND: { status: 404, message: 'Office not found', retryable: false },
  TEAM_NOT_FOUND: { status: 404, message: 'Team not found', retryable: false },
  NAME_TAKEN: { status: 409, message: 'Another office or team of that name exists', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

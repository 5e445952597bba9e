import { type ErrorSpec, refuse } from './process-spec.js';

/** What administration and sign-in refuse with, beside the codes every entry point shares. */
export const ADMINISTRATION_ERRORS = {
  LINK_INVALID: refuse(400, 'This link has expired or was already used; ask an administrator for a new one'),
  SECOND_FACTOR_REQUIRED: refuse(401, 'Enter the code from your authenticator app'),
  SECOND_FACTOR_ENROLLMENT_REQUIRED: refuse(
    403,
    'Your role must use a second factor: set up an authenticator app first',
  ),
  SSO_NOT_CONFIGURED: refuse(404, 'Single sign-on is not configured on this hub'),
  SSO_FAILED: refuse(401, 'Single sign-on did not complete; try again'),
  EMAIL_TAKEN: refuse(409, 'A user with this e-mail already exists'),
  LAST_ADMINISTRATOR: refuse(409, 'The hub needs at least one active administrator'),
  PRODUCT_NOT_FOUND: refuse(404, 'Product not found'),
  OFFICE_NOT_FOUND: refuse(404, 'Office not found'),
  TEAM_NOT_FOUND: refuse(404, 'Team not found'),
  NAME_TAKEN: refuse(409, 'Another office or team of that name exists'),
} as const satisfies Record<string, ErrorSpec>;

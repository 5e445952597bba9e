import type { Sql } from '../db/client.js';
import { clearLoginFailures, recentLoginFailures, recordLoginFailure } from '../db/login-throttle.js';
import { HubError } from '../workflows/errors.js';

const WINDOW_SECONDS = 60;
const MAX_FAILURES = 10;

/**
 * Slows password guessing: after ten failures for one e-mail within a minute, refuse for the rest of it.
 * Counted in PostgreSQL, so every server node behind a load balancer counts the same failures.
 */
export class LoginThrottle {
  constructor(private readonly sql: Sql) {}

  async check(email: string): Promise<void> {
    if ((await recentLoginFailures(this.sql, email.trim().toLowerCase(), WINDOW_SECONDS)) >= MAX_FAILURES) {
      throw new HubError('RATE_LIMITED', 'Too many failed sign-ins for this e-mail; wait a minute');
    }
  }

  async fail(email: string): Promise<void> {
    await recordLoginFailure(this.sql, email.trim().toLowerCase(), WINDOW_SECONDS);
  }

  async succeed(email: string): Promise<void> {
    await clearLoginFailures(this.sql, email.trim().toLowerCase());
  }
}

import { HubError } from '../workflows/errors.js';

const WINDOW_MS = 60_000;
const MAX_FAILURES = 10;

/** Slows password guessing: after ten failures for one e-mail within a minute, refuse for the rest of it. */
export class LoginThrottle {
  private failures = new Map<string, { count: number; since: number }>();

  check(email: string, now = Date.now()): void {
    const entry = this.failures.get(email.toLowerCase());
    if (entry && now - entry.since < WINDOW_MS && entry.count >= MAX_FAILURES) {
      throw new HubError('RATE_LIMITED', 'Too many failed sign-ins for this e-mail; wait a minute');
    }
  }

  fail(email: string, now = Date.now()): void {
    const key = email.toLowerCase();
    const entry = this.failures.get(key);
    if (!entry || now - entry.since >= WINDOW_MS) this.failures.set(key, { count: 1, since: now });
    else entry.count += 1;
    if (this.failures.size > 10_000) this.failures.clear();
  }

  succeed(email: string): void {
    this.failures.delete(email.toLowerCase());
  }
}

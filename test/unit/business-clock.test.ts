import { describe, expect, it } from 'vitest';
import { createBusinessClock } from '../../workflows/business-clock.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('a process business clock', () => {
  it('starts where the process started and runs on from each command that says when it happened', () => {
    const started = Date.now() - 48 * HOUR;
    const clock = createBusinessClock(iso(started));
    expect(clock.nowMs() - started).toBeGreaterThanOrEqual(0);
    expect(clock.nowMs() - started).toBeLessThan(HOUR);

    expect(clock.set(iso(Date.now() - 24 * HOUR))).toBe(true);
    expect(Date.now() - clock.nowMs()).toBeGreaterThan(23 * HOUR);
    // A command without a time is now: the clock is back in the present.
    expect(clock.set(undefined)).toBe(true);
    expect(Math.abs(Date.now() - clock.nowMs())).toBeLessThan(HOUR);
    expect(clock.set(undefined)).toBe(false);
  });

  it('refuses a moment in the future, before the last change, or not a time at all, naming the field', () => {
    const clock = createBusinessClock();
    const lastChange = iso(Date.now() - 2 * HOUR);
    expect(clock.refusal(undefined, lastChange)).toBeNull();
    expect(clock.refusal(iso(Date.now() - HOUR), lastChange)).toBeNull();
    for (const at of [iso(Date.now() + HOUR), iso(Date.now() - 3 * HOUR), 'yesterday']) {
      expect(clock.refusal(at, lastChange)).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field: 'occurred_at' },
      });
    }
  });
});

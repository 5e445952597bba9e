import type { CommandRefusal } from './process-kit.js';

/**
 * A process's clock: the workflow's own time, unless a command set it back. A command carrying `occurred_at`
 * (only the demo seeder sends one; no edge accepts it) happened at that moment, and the clock runs on from
 * there at the normal pace until a command without one brings it back to the present. So records of the past
 * are made by the workflow itself, with its rules, its SLA clocks and its trail, never written behind it.
 */
export function createBusinessClock(startedAt?: string) {
  const behindBy = (at: string | undefined) => (at ? Math.max(0, Date.now() - Date.parse(at)) : 0);
  let offsetMs = behindBy(startedAt);
  return {
    nowMs: () => Date.now() - offsetMs,
    now: () => new Date(Date.now() - offsetMs).toISOString(),
    /** A command may not happen in the future, nor before the process's last change. */
    refusal(occurredAt: string | undefined, lastChangeAt: string): CommandRefusal | null {
      if (occurredAt === undefined) return null;
      const at = Date.parse(occurredAt);
      if (Number.isNaN(at) || at > Date.now() || at < Date.parse(lastChangeAt)) {
        return {
          code: 'VALIDATION_FAILED',
          message: `occurred_at: ${occurredAt} is not between the last change (${lastChangeAt}) and now`,
          details: { field: 'occurred_at' },
        };
      }
      return null;
    },
    /** Sets the clock for a command; true when it moved, so running SLA timers are measured again. */
    set(occurredAt: string | undefined): boolean {
      const next = behindBy(occurredAt);
      const moved = next !== offsetMs;
      offsetMs = next;
      return moved;
    },
  };
}

export type BusinessClock = ReturnType<typeof createBusinessClock>;

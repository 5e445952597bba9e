import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { Recipient, SlaSnapshot } from '../process-records.js';
import type { Role } from '../process-spec.js';
import type { BusinessCalendar } from './business-calendar.js';
import {
  dueTimes,
  pauseClock,
  policyCalendar,
  resumeClock,
  slaStatus,
  startClock,
  type SlaClock,
  type SlaPolicy,
  type SlaRung,
} from './sla-schedule.js';

/** A policy with the calendar it runs on (holidays already expanded), as the loading activity returns it. */
export interface LoadedSlaPolicy {
  policy: SlaPolicy;
  calendar: BusinessCalendar | null;
}

export interface FiredRung {
  rung: SlaRung;
  index: number;
  snapshot: SlaSnapshot;
  elapsedMs: number;
}

interface RunningClock {
  state: string;
  policy: SlaPolicy;
  calendar: BusinessCalendar | null;
  clock: SlaClock;
  fired: { index: number; at: number; notified?: string[] }[];
  scope: CancellationScope;
}

/**
 * The SLA of the state a process is in, held by durable timers. Entering a state with a policy starts
 * its clock; leaving it cancels every pending rung. While any pause key is active the clock stands
 * still and the rungs move later by exactly the paused clock time. Replay makes each rung fire once.
 */
export function createSlaTracker(hooks: {
  load: (state: string, enteredAtMs: number) => Promise<LoadedSlaPolicy | null>;
  onRung: (fired: FiredRung) => Promise<unknown>;
  onPauseChange: (paused: boolean, reasons: string[]) => Promise<unknown>;
  /** The process's clock (business-clock.ts); the workflow's time by default. */
  nowMs?: () => number;
}) {
  let current: RunningClock | null = null;
  const pauseReasons = new Map<string, string>();
  const pauseSequences = new Map<string, number>();
  const now = hooks.nowMs ?? (() => Date.now());
  // Bumped when the process's clock jumps, so a timer set on the old time is measured again.
  let clockMoves = 0;
  const clockCalendar = (c: RunningClock) => policyCalendar(c.calendar, c.policy);

  function snapshotOf(c: RunningClock, atMs: number): SlaSnapshot {
    const calendar = clockCalendar(c);
    const fired = c.fired.map((f) => f.index);
    const status = slaStatus(c.clock, calendar, c.policy, atMs, fired);
    return {
      policy_id: c.policy.id,
      state: c.state,
      status: status.state,
      started_at: new Date(c.clock.startedAtMs).toISOString(),
      deadline: new Date(status.deadlineMs).toISOString(),
      paused: status.paused,
      paused_total_ms: status.pausedTotalMs,
      rungs_fired: c.fired.map(({ index, at, notified }) => ({
        kind: c.policy.rungs[index].kind,
        at_percent: c.policy.rungs[index].atPercent,
        fired_at: new Date(at).toISOString(),
        ...(notified ? { notified } : {}),
      })),
      target: c.policy.target,
      calendar_id: calendar ? calendar.id : null,
      clock: {
        started_at_ms: c.clock.startedAtMs,
        paused_at_ms: c.clock.pausedAtMs,
        paused_business_ms: c.clock.pausedBusinessMs,
        paused_wall_ms: c.clock.pausedWallMs,
      },
      rungs: c.policy.rungs.map((r) => ({ kind: r.kind, at_percent: r.atPercent, notify: r.notify })),
      fired_rung_indexes: fired,
    };
  }

  async function run(c: RunningClock): Promise<void> {
    for (;;) {
      if (pauseReasons.size > 0) {
        c.clock = pauseClock(c.clock, now());
        await hooks.onPauseChange(true, [...pauseReasons.values()]);
        const reasons = [...pauseReasons.values()];
        await condition(() => pauseReasons.size === 0);
        c.clock = resumeClock(c.clock, clockCalendar(c), now());
        await hooks.onPauseChange(false, reasons);
        continue;
      }
      const next = dueTimes(
        c.clock,
        clockCalendar(c),
        c.policy,
        c.fired.map((f) => f.index),
      )[0];
      if (!next) return;
      const waitMs = next.dueMs - now();
      const moves = clockMoves;
      // A pause (or a jump of the clock) arriving before the rung is due wins; otherwise the durable timer fires it.
      if (waitMs > 0 && (await condition(() => pauseReasons.size > 0 || clockMoves !== moves, waitMs))) continue;
      const firedAt = now();
      c.fired.push({ index: next.index, at: firedAt });
      const snapshot = snapshotOf(c, firedAt);
      await hooks.onRung({
        rung: next.rung,
        index: next.index,
        snapshot,
        elapsedMs: firedAt - c.clock.startedAtMs - c.clock.pausedWallMs,
      });
    }
  }

  function leave(): void {
    current?.scope.cancel();
    current = null;
  }

  return {
    /** Starts the clock of the state (if it has a policy), cancelling the previous state's. */
    async enter(state: string, enteredAtMs: number): Promise<void> {
      leave();
      const loaded = await hooks.load(state, enteredAtMs);
      if (!loaded) return;
      const scope = new CancellationScope();
      const running: RunningClock = { state, ...loaded, clock: startClock(enteredAtMs), fired: [], scope };
      current = running;
      scope
        .run(() => run(running))
        .catch((error) => {
          if (!isCancellation(error)) throw error;
        });
    },
    leave,
    /** The process's clock jumped: the running clock's next rung is measured again on the new time. */
    clockMoved(): void {
      clockMoves += 1;
    },
    /**
     * A pause key (an open query to the advisor, say) stops the clock until every key is cleared. Signals
     * may arrive out of order after retries; with a sequence, one older than the last seen is ignored.
     */
    setPause(key: string, active: boolean, reason: string, sequence?: number): void {
      const last = pauseSequences.get(key);
      if (sequence !== undefined) {
        if (last !== undefined && sequence <= last) return;
        pauseSequences.set(key, sequence);
      }
      if (active) pauseReasons.set(key, reason);
      else pauseReasons.delete(key);
    },
    /** Who a fired rung reached, for the escalation chain the snapshot shows. */
    noteNotified(index: number, notified: string[]): void {
      const entry = current?.fired.find((f) => f.index === index);
      if (entry) entry.notified = notified;
    },
    snapshot(atMs = now()): SlaSnapshot | null {
      return current ? snapshotOf(current, atMs) : null;
    },
  };
}

export type SlaTracker = ReturnType<typeof createSlaTracker>;

/**
 * Turns a rung's recipient descriptors into recipients: `role:<role>`, `user:<id>`, or a name the process
 * resolves (a person on the process, or a position in the hierarchy: everyone who holds it when the rung fires).
 */
export function resolveRecipients(
  descriptors: string[],
  resolveNamed: (name: string) => string | string[] | null,
): { recipients: Recipient[]; notified: string[] } {
  const recipients: Recipient[] = [];
  const notified: string[] = [];
  for (const descriptor of descriptors) {
    if (descriptor.startsWith('role:')) {
      recipients.push({ role: descriptor.slice(5) as Role });
      notified.push(descriptor);
    } else if (descriptor.startsWith('user:')) {
      recipients.push({ user_id: descriptor.slice(5) });
      notified.push(descriptor.slice(5));
    } else {
      const resolved = resolveNamed(descriptor);
      for (const userId of resolved === null ? [] : Array.isArray(resolved) ? resolved : [resolved]) {
        recipients.push({ user_id: userId });
        notified.push(userId);
      }
    }
  }
  return { recipients, notified };
}

const EVENT_OF_RUNG = { warning: 'sla.warning', breach: 'sla.breached', escalation: 'sla.escalated' } as const;
const KIND_OF_RUNG = { warning: 'sla_warning', breach: 'sla_breached', escalation: 'sla_escalated' } as const;

/** The event, audit details and notification of a fired rung, the same for every process type. */
export function rungOutcome(
  fired: FiredRung,
  process: { process_type: string; process_id: string; title: string },
  resolveNamed: (name: string) => string | string[] | null,
) {
  const { recipients, notified } = resolveRecipients(fired.rung.notify, resolveNamed);
  const deadline = fired.snapshot.deadline;
  const verb = {
    warning: 'is close to its SLA',
    breach: 'breached its SLA',
    escalation: 'is escalated: SLA long breached',
  }[fired.rung.kind];
  return {
    events: [
      {
        type: EVENT_OF_RUNG[fired.rung.kind],
        payload: {
          process_type: process.process_type,
          process_id: process.process_id,
          state: fired.snapshot.state,
          deadline,
          elapsed_ms: fired.elapsedMs,
          notified,
          timestamp: fired.snapshot.rungs_fired.at(-1)?.fired_at ?? deadline,
        },
      },
    ],
    notifications: recipients.length
      ? [
          {
            to: recipients,
            kind: KIND_OF_RUNG[fired.rung.kind],
            title: `${process.title} ${verb}`,
            body: `${fired.snapshot.state.replace(/_/g, ' ')}: ${fired.rung.atPercent}% of the SLA used; deadline ${deadline}`,
          },
        ]
      : [],
    audit: { rung: fired.rung.kind, at_percent: fired.rung.atPercent, deadline, notified, elapsed_ms: fired.elapsedMs },
  };
}

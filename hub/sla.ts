import type { Sql } from '../db/client.js';
import { resolveCalendar } from '../db/sla.js';
import type { SlaSnapshot } from '../workflows/process-records.js';
import type { BusinessCalendar } from '../workflows/sla/business-calendar.js';
import { slaStatus } from '../workflows/sla/sla-schedule.js';

/** The SLA as people read it: where it stands now, recomputed from the recorded clock with the workflow's own math. */
export interface LiveSla {
  policy_id: string;
  state: string;
  status: SlaSnapshot['status'];
  started_at: string;
  deadline: string;
  remaining_ms: number;
  percent_elapsed: number;
  paused: boolean;
  paused_total_ms: number;
  rungs: SlaSnapshot['rungs'];
  rungs_fired: SlaSnapshot['rungs_fired'];
}

/** Reads SLAs for one request, loading each calendar once. */
export function createSlaReader(sql: Sql) {
  const calendars = new Map<string, Promise<BusinessCalendar | null>>();
  const calendar = (id: string | null) => {
    if (!id) return Promise.resolve(null);
    let loaded = calendars.get(id);
    if (!loaded) {
      loaded = resolveCalendar(sql, id, new Date());
      calendars.set(id, loaded);
    }
    return loaded;
  };

  return async function live(snapshot: SlaSnapshot | null, now = Date.now()): Promise<LiveSla | null> {
    if (!snapshot) return null;
    const policy = {
      id: snapshot.policy_id,
      processType: '',
      state: snapshot.state,
      target: snapshot.target,
      calendarId: snapshot.calendar_id,
      rungs: snapshot.rungs.map((r) => ({ kind: r.kind, atPercent: r.at_percent, notify: r.notify })),
    };
    const clock = {
      startedAtMs: snapshot.clock.started_at_ms,
      pausedAtMs: snapshot.clock.paused_at_ms,
      pausedBusinessMs: snapshot.clock.paused_business_ms,
      pausedWallMs: snapshot.clock.paused_wall_ms,
    };
    const status = slaStatus(clock, await calendar(snapshot.calendar_id), policy, now, snapshot.fired_rung_indexes);
    return {
      policy_id: snapshot.policy_id,
      state: snapshot.state,
      status: status.state,
      started_at: snapshot.started_at,
      deadline: new Date(status.deadlineMs).toISOString(),
      remaining_ms: Math.round(status.remainingMs),
      percent_elapsed: Math.round(status.percentElapsed * 10) / 10,
      paused: status.paused,
      paused_total_ms: status.pausedTotalMs,
      rungs: snapshot.rungs,
      rungs_fired: snapshot.rungs_fired,
    };
  };
}

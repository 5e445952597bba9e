import type { LiveSla } from '../contracts/records.js';
import type { Sql } from '../db/client.js';
import { resolveCalendar } from '../db/sla.js';
import type { SlaSnapshot } from '../workflows/process-records.js';
import type { BusinessCalendar } from '../workflows/sla/business-calendar.js';
import { slaStatus } from '../workflows/sla/sla-schedule.js';

/** The SLA as people read it: where it stands now, recomputed from the recorded clock with the workflow's own math. */
export type { LiveSla };

export const CALENDARS_CHANGED = 'business_calendars_changed';

interface CalendarCache {
  entries: Map<string, Promise<BusinessCalendar | null>>;
  /** False if LISTEN failed: then nothing is cached, as no change could reach the cache. */
  listening: Promise<boolean>;
}

/** Per database client: its calendars in memory, dropped when a NOTIFY says one changed (or the listener reconnects). */
const caches = new WeakMap<Sql, CalendarCache>();

function calendarCacheOf(sql: Sql): CalendarCache {
  let cache = caches.get(sql);
  if (!cache) {
    const entries = new Map<string, Promise<BusinessCalendar | null>>();
    const listening = sql
      .listen(
        CALENDARS_CHANGED,
        (id) => forgetCalendar(sql, id),
        () => entries.clear(),
      )
      .then(
        () => true,
        () => false,
      );
    cache = { entries, listening };
    caches.set(sql, cache);
  }
  return cache;
}

/** Drops a calendar from this process's memory at once; other processes hear of it by NOTIFY. */
export function forgetCalendar(sql: Sql, calendarId: string): void {
  const entries = caches.get(sql)?.entries;
  for (const key of entries?.keys() ?? []) if (key.startsWith(`${calendarId}@`)) entries?.delete(key);
}

/** The SLA as its workflow last recorded it, for when it cannot be recomputed (its calendar is gone). */
function recordedSla(snapshot: SlaSnapshot, now: number): LiveSla {
  const deadlineMs = Date.parse(snapshot.deadline);
  const startedMs = Date.parse(snapshot.started_at);
  const span = deadlineMs - startedMs - snapshot.paused_total_ms;
  const elapsed = now - startedMs - snapshot.paused_total_ms;
  return {
    policy_id: snapshot.policy_id,
    state: snapshot.state,
    status: snapshot.status,
    started_at: snapshot.started_at,
    deadline: snapshot.deadline,
    remaining_ms: deadlineMs - now,
    percent_elapsed: span > 0 ? Math.round((elapsed / span) * 1000) / 10 : 100,
    paused: snapshot.paused,
    paused_total_ms: snapshot.paused_total_ms,
    calendar_id: snapshot.calendar_id,
    rungs: snapshot.rungs,
    rungs_fired: snapshot.rungs_fired,
  };
}

/**
 * Reads SLAs; each calendar comes from memory, loaded once per process and year until it changes. A setting can
 * never make a read fail: when a clock's calendar cannot be loaded, the SLA is shown as its workflow last recorded it.
 */
export function createSlaReader(sql: Sql) {
  const cache = calendarCacheOf(sql);
  const calendar = async (id: string | null) => {
    if (!id) return null;
    const at = new Date();
    if (!(await cache.listening)) return resolveCalendar(sql, id, at);
    const key = `${id}@${at.getUTCFullYear()}`;
    let loaded = cache.entries.get(key);
    if (!loaded) {
      loaded = resolveCalendar(sql, id, at);
      cache.entries.set(key, loaded);
      loaded.catch(() => cache.entries.delete(key));
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
    const loaded = await calendar(snapshot.calendar_id).catch(() => undefined);
    if (loaded === undefined) return recordedSla(snapshot, now);
    const status = slaStatus(clock, loaded, policy, now, snapshot.fired_rung_indexes);
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
      calendar_id: snapshot.calendar_id,
      rungs: snapshot.rungs,
      rungs_fired: snapshot.rungs_fired,
    };
  };
}

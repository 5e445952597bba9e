import type PgBoss from 'pg-boss';
import type { Queryable, Sql } from './client.js';
import { inTransaction, QUEUES } from './jobs.js';
import { NOTIFICATION_CREATED_CHANNEL } from './notifications.js';

/** The blueprint's targets: processing time under 5 s, success rate at least 99 %, alert past 5 % errors. */
export const PROCESSING_TIME_TARGET_MS = 5_000;
export const SUCCESS_RATE_TARGET = 0.99;
export const ERROR_RATE_THRESHOLD = 0.05;

export async function recordCommandTiming(
  db: Queryable,
  timing: {
    process_type: string;
    command: string;
    outcome: 'accepted' | 'refused' | 'failed';
    error_code: string | null;
    duration_ms: number;
  },
): Promise<void> {
  await db`
    INSERT INTO command_timings (process_type, command, outcome, error_code, duration_ms)
    VALUES (${timing.process_type}, ${timing.command}, ${timing.outcome}, ${timing.error_code}, ${Math.round(timing.duration_ms)})`;
}

/**
 * Success rate from the audit trail (people's operations: accepted changes over accepted and refused ones;
 * what the system does by itself is not an attempt), processing time from the command timings.
 */
export async function successMetrics(db: Queryable, options: { process_type: string; since: string }) {
  const [rate] = await db`
    SELECT count(*) FILTER (WHERE outcome = 'accepted')::int AS accepted, count(*) FILTER (WHERE outcome = 'refused')::int AS refused
    FROM audit_log
    WHERE process_type = ${options.process_type} AND at >= ${options.since} AND channel <> 'system'`;
  const perCommand = await db`
    SELECT command, count(*)::int AS commands,
           count(*) FILTER (WHERE duration_ms < ${PROCESSING_TIME_TARGET_MS})::int AS within_target,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)::float8 AS p50_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)::float8 AS p95_ms
    FROM command_timings
    WHERE process_type = ${options.process_type} AND at >= ${options.since}
    GROUP BY command ORDER BY command`;
  const alerts = await db`
    SELECT window_start, window_minutes, attempts, refused, raised_at FROM error_rate_alerts
    WHERE window_start + make_interval(mins => window_minutes) > ${options.since}::timestamptz ORDER BY window_start DESC LIMIT 20`;
  return {
    accepted: rate!.accepted as number,
    refused: rate!.refused as number,
    perCommand: perCommand.map((r) => ({
      command: r.command as string,
      commands: r.commands as number,
      within_target: r.within_target as number,
      p50_ms: r.p50_ms as number,
      p95_ms: r.p95_ms as number,
    })),
    alerts: alerts.map((a) => ({
      window_start: new Date(a.window_start as string).toISOString(),
      window_minutes: a.window_minutes as number,
      attempts: a.attempts as number,
      refused: a.refused as number,
    })),
  };
}

export interface ErrorRateAlert {
  window_start: string;
  window_minutes: number;
  attempts: number;
  refused: number;
}

/**
 * When refusals in the current window (fixed windows of `windowMinutes` from the epoch) pass the threshold,
 * raises the window's one alert: the bell for every manager and admin and the Slack job, in one transaction.
 * Returns the alert when this call raised it, null otherwise (below the threshold, or raised before).
 */
export async function raiseErrorRateAlertIfDue(
  sql: Sql,
  boss: PgBoss,
  options: { windowMinutes: number; minAttempts: number; slack: boolean },
): Promise<ErrorRateAlert | null> {
  return sql.begin(async (tx) => {
    const [rate] = await tx`
      WITH w AS (SELECT date_bin(make_interval(mins => ${options.windowMinutes}), now(), 'epoch') AS start)
      SELECT w.start AS window_start,
             count(a.id)::int AS attempts, count(a.id) FILTER (WHERE a.outcome = 'refused')::int AS refused
      FROM w LEFT JOIN audit_log a ON a.at >= w.start AND a.channel <> 'system'
      GROUP BY w.start`;
    const { attempts, refused } = rate as unknown as { attempts: number; refused: number };
    if (attempts < options.minAttempts || refused / attempts <= ERROR_RATE_THRESHOLD) return null;
    const windowStart = new Date(rate!.window_start as string).toISOString();
    const [created] = await tx`
      INSERT INTO error_rate_alerts (window_start, window_minutes, attempts, refused)
      VALUES (${windowStart}, ${options.windowMinutes}, ${attempts}, ${refused})
      ON CONFLICT (window_start) DO NOTHING RETURNING window_start`;
    if (!created) return null;
    const alert: ErrorRateAlert = {
      window_start: windowStart,
      window_minutes: options.windowMinutes,
      attempts,
      refused,
    };
    const percent = ((refused / attempts) * 100).toFixed(1);
    const notified = await tx`
      INSERT INTO notifications (user_id, kind, title, body, process_type, process_id, dedupe_key)
      SELECT id, 'error_rate', ${`Error rate ${percent} % (above 5 %)`},
             ${`${refused} of ${attempts} operations refused in the ${options.windowMinutes}-minute window from ${windowStart}`},
             NULL, NULL, 'error-rate:' || ${windowStart} || ':' || id
      FROM users WHERE role IN ('manager', 'admin')
      ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, user_id`;
    for (const row of notified) {
      await tx`SELECT pg_notify(${NOTIFICATION_CREATED_CHANNEL}, ${JSON.stringify({ id: row.id, user_id: row.user_id })})`;
    }
    if (options.slack) await boss.send(QUEUES.slackErrorRateAlert, alert, { db: inTransaction(tx) });
    return alert;
  });
}

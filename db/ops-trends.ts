import type { Queryable } from './client.js';
import { visibilityCondition } from './processes.js';
import type { TypeVisibility } from './board.js';

export interface TrendsQuery extends TypeVisibility {
  /** How many days back, today included. */
  days: number;
  /** Commands that count as decisions (accepted ones). */
  decisions: string[];
  /** States under an SLA: a process leaving one is within the SLA unless it breached it there first. */
  slaStates: string[];
  states: { id: string; stage: string; terminal: boolean }[];
  /** Stages whose time is measured: those with a state a process waits in. */
  stages: string[];
}

export interface TrendDay {
  day: string;
  opened: number;
  decided: number;
  sla_ended: number;
  sla_within: number;
}

export interface StageDay {
  day: string;
  stage: string;
  median_ms: number;
  samples: number;
}

/**
 * Day by day (UTC) over the last `days`: processes opened, decisions taken, SLA clocks that ended and how many
 * within their SLA, and the median time spent in each stage by the processes that left it that day.
 */
export async function processTrends(
  db: Queryable,
  query: TrendsQuery,
): Promise<{ days: TrendDay[]; stages: StageDay[] }> {
  const { process_type: type } = query;
  const vis = () => visibilityCondition(db, query.visibility);
  const start = db`date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => ${query.days - 1})`;
  const stageNames = query.states.map((s) => (s.terminal ? '' : s.stage));
  const [days, stages] = await Promise.all([
    db`
      WITH days AS (
        SELECT generate_series(${start}, date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') AS day
      ),
      opened AS (
        SELECT date_trunc('day', p.created_at AT TIME ZONE 'UTC') AS day, count(*)::int AS n
        FROM processes p WHERE p.process_type = ${type} AND p.created_at AT TIME ZONE 'UTC' >= ${start} ${vis()}
        GROUP BY 1
      ),
      moves AS (
        SELECT a.process_id, a.action, a.status_before, a.status_after, a.at,
               date_trunc('day', a.at AT TIME ZONE 'UTC') AS day
        FROM audit_log a JOIN processes p ON p.process_id = a.process_id
        WHERE a.process_type = ${type} AND a.outcome = 'accepted' AND a.at AT TIME ZONE 'UTC' >= ${start} ${vis()}
      ),
      decided AS (SELECT day, count(*)::int AS n FROM moves WHERE action = ANY(${query.decisions}) GROUP BY 1),
      sla_ended AS (
        SELECT m.day, count(*)::int AS ended,
               count(*) FILTER (WHERE NOT EXISTS (
                 SELECT 1 FROM events e
                 WHERE e.process_id = m.process_id AND e.type = 'sla.breached'
                   AND e.payload ->> 'state' = m.status_before AND e.created_at <= m.at
               ))::int AS within
        FROM moves m
        WHERE m.status_before = ANY(${query.slaStates}) AND m.status_after IS DISTINCT FROM m.status_before
        GROUP BY 1
      )
      SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(o.n, 0) AS opened, coalesce(dc.n, 0) AS decided,
             coalesce(s.ended, 0) AS sla_ended, coalesce(s.within, 0) AS sla_within
      FROM days d LEFT JOIN opened o USING (day) LEFT JOIN decided dc USING (day) LEFT JOIN sla_ended s USING (day)
      ORDER BY d.day`,
    // A process's stage changes in order; the time in a stage runs from entering it to the next change. A
    // terminal state counts as a stage of its own (''), so reaching it ends the stay in its stage.
    db`
      WITH stage_of AS (
        SELECT * FROM unnest(${query.states.map((s) => s.id)}::text[], ${stageNames}::text[]) AS m(state, stage)
      ),
      moves AS (
        SELECT a.process_id, a.id, a.at, m.stage,
               lag(m.stage) OVER (PARTITION BY a.process_id ORDER BY a.at, a.id) AS stage_before
        FROM audit_log a
        JOIN processes p ON p.process_id = a.process_id
        JOIN stage_of m ON m.state = a.status_after
        WHERE a.process_type = ${type} AND a.outcome = 'accepted'
          AND p.updated_at AT TIME ZONE 'UTC' >= ${start} - interval '90 days' ${vis()}
      ),
      stays AS (
        SELECT stage, at, lead(at) OVER (PARTITION BY process_id ORDER BY at, id) AS left_at
        FROM moves WHERE stage_before IS DISTINCT FROM stage
      )
      SELECT to_char(date_trunc('day', left_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, stage,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM left_at - at) * 1000) AS median_ms,
             count(*)::int AS samples
      FROM stays
      WHERE left_at IS NOT NULL AND left_at AT TIME ZONE 'UTC' >= ${start} AND stage = ANY(${query.stages})
      GROUP BY 1, 2 ORDER BY 1, 2`,
  ]);
  return {
    days: days as unknown as TrendDay[],
    stages: stages.map((r) => ({ ...(r as unknown as StageDay), median_ms: Math.round(Number(r.median_ms)) })),
  };
}

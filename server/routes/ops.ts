import { z } from '@hono/zod-openapi';
import { processSummary } from '../../db/board.js';
import { processTrends } from '../../db/ops-trends.js';
import type { Sql } from '../../db/client.js';
import { PROCESSING_TIME_TARGET_MS, SUCCESS_RATE_TARGET, successMetrics } from '../../db/success-metrics.js';
import { BoardCardSchema } from '../../contracts/records.js';
import { createRouter, hubRoute, jsonResponse } from './openapi.js';
import { visibleType } from './processes.js';

/** How far back the medians of time in a state look. */
const MEDIAN_WINDOW_DAYS = 30;

const Median = z.object({ median_ms: z.number().nullable(), samples: z.number() });

const SummarySchema = z
  .object({
    process_type: z.string(),
    generated_at: z.string(),
    since: z.string(),
    window_days: z.number(),
    per_state: z.array(z.object({ state: z.string(), label: z.string(), stage: z.string(), count: z.number() })),
    sla: z.object({ on_track: z.number(), warning: z.number(), breached: z.number(), paused: z.number() }),
    at_risk: z.array(BoardCardSchema).openapi({ description: 'SLA warnings and breaches now, nearest deadline first' }),
    opened_since: z.number(),
    entered_since: z.array(z.object({ state: z.string(), label: z.string(), count: z.number() })),
    decisions_since: z.array(z.object({ command: z.string(), label: z.string(), count: z.number() })),
    median_per_state: z.array(z.object({ state: z.string(), label: z.string() }).extend(Median.shape)),
    median_per_stage: z.array(z.object({ stage: z.string() }).extend(Median.shape)),
  })
  .openapi('OpsSummary');

export type OpsSummary = z.infer<typeof SummarySchema>;

const TrendsSchema = z
  .object({
    process_type: z.string(),
    days: z.array(
      z.object({
        day: z.string().openapi({ example: '2026-03-02' }),
        opened: z.number(),
        decided: z.number(),
        sla_ended: z.number().openapi({ description: 'SLA clocks that ended this day (the process left the state)' }),
        sla_within: z.number().openapi({ description: 'Of those, how many ended before a breach' }),
        sla_compliance_percent: z.number().nullable(),
      }),
    ),
    decisions: z.array(z.object({ command: z.string(), label: z.string() })),
    stages: z
      .array(z.object({ stage: z.string(), per_day: z.array(Median.extend({ day: z.string() })) }))
      .openapi({ description: 'Median time in each stage, of the processes that left it that day' }),
  })
  .openapi('OpsTrends');

export type OpsTrends = z.infer<typeof TrendsSchema>;

/** One decimal of a percent; counts, not money, so a float is exact enough. */
const percentOf = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 10 : null);

const SuccessMetricsSchema = z
  .object({
    process_type: z.string(),
    since: z.string(),
    success_rate: z.object({
      target: z.number(),
      accepted: z.number(),
      refused: z.number(),
      rate: z.number().nullable().openapi({ description: 'accepted / (accepted + refused); null without attempts' }),
      met: z.boolean().nullable(),
    }),
    processing_time: z.object({
      target_ms: z.number(),
      commands: z.number(),
      within_target: z.number(),
      per_command: z.array(
        z.object({
          command: z.string(),
          commands: z.number(),
          within_target: z.number(),
          p50_ms: z.number(),
          p95_ms: z.number(),
        }),
      ),
    }),
    error_rate_alerts: z.array(
      z.object({ window_start: z.string(), window_minutes: z.number(), attempts: z.number(), refused: z.number() }),
    ),
  })
  .openapi('SuccessMetrics');

export type SuccessMetrics = z.infer<typeof SuccessMetricsSchema>;

const startOfUtcDay = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
};

export function opsRoutes(sql: Sql) {
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/ops/trends',
        tags: ['Processes'],
        summary: 'Day by day: processes opened, decisions, SLA compliance in percent and the median time per stage',
        request: {
          query: z.object({
            process_type: z.string().min(1).max(100).openapi({ example: 'account_opening' }),
            days: z.coerce.number().int().min(1).max(90).default(30),
          }),
        },
        responses: { 200: jsonResponse(TrendsSchema, 'Oldest day first, today last (UTC)') },
      }),
      async (c) => {
        const query = c.req.valid('query');
        const { spec, visibility } = visibleType(c, query.process_type);
        const decisions = Object.entries(spec.commands).filter(([, command]) => command.board);
        const stages = [...new Set(spec.states.filter((s) => !s.terminal).map((s) => s.stage))];
        const raw = await processTrends(sql, {
          process_type: spec.processType,
          visibility,
          days: query.days,
          decisions: decisions.map(([name]) => name),
          slaStates: spec.slas.map((sla) => sla.state),
          states: spec.states.map((s) => ({ id: s.id, stage: s.stage, terminal: Boolean(s.terminal) })),
          stages,
        });
        return c.json(
          {
            process_type: spec.processType,
            days: raw.days.map((d) => ({ ...d, sla_compliance_percent: percentOf(d.sla_within, d.sla_ended) })),
            decisions: decisions.map(([command, { label }]) => ({ command, label })),
            stages: stages.map((stage) => ({
              stage,
              per_day: raw.stages
                .filter((s) => s.stage === stage)
                .map(({ day, median_ms, samples }) => ({ day, median_ms, samples })),
            })),
          },
          200,
        );
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/ops/success-metrics',
        tags: ['Processes'],
        summary:
          'The blueprint success metrics from the audit trail: success rate against 99 %, processing time against 5 s',
        request: {
          query: z.object({
            process_type: z.string().min(1).max(100).openapi({ example: 'account_opening' }),
            since: z.iso
              .datetime({ offset: true })
              .optional()
              .openapi({ description: 'Start of the period (default: midnight UTC)' }),
          }),
        },
        responses: { 200: jsonResponse(SuccessMetricsSchema, 'The period from `since` to now') },
      }),
      async (c) => {
        const query = c.req.valid('query');
        const { spec } = visibleType(c, query.process_type);
        const since = query.since ? new Date(query.since).toISOString() : startOfUtcDay();
        const raw = await successMetrics(sql, { process_type: spec.processType, since });
        const attempts = raw.accepted + raw.refused;
        const rate = attempts ? raw.accepted / attempts : null;
        return c.json(
          {
            process_type: spec.processType,
            since,
            success_rate: {
              target: SUCCESS_RATE_TARGET,
              accepted: raw.accepted,
              refused: raw.refused,
              rate,
              met: rate === null ? null : rate >= SUCCESS_RATE_TARGET,
            },
            processing_time: {
              target_ms: PROCESSING_TIME_TARGET_MS,
              commands: raw.perCommand.reduce((n, r) => n + r.commands, 0),
              within_target: raw.perCommand.reduce((n, r) => n + r.within_target, 0),
              per_command: raw.perCommand,
            },
            error_rate_alerts: raw.alerts,
          },
          200,
        );
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/ops/summary',
        tags: ['Processes'],
        summary:
          'The operations center: processes per state, SLA warnings and breaches now, the day so far, median time per state and stage',
        request: {
          query: z.object({
            process_type: z.string().min(1).max(100).openapi({ example: 'account_opening' }),
            since: z.iso.datetime({ offset: true }).optional().openapi({
              description: 'Start of "today" for the figures of the day (default: midnight UTC)',
              example: '2026-03-02T00:00:00+01:00',
            }),
          }),
        },
        responses: { 200: jsonResponse(SummarySchema, 'Figures within what the caller may see') },
      }),
      async (c) => {
        const query = c.req.valid('query');
        const { spec, visibility } = visibleType(c, query.process_type);
        const since = query.since ? new Date(query.since).toISOString() : startOfUtcDay();
        const boardCommands = Object.entries(spec.commands).filter(([, command]) => command.board);
        const raw = await processSummary(sql, {
          process_type: spec.processType,
          visibility,
          since,
          windowDays: MEDIAN_WINDOW_DAYS,
          commands: boardCommands.map(([name]) => name),
          states: spec.states.map((s) => ({ id: s.id, stage: s.stage, terminal: Boolean(s.terminal) })),
        });
        const stages = [...new Set(spec.states.map((s) => s.stage))];
        const waiting = spec.states.filter((s) => !s.terminal);
        return c.json(
          {
            process_type: spec.processType,
            generated_at: new Date().toISOString(),
            since,
            window_days: MEDIAN_WINDOW_DAYS,
            per_state: spec.states.map((s) => ({
              state: s.id,
              label: s.label,
              stage: s.stage,
              count: raw.per_state[s.id] ?? 0,
            })),
            sla: {
              on_track: raw.sla.on_track ?? 0,
              warning: raw.sla.warning ?? 0,
              breached: raw.sla.breached ?? 0,
              paused: raw.sla.paused ?? 0,
            },
            at_risk: raw.at_risk,
            opened_since: raw.opened_since,
            entered_since: spec.states.map((s) => ({
              state: s.id,
              label: s.label,
              count: raw.entered_since[s.id] ?? 0,
            })),
            decisions_since: boardCommands.map(([name, command]) => ({
              command: name,
              label: command.label,
              count: raw.commands_since[name] ?? 0,
            })),
            median_per_state: waiting.map((s) => ({
              state: s.id,
              label: s.label,
              median_ms: raw.median_ms_per_state[s.id]?.median_ms ?? null,
              samples: raw.median_ms_per_state[s.id]?.samples ?? 0,
            })),
            median_per_stage: stages
              .filter((stage) => waiting.some((s) => s.stage === stage))
              .map((stage) => ({
                stage,
                median_ms: raw.median_ms_per_stage[stage]?.median_ms ?? null,
                samples: raw.median_ms_per_stage[stage]?.samples ?? 0,
              })),
          },
          200,
        );
      },
    );
}

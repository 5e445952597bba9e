import { z } from '@hono/zod-openapi';
import { ApplicationRecordSchema } from '../workflows/account-opening/definitions.js';
import { OnboardingRecordSchema } from '../workflows/client-onboarding/definitions.js';
import { DriftSummarySchema, RebalanceRecordSchema } from '../workflows/rebalancing/definitions.js';
import {
  FiredRungSchema,
  ProcessCardSchema,
  RungSchema,
  SLA_STATUSES,
  SlaSnapshotSchema as RecordedSlaSchema,
} from '../workflows/process-records.js';

/**
 * The records as the API and the gateway send them. Each is its type's record schema (workflows/<type>/
 * definitions.ts, where the workflow's types are inferred from it) with what a reader sees beside it; the routes
 * document their answers with these and the hub's types are inferred from them, so the three cannot drift.
 */

/**
 * A named (registered) schema or null. `.nullable()` on a registered schema documents a bare `$ref`, which
 * says null is not allowed; a union says it is.
 */
export function orNull<T extends z.ZodType>(schema: T) {
  return z.union([schema, z.null()]);
}

/**
 * The SLA clock on a card: what the board draws of the recorded snapshot (a card recorded before calendars has no
 * calendar_id). Named with zod's own `meta`: the record schemas are built before @hono/zod-openapi adds `.openapi`.
 */
export const SlaSnapshotSchema = RecordedSlaSchema.pick({
  policy_id: true,
  state: true,
  status: true,
  started_at: true,
  deadline: true,
  paused: true,
  paused_total_ms: true,
  rungs_fired: true,
})
  .extend({
    calendar_id: z.string().nullable().optional().openapi({ description: 'The calendar the clock counts on' }),
  })
  .meta({ id: 'SlaSnapshot' });

/** The SLA of a process's current state as of the moment it is read: what is left, how far along it is. */
export const LiveSlaSchema = z
  .object({
    policy_id: z.string(),
    state: z.string(),
    status: z.enum(SLA_STATUSES),
    started_at: z.string(),
    deadline: z.string().openapi({ description: 'When 100% is reached if the clock runs on from now' }),
    remaining_ms: z.number().openapi({ description: 'Working time left on the calendar; negative once breached' }),
    percent_elapsed: z.number(),
    paused: z.boolean(),
    paused_total_ms: z.number(),
    rungs: z.array(RungSchema),
    rungs_fired: z.array(FiredRungSchema),
    calendar_id: z.string().nullable().openapi({
      description: "The calendar the clock counts on: the policy's, else the process's office's; null: wall clock",
    }),
  })
  .openapi('Sla');
export type LiveSla = z.infer<typeof LiveSlaSchema>;

/** The card of a process of any type, as the board draws it and the gateway pushes it. */
export const BoardCardSchema = ProcessCardSchema.extend({
  process_id: z.string(),
  process_type: z.string(),
  version: z.number(),
  advisor_name: z.string().nullable(),
  office_id: z.string().nullable().openapi({ description: "The office of the client's team" }),
  team_id: z.string().nullable().openapi({ description: "The client's team" }),
  sla: orNull(SlaSnapshotSchema),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi('BoardCard');
export type BoardCard = z.infer<typeof BoardCardSchema>;

/** What every process view adds to its record: where it is on its way, what the reader may do, its live SLA. */
const VIEW_FIELDS = {
  process_type: z.string(),
  progress: z.object({ step: z.number().nullable(), of: z.number(), label: z.string() }),
  allowed_actions: z.array(z.string()).openapi({ description: 'The commands the caller may take now' }),
  sla: orNull(LiveSlaSchema).openapi({ description: 'The SLA of the current state, if it has one' }),
};

export const ApplicationSchema = ApplicationRecordSchema.extend(VIEW_FIELDS).openapi('Application');
export const OnboardingSchema = OnboardingRecordSchema.extend(VIEW_FIELDS).openapi('Onboarding');

export const DriftSchema = DriftSummarySchema.meta({ id: 'Drift' });
export const RebalanceSchema = RebalanceRecordSchema.extend({ ...VIEW_FIELDS, drift_before: DriftSchema }).openapi(
  'Rebalance',
);

/** One row of a process's audit trail: every command, accepted or refused. */
export const AuditEntrySchema = z
  .object({
    id: z.number(),
    at: z.string(),
    action: z.string(),
    outcome: z.enum(['accepted', 'refused']),
    actor_id: z.string(),
    actor_role: z.string(),
    actor_name: z.string().nullable(),
    channel: z.string(),
    slack_user_id: z.string().nullable(),
    status_before: z.string().nullable(),
    status_after: z.string().nullable(),
    error_code: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** One event of a process, in commit order. */
export const ProcessEventSchema = z.object({
  sequence: z.number(),
  type: z.string(),
  payload: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});

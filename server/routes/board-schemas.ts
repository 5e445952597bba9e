import { z } from '@hono/zod-openapi';
import { orNull } from './openapi.js';

/** One rung of the escalation chain that fired, and whom it reached. */
export const FiredRungSchema = z.object({
  kind: z.enum(['warning', 'breach', 'escalation']),
  at_percent: z.number(),
  fired_at: z.string(),
  notified: z.array(z.string()).optional().openapi({ description: 'The people it reached (positions as they fired)' }),
});

export const SlaSnapshotSchema = z
  .object({
    policy_id: z.string(),
    state: z.string(),
    status: z.enum(['on_track', 'warning', 'breached', 'paused']),
    started_at: z.string(),
    deadline: z.string(),
    paused: z.boolean(),
    paused_total_ms: z.number(),
    rungs_fired: z.array(FiredRungSchema),
    calendar_id: z.string().nullable().optional().openapi({ description: 'The calendar the clock counts on' }),
  })
  .openapi('SlaSnapshot');

/** The card of a process of any type, as the board draws it and the gateway pushes it. */
export const BoardCardSchema = z
  .object({
    process_id: z.string(),
    process_type: z.string(),
    version: z.number(),
    title: z.string(),
    client_id: z.string().nullable(),
    client_user_id: z.string().nullable(),
    advisor_id: z.string().nullable(),
    advisor_name: z.string().nullable(),
    office_id: z.string().nullable().openapi({ description: "The office of the client's team" }),
    team_id: z.string().nullable().openapi({ description: "The client's team" }),
    assigned_user_id: z.string().nullable(),
    amount: z.number().nullable(),
    currency: z.string().nullable(),
    status: z.string(),
    status_entered_at: z.string(),
    flags: z.array(z.string()),
    sla: orNull(SlaSnapshotSchema),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('BoardCard');

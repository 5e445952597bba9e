import { z } from '@hono/zod-openapi';
import { DOCUMENT_KINDS, REVIEW_STATUSES } from '../workflows/documents.js';
import { LiveSlaSchema, orNull } from './records.js';

/** A process's decision record: each approval and rejection with what its decider had in front of them. */
export const FourEyesStepSchema = z.object({
  audit_id: z.number(),
  action: z.string(),
  user_id: z.string(),
  name: z.string().nullable(),
  role: z.string(),
  channel: z.string(),
  at: z.string(),
});

export const DecisionSchema = z.object({
  audit_id: z.number(),
  audit_hash: z.string().nullable().openapi({ description: "The decision's row hash in the audit chain" }),
  action: z.string(),
  at: z.string(),
  decided_by: z.object({ user_id: z.string(), name: z.string().nullable(), role: z.string() }),
  channel: z.string(),
  slack_user_id: z.string().nullable(),
  status_before: z.string().nullable(),
  status_after: z.string().nullable(),
  record_version: z.number().nullable().openapi({ description: 'The version of the record decided on' }),
  slack_message_version: z.number().nullable().openapi({ description: 'The version its Slack message showed' }),
  notes: z.string().nullable(),
  compliance_notes: z.string().nullable(),
  reason: z.string().nullable(),
  documents: z
    .array(
      z.object({
        document_id: z.string(),
        kind: z.enum(DOCUMENT_KINDS),
        version: z.number(),
        title: z.string(),
        sha256: z.string(),
        review_status: z.enum(REVIEW_STATUSES),
      }),
    )
    .openapi({ description: 'The documents on the process at the moment of the decision' }),
  sla: orNull(LiveSlaSchema.extend({ breached: z.boolean() })).openapi({
    description: 'The SLA clock of the state decided on, as it stood at the moment of the decision',
  }),
  four_eyes: z.object({
    opened_by: z.string().nullable(),
    advisor_id: z.string().nullable(),
    approvals_required: z.number().nullable(),
    chain: z.array(FourEyesStepSchema),
    distinct_deciders: z.boolean(),
  }),
});

export const DecisionRecordSchema = z
  .object({
    process_id: z.string(),
    process_type: z.string(),
    status: z.string(),
    decisions: z.array(DecisionSchema),
  })
  .openapi('DecisionRecord');

/** One person's step in the chain of decisions on a process, oldest first. */
export type FourEyesStep = z.infer<typeof FourEyesStepSchema>;
export type Decision = z.infer<typeof DecisionSchema>;
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

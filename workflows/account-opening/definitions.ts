import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CommandDefinition } from '../process-kit.js';
import { ApprovalSchema, type Actor, type Approval, type SlaSnapshot } from '../process-records.js';
import { refineAmountInCurrency } from '../money.js';
import { z } from 'zod';
import {
  accountOpeningSpec,
  APPLICATION_STATUSES,
  CURRENCIES,
  FUNDING_METHODS,
  INVESTMENT_HORIZONS,
  INVESTMENT_OBJECTIVES,
  RISK_PROFILES,
  RISK_SCORE_RANGE,
  SOURCES_OF_FUNDS,
  type AccountOpeningCommand,
  type RiskProfile,
} from './spec.js';

/** Messages of the account-opening workflow: server/ and bots/ import these, never the workflow body. */

export type { Actor, Channel } from '../process-records.js';

export interface ProductSnapshot {
  id: string;
  name: string;
  category: string;
  risk_level: RiskProfile;
  liquidity: 'daily' | 'monthly' | 'quarterly' | 'illiquid';
  minimum_investment: number;
  management_fee_percent: number;
  /** The shelf's version of these terms (applications started before versioning have none). */
  version?: number;
}

export interface ClientSnapshot {
  id: string;
  name: string;
  advisor_id: string | null;
  user_id: string | null;
  politically_exposed: boolean;
}

export const SelectedProductSchema = z.object({
  product_id: z.string(),
  product_name: z.string(),
  product_version: z.number().optional(),
  allocation_percent: z.number(),
});
export type SelectedProduct = z.infer<typeof SelectedProductSchema>;

export const SuitabilityWarningSchema = z.object({
  kind: z.enum(['risk_mismatch', 'illiquid_short_horizon']),
  product_id: z.string(),
  product_name: z.string(),
  message: z.string(),
});
export type SuitabilityWarning = z.infer<typeof SuitabilityWarningSchema>;

export type { Approval };

export const CrmFailureSchema = z.object({
  code: z.literal('CRM_ACCOUNT_CREATION_FAILED'),
  message: z.string(),
  attempts: z.number(),
  at: z.string(),
});
export type CrmFailure = z.infer<typeof CrmFailureSchema>;

/** Everything the hub knows about an application; the read model row and the API response are this shape. */
export const ApplicationRecordSchema = z.object({
  application_id: z.string(),
  client_id: z.string(),
  client_name: z.string(),
  client_user_id: z.string().nullable(),
  advisor_id: z.string().nullable(),
  opened_by: z.string(),
  account_type: z.string(),
  status: z.enum(APPLICATION_STATUSES),
  selected_products: z.array(SelectedProductSchema).nullable(),
  risk_score: z.number().nullable(),
  risk_profile: z.enum(RISK_PROFILES).nullable(),
  investment_objective: z.string().nullable(),
  investment_horizon: z.string().nullable(),
  initial_investment_amount: z.number().nullable(),
  currency: z.string().nullable(),
  source_of_funds: z.string().nullable(),
  source_of_funds_detail: z.string().nullable(),
  terms_accepted: z.boolean(),
  terms_accepted_at: z.string().nullable(),
  mandate_document_id: z.string().nullable(),
  funding_method: z.string().nullable(),
  funding_reference: z.string().nullable(),
  compliance_notes: z.string().nullable(),
  rejection_reason: z.string().nullable(),
  suitability_warnings: z.array(SuitabilityWarningSchema),
  approvals: z.array(ApprovalSchema),
  approvals_required: z.number(),
  edd_required: z.boolean(),
  politically_exposed: z.boolean(),
  assigned_officer_id: z.string().nullable(),
  account_number: z.string().nullable(),
  crm_failure: CrmFailureSchema.nullable(),
  decided_by: z.string().nullable(),
  decided_at: z.string().nullable(),
  status_entered_at: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  /** Increases by one with every recorded change; the read model ignores anything older than it has. */
  version: z.number(),
});
export type ApplicationRecord = z.infer<typeof ApplicationRecordSchema>;

export interface AccountOpeningInput {
  application_id: string;
  account_type: string;
  client: ClientSnapshot;
  /** The catalog as it stood when the application started: its terms hold for this application. */
  catalog: ProductSnapshot[];
  edd_threshold: number;
  opened_by: Actor;
  /** How hard to try the CRM before recording CRM_ACCOUNT_CREATION_FAILED. */
  crm_retry: { maximum_attempts: number; initial_interval_ms: number };
  /** When the application was started, if in the past: the demo seeder's history (business-clock.ts). */
  occurred_at?: string;
}

export interface Command<T = object> {
  actor: Actor;
  input: T;
  /** When the command happened, if in the past: only the demo seeder sends it (business-clock.ts). */
  occurred_at?: string;
}

/** Text as people type it: trimmed, not empty, at most `max` characters. */
const text = (max: number) => z.string().trim().min(1).max(max);
const reasonOf = (command: keyof typeof accountOpeningSpec.commands) => {
  const form: { maxLength: number } | undefined = (
    accountOpeningSpec.commands[command] as { reason?: { maxLength: number } }
  ).reason;
  return text(form?.maxLength ?? 2000);
};

/**
 * The command inputs, once: the API validates bodies with them, the workflow's Update validators re-check
 * them, and Slack's reason forms take their limits from the spec they read too. Fields the rules require
 * stay optional here so that the blueprint's own codes (RISK_ASSESSMENT_REQUIRED...) answer when missing.
 */
export const SelectProductsInputSchema = z
  .object({
    selected_products: z
      .array(
        z.union([
          text(100),
          z.object({ product_id: text(100), allocation_percent: z.number().positive().max(100).optional() }).strict(),
        ]),
      )
      .max(20)
      .optional()
      .meta({ example: ['prd_global_equity_index', { product_id: 'prd_core_bond', allocation_percent: 40 }] }),
  })
  .strict();
export const RiskAssessmentInputSchema = z
  .object({
    risk_score: z.number().min(RISK_SCORE_RANGE.min).max(RISK_SCORE_RANGE.max).optional().meta({ example: 55 }),
    investment_objective: z.enum(INVESTMENT_OBJECTIVES).optional(),
    investment_horizon: z.enum(INVESTMENT_HORIZONS).optional(),
  })
  .strict();
export const AcceptTermsInputSchema = z
  .object({ terms_accepted: z.boolean().optional(), mandate_document_id: text(200).optional() })
  .strict();
export const FundingInputSchema = z
  .object({
    funding_method: z.enum(FUNDING_METHODS),
    initial_investment_amount: z.number().positive().max(1e12).meta({ example: 50000 }),
    currency: z.enum(CURRENCIES),
    source_of_funds: z.enum(SOURCES_OF_FUNDS),
    source_of_funds_detail: text(2000).optional(),
    funding_reference: text(200).optional(),
  })
  .strict()
  .superRefine(refineAmountInCurrency('initial_investment_amount', 'currency'));
export const ApproveInputSchema = z.object({ notes: text(5000).optional() }).strict();
export const RejectInputSchema = z.object({ rejection_reason: reasonOf('compliance_reject') }).strict();
export const CancelInputSchema = z.object({ reason: reasonOf('cancel_application').optional() }).strict();
export const OverrideStatusInputSchema = z
  .object({ status: z.enum(APPLICATION_STATUSES), reason: text(2000) })
  .strict();
export const ReassignInputSchema = z
  .object({ advisor_id: text(100).optional(), assigned_officer_id: text(100).optional(), reason: text(2000) })
  .strict();
export const RetryAccountCreationInputSchema = z.object({}).strict();

export type ProductChoice = string | { product_id: string; allocation_percent?: number };
export type SelectProductsInput = z.infer<typeof SelectProductsInputSchema>;
export type RiskAssessmentInput = z.infer<typeof RiskAssessmentInputSchema>;
export type AcceptTermsInput = z.infer<typeof AcceptTermsInputSchema>;
export type FundingInput = z.infer<typeof FundingInputSchema>;
/** With the collaborative compliance notes' text at the moment of the decision, which the hub adds. */
export type ApproveInput = z.infer<typeof ApproveInputSchema> & { notes_snapshot?: string };
export type RejectInput = z.infer<typeof RejectInputSchema> & { notes_snapshot?: string };
export type CancelInput = z.infer<typeof CancelInputSchema>;
export type OverrideStatusInput = z.infer<typeof OverrideStatusInputSchema>;
export type ReassignInput = z.infer<typeof ReassignInputSchema>;

/**
 * Every update answers with the application exactly as that command left it, once that is in the read
 * model: never a later state the read model does not have yet.
 */
export interface CommandResult {
  record: ApplicationRecord;
  sla: SlaSnapshot | null;
}

export const startApplicationUpdate = defineUpdate<CommandResult, []>('startApplication');
export const selectProductsUpdate = defineUpdate<CommandResult, [Command<SelectProductsInput>]>('selectProducts');
export const completeRiskAssessmentUpdate = defineUpdate<CommandResult, [Command<RiskAssessmentInput>]>(
  'completeRiskAssessment',
);
export const acceptTermsUpdate = defineUpdate<CommandResult, [Command<AcceptTermsInput>]>('acceptTerms');
export const provideFundingDetailsUpdate = defineUpdate<CommandResult, [Command<FundingInput>]>(
  'provideFundingDetails',
);
export const approveApplicationUpdate = defineUpdate<CommandResult, [Command<ApproveInput>]>('approveApplication');
export const rejectApplicationUpdate = defineUpdate<CommandResult, [Command<RejectInput>]>('rejectApplication');
export const cancelApplicationUpdate = defineUpdate<CommandResult, [Command<CancelInput>]>('cancelApplication');
export const overrideStatusUpdate = defineUpdate<CommandResult, [Command<OverrideStatusInput>]>('overrideStatus');
export const reassignApplicationUpdate = defineUpdate<CommandResult, [Command<ReassignInput>]>('reassignApplication');
export const retryAccountCreationUpdate = defineUpdate<CommandResult, [Command<object>]>('retryAccountCreation');

/** The commands on one application, each with its Update and its input: the workflow, service and routes read this. */
export const APPLICATION_COMMANDS = {
  select_products: { update: selectProductsUpdate, input: SelectProductsInputSchema },
  complete_risk_assessment: { update: completeRiskAssessmentUpdate, input: RiskAssessmentInputSchema },
  accept_terms: { update: acceptTermsUpdate, input: AcceptTermsInputSchema },
  provide_funding_details: { update: provideFundingDetailsUpdate, input: FundingInputSchema },
  compliance_approve: { update: approveApplicationUpdate, input: ApproveInputSchema },
  compliance_reject: { update: rejectApplicationUpdate, input: RejectInputSchema },
  cancel_application: { update: cancelApplicationUpdate, input: CancelInputSchema },
  override_status: { update: overrideStatusUpdate, input: OverrideStatusInputSchema },
  reassign_application: { update: reassignApplicationUpdate, input: ReassignInputSchema },
  retry_account_creation: { update: retryAccountCreationUpdate, input: RetryAccountCreationInputSchema },
} as const satisfies Partial<Record<AccountOpeningCommand, CommandDefinition<CommandResult, Command>>>;
export type ApplicationCommand = keyof typeof APPLICATION_COMMANDS;

/**
 * Pauses or resumes the SLA clock: paused while any key is active (an open compliance query to the
 * advisor, say), resumed when the last one clears. A signal, because it must never fail its sender.
 */
export const slaPauseSignal =
  defineSignal<[{ key: string; active: boolean; reason: string; sequence?: number }]>('slaPause');

export const applicationStateQuery = defineQuery<ApplicationRecord>('applicationState');

export function applicationWorkflowId(applicationId: string): string {
  return `account-opening/${applicationId}`;
}

/** The workflow's registered name; callers start it by name so they never load the workflow body. */
export const ACCOUNT_OPENING_WORKFLOW_TYPE = 'accountOpeningWorkflow';

import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, Channel, SlaSnapshot } from '../process-records.js';
import type { Role } from '../process-spec.js';
import type { ApplicationStatus, RiskProfile } from './spec.js';

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

export interface SelectedProduct {
  product_id: string;
  product_name: string;
  product_version?: number;
  allocation_percent: number;
}

export interface SuitabilityWarning {
  kind: 'risk_mismatch' | 'illiquid_short_horizon';
  product_id: string;
  product_name: string;
  message: string;
}

export interface Approval {
  approved_by: string;
  approver_name: string;
  role: Role | 'system';
  channel: Channel;
  at: string;
  notes: string | null;
}

export interface CrmFailure {
  code: 'CRM_ACCOUNT_CREATION_FAILED';
  message: string;
  attempts: number;
  at: string;
}

/** Everything the hub knows about an application; the read model row and the API response are this shape. */
export interface ApplicationRecord {
  application_id: string;
  client_id: string;
  client_name: string;
  client_user_id: string | null;
  advisor_id: string | null;
  opened_by: string;
  account_type: string;
  status: ApplicationStatus;
  selected_products: SelectedProduct[] | null;
  risk_score: number | null;
  risk_profile: RiskProfile | null;
  investment_objective: string | null;
  investment_horizon: string | null;
  initial_investment_amount: number | null;
  currency: string | null;
  source_of_funds: string | null;
  source_of_funds_detail: string | null;
  terms_accepted: boolean;
  terms_accepted_at: string | null;
  mandate_document_id: string | null;
  funding_method: string | null;
  funding_reference: string | null;
  compliance_notes: string | null;
  rejection_reason: string | null;
  suitability_warnings: SuitabilityWarning[];
  approvals: Approval[];
  approvals_required: number;
  edd_required: boolean;
  politically_exposed: boolean;
  assigned_officer_id: string | null;
  account_number: string | null;
  crm_failure: CrmFailure | null;
  decided_by: string | null;
  decided_at: string | null;
  status_entered_at: string;
  created_at: string;
  updated_at: string;
  /** Increases by one with every recorded change; the read model ignores anything older than it has. */
  version: number;
}

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
}

export interface Command<T = object> {
  actor: Actor;
  input: T;
}

export type ProductChoice = string | { product_id: string; allocation_percent?: number };
export interface SelectProductsInput {
  selected_products?: ProductChoice[];
}
export interface RiskAssessmentInput {
  risk_score?: number;
  investment_objective?: string;
  investment_horizon?: string;
}
export interface AcceptTermsInput {
  terms_accepted?: boolean;
  mandate_document_id?: string;
}
export interface FundingInput {
  funding_method: string;
  initial_investment_amount: number;
  currency: string;
  source_of_funds: string;
  source_of_funds_detail?: string;
  funding_reference?: string;
}
export interface ApproveInput {
  notes?: string;
  /** The collaborative compliance notes' text at the moment of the decision, kept with it. */
  notes_snapshot?: string;
}
export interface RejectInput {
  rejection_reason: string;
  notes_snapshot?: string;
}
export interface CancelInput {
  reason?: string;
}
export interface OverrideStatusInput {
  status: ApplicationStatus;
  reason: string;
}
export interface ReassignInput {
  advisor_id?: string;
  assigned_officer_id?: string;
  reason: string;
}

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
export const completeRiskAssessmentUpdate = defineUpdate<CommandResult, [Command<RiskAssessmentInput>]>('completeRiskAssessment');
export const acceptTermsUpdate = defineUpdate<CommandResult, [Command<AcceptTermsInput>]>('acceptTerms');
export const provideFundingDetailsUpdate = defineUpdate<CommandResult, [Command<FundingInput>]>('provideFundingDetails');
export const approveApplicationUpdate = defineUpdate<CommandResult, [Command<ApproveInput>]>('approveApplication');
export const rejectApplicationUpdate = defineUpdate<CommandResult, [Command<RejectInput>]>('rejectApplication');
export const cancelApplicationUpdate = defineUpdate<CommandResult, [Command<CancelInput>]>('cancelApplication');
export const overrideStatusUpdate = defineUpdate<CommandResult, [Command<OverrideStatusInput>]>('overrideStatus');
export const reassignApplicationUpdate = defineUpdate<CommandResult, [Command<ReassignInput>]>('reassignApplication');
export const retryAccountCreationUpdate = defineUpdate<CommandResult, [Command<object>]>('retryAccountCreation');

/**
 * Pauses or resumes the SLA clock: paused while any key is active (an open compliance query to the
 * advisor, say), resumed when the last one clears. A signal, because it must never fail its sender.
 */
export const slaPauseSignal = defineSignal<[{ key: string; active: boolean; reason: string; sequence?: number }]>('slaPause');

export const applicationStateQuery = defineQuery<ApplicationRecord>('applicationState');

export function applicationWorkflowId(applicationId: string): string {
  return `account-opening/${applicationId}`;
}

/** The workflow's registered name; callers start it by name so they never load the workflow body. */
export const ACCOUNT_OPENING_WORKFLOW_TYPE = 'accountOpeningWorkflow';

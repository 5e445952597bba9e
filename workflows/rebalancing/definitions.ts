import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, Channel } from '../process-records.js';
import type { Role } from '../process-spec.js';
import type { IsoDate, ModelPortfolio, Portfolio, Prices, Security } from './portfolio-math.js';
import type { RebalanceOptions, TaxTerm, TradeSide } from './proposal.js';
import { z } from 'zod';
import type { CommandDefinition } from '../process-kit.js';
import { rebalancingSpec, type RebalanceStatus, type RebalancingCommand } from './spec.js';

/** Messages and records of the rebalancing workflows: server/ and bots/ import these, never a workflow body. */

export type { Actor, Channel } from '../process-records.js';

/** Everything a proposal is computed from, loaded by one activity so the workflow stays deterministic. */
export interface RebalanceContext {
  portfolio: Portfolio;
  client: { id: string; name: string; user_id: string | null; advisor_id: string | null };
  model: ModelPortfolio;
  securities: Security[];
  prices: Prices;
  /** The latest close date among the prices used. */
  prices_as_of: IsoDate;
  /** Today in the firm's time zone: trade date, holding terms and wash-sale look-back count from it. */
  as_of: IsoDate;
  options: RebalanceOptions;
  compliance_threshold: number;
}

export interface WeightsRecord {
  total_value: number;
  cash: number;
  by_security: Record<string, number>;
  by_asset_class: Record<string, number>;
}

export interface LotSaleRecord {
  lot_id: string;
  acquired_on: IsoDate;
  quantity: number;
  cost_basis_per_unit: number;
  realized_gain: number;
  term: TaxTerm;
}

export interface TradeRecord {
  security_id: string;
  symbol: string;
  side: TradeSide;
  quantity: number;
  price: number;
  value: number;
  commission: number;
  /** Sells: the lots chosen, tax-aware. */
  lots: LotSaleRecord[];
  wash_sale: { reason: string; related_trade_date: IsoDate } | null;
}

export interface ProposalRecord {
  as_of: IsoDate;
  model_id: string;
  effective_cash_weight: number;
  buy_scale_factor: number;
  trades: TradeRecord[];
  skipped: { security_id: string; symbol: string; side: TradeSide; value: number; reason: string }[];
  before: WeightsRecord;
  after: WeightsRecord;
  estimated_realized_gains: { short_term: number; long_term: number; total: number };
  estimated_costs: number;
  total_buy_value: number;
  total_sell_value: number;
  cash_after: number;
  within_bands_after: boolean;
}

export interface DriftRow {
  target: number;
  actual: number;
  deviation: number;
  tolerance: number;
  out_of_band: boolean;
}

export interface DriftSummary {
  total_value: number;
  max_abs_drift: number;
  drift_score: number;
  out_of_band: boolean;
  asset_classes: (DriftRow & { asset_class: string })[];
  securities: (DriftRow & { security_id: string; symbol: string })[];
  cash: DriftRow;
}

export interface Approval {
  approved_by: string;
  approver_name: string;
  role: Role | 'system';
  channel: Channel;
  at: string;
  notes: string | null;
}

export interface OrderRecord {
  /** 1-based position in the approved trades. */
  n: number;
  idempotency_key: string;
  security_id: string;
  symbol: string;
  side: TradeSide;
  quantity: number;
  status: 'pending' | 'filled';
  order_id: string | null;
  fill_price: number | null;
  fill_quantity: number | null;
  commission: number | null;
  realized_gain: number | null;
  filled_at: string | null;
}

export interface Verification extends DriftSummary {
  checked_at: string;
  within_bands: boolean;
  cash_after: number;
}

export interface RebalanceFailure {
  code: 'ORDER_REJECTED' | 'CUSTODIAN_UNAVAILABLE' | 'VERIFICATION_OUT_OF_BAND';
  message: string;
  at: string;
  order_n: number | null;
}

/** Everything the hub knows about one rebalance; the read model row and the API response are this shape. */
export interface RebalanceRecord {
  rebalance_id: string;
  portfolio_id: string;
  account_number: string;
  client_id: string;
  client_name: string;
  client_user_id: string | null;
  advisor_id: string | null;
  model_id: string;
  model_name: string;
  currency: string;
  trigger: 'schedule' | 'manual';
  started_by: string;
  status: RebalanceStatus;
  prices_as_of: IsoDate;
  drift_before: DriftSummary;
  /** Why this rebalance, in words, for the audit trail and the people deciding. */
  rationale: string;
  proposal: ProposalRecord;
  /** Bought plus sold: what the compliance threshold is compared with. */
  proposal_value: number;
  compliance_threshold: number;
  needs_compliance: boolean;
  edits: { edited_by: string; editor_name: string; at: string; reason: string; previous_trades: TradeRecord[] }[];
  advisor_approval: Approval | null;
  compliance_approval: Approval | null;
  assigned_officer_id: string | null;
  decline: { declined_by: string; decliner_name: string; role: Role | 'system'; at: string; reason: string } | null;
  orders: OrderRecord[];
  verification: Verification | null;
  failure: RebalanceFailure | null;
  status_entered_at: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface RebalancingInput {
  rebalance_id: string;
  portfolio_id: string;
  trigger: 'schedule' | 'manual';
  started_by: Actor;
  /** How hard to try the custodian per order before the rebalance fails. */
  order_retry: { maximum_attempts: number; initial_interval_ms: number };
}

export interface RebalancingResult {
  rebalance_id: string;
  outcome: RebalanceStatus | 'not_needed' | 'not_started';
  message?: string;
}

export interface DriftCheckInput {
  order_retry: RebalancingInput['order_retry'];
}

export interface DriftCheckResult {
  checked: number;
  out_of_band: string[];
  started: { portfolio_id: string; rebalance_id: string }[];
  already_running: string[];
}

/** A command on one rebalance: who, which rebalance (the workflow serves one portfolio's rebalances in turn), and its input. */
export interface RebalanceCommandMessage<T = object> {
  actor: Actor;
  rebalance_id: string;
  input: T;
}

/** Text as people type it: trimmed, not empty, at most `max` characters. */
const text = (max: number) => z.string().trim().min(1).max(max);
const reasonLimit = (command: 'approve' | 'decline' | 'compliance_approve') =>
  rebalancingSpec.commands[command].reason.maxLength;

/** The command inputs, once: the API validates bodies with them and the workflow's validators re-check them. */
export const ApproveInputSchema = z
  .object({
    notes: text(reasonLimit('approve')).optional().describe('The decision rationale, kept in the audit trail'),
  })
  .strict();
export const EditInputSchema = z
  .object({
    trades: z
      .array(
        z
          .object({ security_id: text(100), side: z.enum(['buy', 'sell']), quantity: z.number().positive().max(1e9) })
          .strict(),
      )
      .min(1)
      .max(100)
      .meta({
        example: [
          { security_id: 'sec_vti', side: 'sell', quantity: 120 },
          { security_id: 'sec_bnd', side: 'buy', quantity: 400 },
        ],
      }),
    reason: text(2000),
  })
  .strict();
export const DeclineInputSchema = z.object({ reason: text(reasonLimit('decline')) }).strict();
export const ComplianceApproveInputSchema = z
  .object({ notes: text(reasonLimit('compliance_approve')).optional() })
  .strict();

export type ApproveInput = z.infer<typeof ApproveInputSchema>;
export type EditInput = z.infer<typeof EditInputSchema>;
export type EditedTrade = EditInput['trades'][number] & { side: TradeSide };
export type DeclineInput = z.infer<typeof DeclineInputSchema>;

/** Answers once the proposal is recorded, or fails with REBALANCE_NOT_NEEDED / PRICE_NOT_AVAILABLE. */
export const startRebalanceUpdate = defineUpdate<RebalanceRecord, []>('startRebalance');
export const approveRebalanceUpdate = defineUpdate<RebalanceRecord, [RebalanceCommandMessage<ApproveInput>]>(
  'approveRebalance',
);
export const editRebalanceUpdate = defineUpdate<RebalanceRecord, [RebalanceCommandMessage<EditInput>]>('editRebalance');
export const declineRebalanceUpdate = defineUpdate<RebalanceRecord, [RebalanceCommandMessage<DeclineInput>]>(
  'declineRebalance',
);
export const complianceApproveRebalanceUpdate = defineUpdate<RebalanceRecord, [RebalanceCommandMessage<ApproveInput>]>(
  'complianceApproveRebalance',
);

/** The commands on one rebalance, each with its Update and its input: the workflow, service and routes read this. */
export const REBALANCE_COMMANDS = {
  approve: { update: approveRebalanceUpdate, input: ApproveInputSchema },
  edit: { update: editRebalanceUpdate, input: EditInputSchema },
  decline: { update: declineRebalanceUpdate, input: DeclineInputSchema },
  compliance_approve: { update: complianceApproveRebalanceUpdate, input: ComplianceApproveInputSchema },
} as const satisfies Partial<Record<RebalancingCommand, CommandDefinition<RebalanceRecord, RebalanceCommandMessage>>>;

export const rebalanceStateQuery = defineQuery<RebalanceRecord | null>('rebalanceState');

/**
 * One workflow id per portfolio, so at most one rebalance runs for it at a time. Ids are unique per
 * namespace, so the deployment's task queue is part of it: two hubs sharing a namespace keep apart.
 */
export function rebalanceWorkflowId(taskQueue: string, portfolioId: string): string {
  return `rebalance/${taskQueue}/${portfolioId}`;
}

/** The Schedule of one deployment (namespace and task queue). */
export function driftCheckScheduleId(taskQueue: string): string {
  return `portfolio-drift-check/${taskQueue}`;
}

export const REBALANCING_WORKFLOW_TYPE = 'rebalancingWorkflow';
export const DRIFT_CHECK_WORKFLOW_TYPE = 'driftCheckWorkflow';

import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { ActorRoleSchema, ApprovalSchema, type Actor, type Approval } from '../process-records.js';
import type { IsoDate, ModelPortfolio, Portfolio, Prices, Security } from './portfolio-math.js';
import type { RebalanceOptions, TradeSide } from './proposal.js';
import { z } from 'zod';
import type { CommandDefinition } from '../process-kit.js';
import { REBALANCE_STATUSES, rebalancingSpec, type RebalanceStatus, type RebalancingCommand } from './spec.js';

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

const weight = z.number().meta({ description: 'A weight: 0.05 is 5% of the portfolio' });

export const WeightsRecordSchema = z.object({
  total_value: z.number(),
  cash: weight,
  by_security: z.record(z.string(), z.number()),
  by_asset_class: z.record(z.string(), z.number()),
});
export type WeightsRecord = z.infer<typeof WeightsRecordSchema>;

const TradeSideSchema = z.enum(['buy', 'sell']);

export const LotSaleRecordSchema = z.object({
  lot_id: z.string(),
  acquired_on: z.string(),
  quantity: z.number(),
  cost_basis_per_unit: z.number(),
  realized_gain: z.number(),
  term: z.enum(['short', 'long']),
});
export type LotSaleRecord = z.infer<typeof LotSaleRecordSchema>;

export const TradeRecordSchema = z.object({
  security_id: z.string(),
  symbol: z.string(),
  side: TradeSideSchema,
  quantity: z.number(),
  price: z.number(),
  value: z.number(),
  commission: z.number(),
  /** Sells: the lots chosen, tax-aware. */
  lots: z.array(LotSaleRecordSchema),
  wash_sale: z.object({ reason: z.string(), related_trade_date: z.string() }).nullable(),
});
export type TradeRecord = z.infer<typeof TradeRecordSchema>;

export const ProposalRecordSchema = z.object({
  as_of: z.string(),
  model_id: z.string(),
  effective_cash_weight: weight,
  buy_scale_factor: z.number(),
  trades: z.array(TradeRecordSchema),
  skipped: z.array(
    z.object({
      security_id: z.string(),
      symbol: z.string(),
      side: TradeSideSchema,
      value: z.number(),
      reason: z.string(),
    }),
  ),
  before: WeightsRecordSchema,
  after: WeightsRecordSchema,
  estimated_realized_gains: z.object({ short_term: z.number(), long_term: z.number(), total: z.number() }),
  estimated_costs: z.number(),
  total_buy_value: z.number(),
  total_sell_value: z.number(),
  cash_after: z.number(),
  within_bands_after: z.boolean(),
});
export type ProposalRecord = z.infer<typeof ProposalRecordSchema>;

export const DriftRowSchema = z.object({
  target: weight,
  actual: weight,
  deviation: z.number().meta({ description: 'actual − target' }),
  tolerance: z.number().meta({ description: 'The largest |deviation| still within band' }),
  out_of_band: z.boolean(),
});
export type DriftRow = z.infer<typeof DriftRowSchema>;

export const DriftSummarySchema = z.object({
  total_value: z.number(),
  max_abs_drift: z.number(),
  drift_score: z
    .number()
    .meta({ description: 'Half the summed |deviation|: the share of the portfolio that must change hands' }),
  out_of_band: z.boolean(),
  asset_classes: z.array(DriftRowSchema.extend({ asset_class: z.string() })),
  securities: z.array(DriftRowSchema.extend({ security_id: z.string(), symbol: z.string() })),
  cash: DriftRowSchema,
});
export type DriftSummary = z.infer<typeof DriftSummarySchema>;

export type { Approval };

export const OrderRecordSchema = z.object({
  /** 1-based position in the approved trades. */
  n: z.number(),
  idempotency_key: z.string(),
  security_id: z.string(),
  symbol: z.string(),
  side: TradeSideSchema,
  quantity: z.number(),
  status: z.enum(['pending', 'filled']),
  order_id: z.string().nullable(),
  fill_price: z.number().nullable(),
  fill_quantity: z.number().nullable(),
  commission: z.number().nullable(),
  realized_gain: z.number().nullable(),
  filled_at: z.string().nullable(),
});
export type OrderRecord = z.infer<typeof OrderRecordSchema>;

export const VerificationSchema = DriftSummarySchema.extend({
  checked_at: z.string(),
  within_bands: z.boolean(),
  cash_after: z.number(),
});
export type Verification = z.infer<typeof VerificationSchema>;

export const RebalanceFailureSchema = z.object({
  code: z.enum(['ORDER_REJECTED', 'CUSTODIAN_UNAVAILABLE', 'VERIFICATION_OUT_OF_BAND']),
  message: z.string(),
  at: z.string(),
  order_n: z.number().nullable(),
});
export type RebalanceFailure = z.infer<typeof RebalanceFailureSchema>;

/** Everything the hub knows about one rebalance; the read model row and the API response are this shape. */
export const RebalanceRecordSchema = z.object({
  rebalance_id: z.string(),
  portfolio_id: z.string(),
  account_number: z.string(),
  client_id: z.string(),
  client_name: z.string(),
  client_user_id: z.string().nullable(),
  advisor_id: z.string().nullable(),
  model_id: z.string(),
  model_name: z.string(),
  currency: z.string(),
  trigger: z.enum(['schedule', 'manual']),
  started_by: z.string(),
  status: z.enum(REBALANCE_STATUSES),
  prices_as_of: z.string(),
  drift_before: DriftSummarySchema,
  /** Why this rebalance, in words, for the audit trail and the people deciding. */
  rationale: z.string(),
  proposal: ProposalRecordSchema,
  /** Bought plus sold: what the compliance threshold is compared with. */
  proposal_value: z.number(),
  compliance_threshold: z.number(),
  needs_compliance: z.boolean(),
  edits: z.array(
    z.object({
      edited_by: z.string(),
      editor_name: z.string(),
      at: z.string(),
      reason: z.string(),
      previous_trades: z.array(TradeRecordSchema),
    }),
  ),
  advisor_approval: ApprovalSchema.nullable(),
  compliance_approval: ApprovalSchema.nullable(),
  assigned_officer_id: z.string().nullable(),
  decline: z
    .object({
      declined_by: z.string(),
      decliner_name: z.string(),
      role: ActorRoleSchema,
      at: z.string(),
      reason: z.string(),
    })
    .nullable(),
  orders: z.array(OrderRecordSchema),
  verification: VerificationSchema.nullable(),
  failure: RebalanceFailureSchema.nullable(),
  status_entered_at: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  version: z.number(),
});
export type RebalanceRecord = z.infer<typeof RebalanceRecordSchema>;

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

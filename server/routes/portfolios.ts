import { actorOf } from '../../hub/context.js';
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { REBALANCE_COMMANDS } from '../../workflows/rebalancing/definitions.js';
import { REBALANCE_STATUSES, rebalancingSpec, type RebalanceCommand } from '../../workflows/rebalancing/spec.js';
import type { RebalancingService } from '../../hub/rebalancing.js';
import { addProcessRoutes, commandContext, IdempotencyHeaders, type CommandRoute } from './command-routes.js';
import { LiveSlaSchema } from './sla.js';
import {
  createRouter,
  ERROR_RESPONSES,
  ErrorSchema,
  hubRoute,
  IdParams,
  jsonBody,
  jsonResponse,
  listResponse,
  orNull,
  SECURITY,
} from './openapi.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const weight = z.number().openapi({ description: 'A weight: 0.05 is 5% of the portfolio' });

const DriftRowSchema = z.object({
  target: weight,
  actual: weight,
  deviation: z.number().openapi({ description: 'actual − target' }),
  tolerance: z.number().openapi({ description: 'The largest |deviation| still within band' }),
  out_of_band: z.boolean(),
});

const DriftSchema = z
  .object({
    total_value: z.number(),
    max_abs_drift: z.number(),
    drift_score: z
      .number()
      .openapi({ description: 'Half the summed |deviation|: the share of the portfolio that must change hands' }),
    out_of_band: z.boolean(),
    asset_classes: z.array(DriftRowSchema.extend({ asset_class: z.string() })),
    securities: z.array(DriftRowSchema.extend({ security_id: z.string(), symbol: z.string() })),
    cash: DriftRowSchema,
  })
  .openapi('Drift');

const PortfolioSummarySchema = z
  .object({
    portfolio_id: z.string(),
    account_number: z.string(),
    client_id: z.string(),
    client_name: z.string(),
    advisor_id: z.string().nullable(),
    model_id: z.string(),
    model_name: z.string(),
    currency: z.string(),
    cash: z.number(),
    total_value: z.number().nullable(),
    prices_as_of: z.string().nullable(),
    missing_prices: z.array(z.string()),
    drift: orNull(DriftSchema).openapi({
      description: 'Against the model with the cash buffer applied; null while a price is missing',
    }),
    active_rebalance: z.object({ rebalance_id: z.string(), status: z.string() }).nullable(),
  })
  .openapi('PortfolioSummary');

const BandsSchema = z.object({ absolute: z.number(), relative: z.number(), relative_floor: z.number() });

// Spread, not extended: an extended registered schema is documented as the one it extends.
const PortfolioSchema = z
  .object({
    ...PortfolioSummarySchema.shape,
    model: z.object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      cash_weight: weight,
      bands: BandsSchema,
      targets: z.array(z.object({ security_id: z.string(), symbol: z.string(), asset_class: z.string(), weight })),
    }),
    holdings: z.array(
      z.object({
        security_id: z.string(),
        symbol: z.string(),
        name: z.string(),
        asset_class: z.string(),
        fractional: z.boolean(),
        quantity: z.number(),
        price: z.number(),
        market_value: z.number(),
        weight,
        lots: z.array(
          z.object({
            lot_id: z.string(),
            quantity: z.number(),
            cost_basis_per_unit: z.number(),
            acquired_on: z.string(),
            market_value: z.number(),
            unrealized_gain: z.number(),
            term: z.enum(['short', 'long']),
          }),
        ),
      }),
    ),
    rebalances: z.array(
      z.object({
        rebalance_id: z.string(),
        status: z.string(),
        proposal_value: z.number().nullable(),
        created_at: z.string(),
        updated_at: z.string(),
      }),
    ),
  })
  .openapi('Portfolio');

const ModelSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    cash_weight: weight,
    bands: BandsSchema,
    targets: z.array(z.object({ security_id: z.string(), asset_class: z.string(), weight })),
  })
  .openapi('ModelPortfolio');

const WeightsSchema = z.object({
  total_value: z.number(),
  cash: weight,
  by_security: z.record(z.string(), z.number()),
  by_asset_class: z.record(z.string(), z.number()),
});

const TradeSchema = z.object({
  security_id: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  quantity: z.number(),
  price: z.number(),
  value: z.number(),
  commission: z.number(),
  lots: z.array(
    z.object({
      lot_id: z.string(),
      acquired_on: z.string(),
      quantity: z.number(),
      cost_basis_per_unit: z.number(),
      realized_gain: z.number(),
      term: z.enum(['short', 'long']),
    }),
  ),
  wash_sale: z.object({ reason: z.string(), related_trade_date: z.string() }).nullable(),
});

const ApprovalSchema = z.object({
  approved_by: z.string(),
  approver_name: z.string(),
  role: z.string(),
  channel: z.string(),
  at: z.string(),
  notes: z.string().nullable(),
});

const RebalanceSchema = z
  .object({
    rebalance_id: z.string(),
    process_type: z.string(),
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
    progress: z.object({ step: z.number().nullable(), of: z.number(), label: z.string() }),
    prices_as_of: z.string(),
    drift_before: DriftSchema,
    rationale: z.string(),
    proposal: z.object({
      as_of: z.string(),
      model_id: z.string(),
      effective_cash_weight: weight,
      buy_scale_factor: z.number(),
      trades: z.array(TradeSchema),
      skipped: z.array(
        z.object({
          security_id: z.string(),
          symbol: z.string(),
          side: z.enum(['buy', 'sell']),
          value: z.number(),
          reason: z.string(),
        }),
      ),
      before: WeightsSchema,
      after: WeightsSchema,
      estimated_realized_gains: z.object({ short_term: z.number(), long_term: z.number(), total: z.number() }),
      estimated_costs: z.number(),
      total_buy_value: z.number(),
      total_sell_value: z.number(),
      cash_after: z.number(),
      within_bands_after: z.boolean(),
    }),
    proposal_value: z.number(),
    compliance_threshold: z.number(),
    needs_compliance: z.boolean(),
    edits: z.array(
      z.object({
        edited_by: z.string(),
        editor_name: z.string(),
        at: z.string(),
        reason: z.string(),
        previous_trades: z.array(TradeSchema),
      }),
    ),
    advisor_approval: orNull(ApprovalSchema),
    compliance_approval: orNull(ApprovalSchema),
    assigned_officer_id: z.string().nullable(),
    decline: z
      .object({
        declined_by: z.string(),
        decliner_name: z.string(),
        role: z.string(),
        at: z.string(),
        reason: z.string(),
      })
      .nullable(),
    orders: z.array(
      z.object({
        n: z.number(),
        idempotency_key: z.string(),
        security_id: z.string(),
        symbol: z.string(),
        side: z.enum(['buy', 'sell']),
        quantity: z.number(),
        status: z.enum(['pending', 'filled']),
        order_id: z.string().nullable(),
        fill_price: z.number().nullable(),
        fill_quantity: z.number().nullable(),
        commission: z.number().nullable(),
        realized_gain: z.number().nullable(),
        filled_at: z.string().nullable(),
      }),
    ),
    verification: orNull(
      z.object({ ...DriftSchema.shape, checked_at: z.string(), within_bands: z.boolean(), cash_after: z.number() }),
    ),
    failure: z
      .object({ code: z.string(), message: z.string(), at: z.string(), order_n: z.number().nullable() })
      .nullable(),
    allowed_actions: z.array(z.string()).openapi({ description: 'The commands the caller may take now' }),
    sla: orNull(LiveSlaSchema).openapi({ description: 'The SLA of the current state, if it has one' }),
    status_entered_at: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    version: z.number(),
  })
  .openapi('Rebalance');

const DriftCheckSchema = z
  .object({
    checked: z.number(),
    out_of_band: z.array(z.string()),
    started: z.array(z.object({ portfolio_id: z.string(), rebalance_id: z.string() })),
    already_running: z.array(z.string()),
  })
  .openapi('DriftCheck');

const ERRORS_WITH_CONFLICT = {
  ...ERROR_RESPONSES,
  409: {
    description: 'A rebalance is already running, there is nothing to trade, or a price is missing',
    content: { 'application/json': { schema: ErrorSchema } },
  },
};

const actor = actorOf;

/** What each command's route says beyond the spec and its definitions. */
const COMMAND_ROUTES: Record<RebalanceCommand, CommandRoute> = {
  approve: {
    summary: 'Approve as the advisor (awaiting_advisor → approved, or awaiting_compliance above the threshold)',
    bodyOptional: true,
  },
  edit: { summary: 'Replace the proposed trades; every approval starts over (→ awaiting_advisor)' },
  decline: { summary: 'Decline, with a reason (advisor, or compliance on a large rebalance)' },
  compliance_approve: {
    summary:
      "Approve as compliance above the threshold; never by the proposal's advisor (awaiting_compliance → approved)",
    bodyOptional: true,
  },
};

const RebalanceListQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()) : undefined))
    .pipe(z.array(z.enum(REBALANCE_STATUSES)).optional())
    .openapi({
      description: 'One status or several separated by commas',
      example: 'awaiting_advisor,awaiting_compliance',
    }),
  client_id: z.string().max(100).optional(),
  advisor_id: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function portfolioRoutes(service: RebalancingService, sql: Sql) {
  const router = createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/portfolios',
        tags: ['Portfolios'],
        summary: 'The portfolios the caller may see, with value and drift at the latest prices',
        request: {
          query: z.object({
            client_id: z.string().max(100).optional(),
            out_of_band: z
              .enum(['true', 'false'])
              .optional()
              .transform((v) => (v === undefined ? undefined : v === 'true')),
          }),
        },
        responses: {
          200: listResponse('portfolios', PortfolioSummarySchema, 'By client name'),
        },
      }),
      async (c) => c.json({ portfolios: await service.listPortfolios(actor(c), c.req.valid('query')) }, 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/portfolios/drift-check',
        tags: ['Portfolios'],
        summary:
          'Ops and administrators: run the scheduled drift check now; rebalances start for portfolios outside their bands',
        middleware: [commandContext('portfolio', 'run_drift_check')],
        responses: { 200: jsonResponse(DriftCheckSchema, 'What the check found and started') },
      }),
      async (c) => c.json(await service.runDriftCheck(actor(c)), 200),
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/portfolios/{id}',
        tags: ['Portfolios'],
        summary:
          'A portfolio: holdings with their tax lots, weights, drift per security and asset class, its model and rebalances',
        request: { params: IdParams },
        responses: { 200: jsonResponse(PortfolioSchema, 'The portfolio') },
      }),
      async (c) => c.json(await service.getPortfolio(actor(c), c.req.valid('param').id), 200),
    )
    .openapi(
      hubRoute({
        method: 'put',
        path: '/portfolios/{id}/model',
        tags: ['Portfolios'],
        summary: "The client's advisor (or an administrator) changes the portfolio's model",
        request: {
          params: IdParams,
          body: jsonBody(
            z.object({ model_id: text(100).openapi({ example: 'balanced' }), reason: text(2000) }).strict(),
          ),
        },
        middleware: [commandContext('portfolio', 'change_model')],
        responses: { 200: jsonResponse(PortfolioSchema, 'The portfolio on its new model') },
      }),
      async (c) => c.json(await service.changeModel(actor(c), c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/portfolios/{id}/rebalance',
        tags: ['Portfolios'],
        summary:
          "The client's advisor (or an administrator) starts a rebalance by hand; the proposal awaits the advisor",
        security: SECURITY,
        request: { params: IdParams, headers: IdempotencyHeaders },
        middleware: [commandContext('portfolio', 'start_rebalance')],
        responses: {
          201: jsonResponse(RebalanceSchema, 'The new rebalance with its proposal'),
          ...ERRORS_WITH_CONFLICT,
        },
      }),
      async (c) =>
        c.json(
          await service.startRebalance(actor(c), c.req.valid('param').id, c.req.valid('header')['idempotency-key']),
          201,
        ),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/models',
        tags: ['Portfolios'],
        summary: 'The model portfolios: target weights per security and drift bands',
        security: SECURITY,
        responses: {
          200: listResponse('models', ModelSchema, 'From the least to the most risky'),
        },
      }),
      async (c) => c.json({ models: await service.listModels() }, 200),
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/rebalances',
        tags: ['Rebalances'],
        summary: 'The rebalances the caller may see, newest change first',
        request: { query: RebalanceListQuery },
        responses: {
          200: listResponse('rebalances', RebalanceSchema, 'Newest change first'),
        },
      }),
      async (c) => c.json({ rebalances: await service.listRebalances(actor(c), c.req.valid('query')) }, 200),
    );

  addProcessRoutes(router, {
    spec: rebalancingSpec,
    tags: { detail: 'Rebalances', commands: 'Rebalance commands' },
    record: RebalanceSchema,
    noun: 'rebalance',
    sql,
    summaries: {
      detail:
        'A rebalance: rationale, proposal with before/after weights, gains and costs, approvals, orders and verification',
      audit:
        'The audit trail of a rebalance: decision, rationale, trades and verified result, and every refused command',
      events: "A rebalance's events in commit order",
    },
    get: (actor, id) => service.getRebalance(actor, id),
    requireVisible: (actor, id, action) => service.requireVisible(actor, id, action),
    commands: REBALANCE_COMMANDS,
    routes: COMMAND_ROUTES,
    run: (actor, id, command, input, key) => service.runCommand(actor, id, command, input, key),
  });
  return router;
}

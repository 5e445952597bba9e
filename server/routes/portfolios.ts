import { actorOf } from '../../hub/context.js';
import { createRoute, z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { REBALANCE_COMMANDS } from '../../workflows/rebalancing/definitions.js';
import { REBALANCE_STATUSES, rebalancingSpec, type RebalanceCommand } from '../../workflows/rebalancing/spec.js';
import type { RebalancingService } from '../../hub/rebalancing.js';
import { addProcessRoutes, commandContext, IdempotencyHeaders, type CommandRoute } from './command-routes.js';
import { ModelSchema, PortfolioSchema, PortfolioSummarySchema } from '../../contracts/portfolios.js';
import { RebalanceSchema } from '../../contracts/records.js';
import {
  createRouter,
  ERROR_RESPONSES,
  ErrorSchema,
  hubRoute,
  IdParams,
  jsonBody,
  jsonResponse,
  listResponse,
  SECURITY,
} from './openapi.js';

const text = (max: number) => z.string().trim().min(1).max(max);
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

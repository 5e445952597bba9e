import type { PortfolioDetail, PortfolioSummary } from '../contracts/portfolios.js';
import { createHash, randomBytes } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowFailedError } from '@temporalio/client';
import { appendAudit, auditRefusal as recordRefusal } from '../db/audit.js';
import { appendEvents } from '../db/events.js';
import { getProcess, listProcesses, type ProcessFilters } from '../db/processes.js';
import {
  getPortfolioRow,
  listPortfolioRows,
  loadModels,
  loadPortfolioBooks,
  loadRebalanceSettings,
  type PortfolioBook,
} from '../db/portfolios.js';
import { createPostgresPriceSource } from '../db/price-source.js';
import { todayIn } from '../workers/rebalancing/firm-calendar.js';
import { driftOfBook } from '../workers/rebalancing/portfolio-drift.js';
import { HubError } from '../workflows/errors.js';
import { mayRun, maySee, visibilityFilter, type ProcessRelations } from '../workflows/policy.js';
import { withoutScope, type Actor } from '../workflows/process-records.js';
import { isTerminal } from '../workflows/process-spec.js';
import {
  DRIFT_CHECK_WORKFLOW_TYPE,
  driftCheckScheduleId,
  REBALANCE_COMMANDS,
  REBALANCING_WORKFLOW_TYPE,
  rebalanceWorkflowId,
  startRebalanceUpdate,
  type DriftCheckInput,
  type DriftCheckResult,
  type RebalanceCommandMessage,
  type RebalanceRecord,
  type RebalancingInput,
} from '../workflows/rebalancing/definitions.js';
import { sumOf, toWireNumber as wire } from '../workflows/money.js';
import { valuePortfolio, type ModelPortfolio } from '../workflows/rebalancing/portfolio-math.js';
import { holdingTerm } from '../workflows/rebalancing/proposal.js';
import { allowedActions, checkAllowed, relationsOf } from '../workflows/rebalancing/rules.js';
import {
  HAPPY_PATH,
  rebalancingSpec as spec,
  REBALANCE_STATUSES,
  type RebalanceCommand,
} from '../workflows/rebalancing/spec.js';
import type { HubDeps } from './context.js';
import { createProcessCommands, type ProcessKind, type ProcessView } from './process-commands.js';

const OPEN_STATUSES = REBALANCE_STATUSES.filter((status) => !isTerminal(spec, status));

export type RebalanceView = ProcessView<RebalanceRecord, RebalanceCommand>;

/** Rebalancing as the command service sees it; a portfolio's workflow serves its rebalances one after another. */
export function rebalanceKind(
  deps: Pick<HubDeps, 'sql' | 'taskQueue'>,
): ProcessKind<RebalanceRecord, RebalanceCommand, RebalanceCommandMessage, RebalanceRecord> {
  return {
    spec,
    notFound: 'REBALANCE_NOT_FOUND',
    noun: 'rebalance',
    happyPath: HAPPY_PATH,
    commands: REBALANCE_COMMANDS,
    relationsOf,
    checkAllowed,
    allowedActions,
    workflowIdOf: (record) => rebalanceWorkflowId(deps.taskQueue, record.portfolio_id),
    message: (actor, record, input) => ({ actor, rebalance_id: record.rebalance_id, input }),
    // The Update answers once its recording is in the read model, so the row holds the SLA it recorded.
    resultOf: async (record, processId) => ({ record, sla: (await getProcess(deps.sql, processId))?.sla ?? null }),
  };
}

export type { PortfolioDetail, PortfolioSummary };

/** A model as the API shows it: weights and bands as the JSON numbers that carry their decimals exactly. */
function modelOnWire(model: ModelPortfolio & { description: string }) {
  return {
    id: model.id,
    name: model.name,
    description: model.description,
    cash_weight: wire(model.cashWeight),
    bands: {
      absolute: wire(model.bands.absolute),
      relative: wire(model.bands.relative),
      relative_floor: wire(model.bands.relativeFloor ?? 0),
    },
    targets: model.targets.map((t) => ({
      security_id: t.securityId,
      asset_class: t.assetClass,
      weight: wire(t.weight),
    })),
  };
}

const relationsOfRow = (
  book: Pick<PortfolioBook['row'], 'client_user_id' | 'advisor_id' | 'office_id' | 'team_id'>,
): ProcessRelations => ({
  client_user_id: book.client_user_id,
  advisor_id: book.advisor_id,
  office_id: book.office_id,
  team_id: book.team_id,
});

/**
 * Every rebalancing command from every channel goes through here: existence, the permission policy, then
 * the workflow's Update (whose validator applies the process's rules). Refusals are audited.
 */
export function createRebalancingService(deps: HubDeps) {
  const { sql, temporal, config } = deps;
  const priceSource = createPostgresPriceSource(sql);
  const orderRetry = {
    maximum_attempts: config.REBALANCE_ORDER_MAX_ATTEMPTS,
    initial_interval_ms: config.REBALANCE_ORDER_RETRY_INITIAL_MS,
  };

  const commands = createProcessCommands(deps, rebalanceKind(deps));
  const { view, withinCommandDeadline } = commands;
  const audited = <T>(
    actor: Actor,
    action: string,
    target: { type: string; id: string | null },
    work: () => Promise<T>,
  ) => commands.audited(actor, action, target.id, work, { processType: target.type });

  const auditRefusal = (
    actor: Actor,
    action: string,
    processId: string | null,
    error: HubError,
    details: Record<string, unknown> = {},
    processType: string = spec.processType,
  ) =>
    recordRefusal(sql, {
      process_type: processType,
      process_id: processId,
      actor,
      action,
      code: error.code,
      message: error.message,
      details,
    });

  function newRebalanceId(actor: Actor, idempotencyKey?: string): string {
    // The same key from the same person always names the same rebalance, so a retried POST is harmless.
    const seed = idempotencyKey
      ? createHash('sha256').update(`${actor.user_id}\nrebalance\n${idempotencyKey}`).digest()
      : randomBytes(16);
    return `rb_${seed.toString('hex').slice(0, 16)}`;
  }

  // The process type is written out so the planner can use the partial index on a rebalance's portfolio.
  async function activeRebalances(
    portfolioIds: string[],
  ): Promise<Map<string, { rebalance_id: string; status: string }>> {
    if (portfolioIds.length === 0) return new Map();
    const rows = await sql`
      SELECT process_id, status, detail ->> 'portfolio_id' AS portfolio_id FROM processes
      WHERE process_type = 'rebalancing' AND detail ->> 'portfolio_id' = ANY(${portfolioIds}) AND status = ANY(${OPEN_STATUSES})`;
    return new Map(
      rows.map((row) => [
        row.portfolio_id as string,
        { rebalance_id: row.process_id as string, status: row.status as string },
      ]),
    );
  }

  async function summarize(books: PortfolioBook[]): Promise<PortfolioSummary[]> {
    const active = await activeRebalances(books.map((book) => book.row.id));
    const settings = await loadRebalanceSettings(sql);
    return books.map((book) => {
      const drift = driftOfBook(book, settings);
      return {
        portfolio_id: book.row.id,
        account_number: book.row.account_number,
        client_id: book.row.client_id,
        client_name: book.row.client_name,
        advisor_id: book.row.advisor_id,
        model_id: book.model.id,
        model_name: book.model.name,
        currency: book.row.currency,
        cash: wire(book.portfolio.cash),
        total_value: drift?.total_value ?? null,
        prices_as_of: book.prices_as_of,
        missing_prices: book.missing_prices,
        drift,
        active_rebalance: active.get(book.row.id) ?? null,
      };
    });
  }

  async function loadVisibleBook(actor: Actor, portfolioId: string): Promise<PortfolioBook> {
    const row = await getPortfolioRow(sql, portfolioId);
    if (!row) throw new HubError('PORTFOLIO_NOT_FOUND');
    if (!maySee(spec, actor, relationsOfRow(row))) throw new HubError('FORBIDDEN', 'You may not view this portfolio');
    const [book] = await loadPortfolioBooks(sql, priceSource, [row]);
    return book;
  }

  async function detail(actor: Actor, portfolioId: string): Promise<PortfolioDetail> {
    const book = await loadVisibleBook(actor, portfolioId);
    const [summary] = await summarize([book]);
    const symbol = (id: string) => book.securities.find((s) => s.id === id)!;
    const today = todayIn(config.REBALANCE_TIME_ZONE);
    const valuation = book.missing_prices.length ? null : valuePortfolio(book.portfolio, book.securities, book.prices);
    const heldIds = [...new Set(book.portfolio.lots.map((lot) => lot.securityId))].sort();
    const rebalances = await sql`
      SELECT process_id, status, amount, created_at, updated_at FROM processes
      WHERE process_type = 'rebalancing' AND detail ->> 'portfolio_id' = ${portfolioId}
      ORDER BY created_at DESC LIMIT 20`;
    return {
      ...summary,
      model: (({ targets, ...model }) => ({
        ...model,
        targets: targets.map((t) => ({ ...t, symbol: symbol(t.security_id).symbol })),
      }))(modelOnWire(book.model)),
      holdings: heldIds.map((securityId) => {
        const security = symbol(securityId);
        const row = valuation?.securities.find((s) => s.securityId === securityId);
        const lots = book.portfolio.lots.filter((lot) => lot.securityId === securityId);
        return {
          security_id: securityId,
          symbol: security.symbol,
          name: security.name,
          asset_class: security.assetClass,
          fractional: security.fractional,
          quantity: row?.quantity ?? wire(sumOf(lots.map((lot) => lot.quantity))),
          price: wire(book.prices[securityId] ?? 0),
          market_value: row?.marketValue ?? 0,
          weight: row?.weight ?? 0,
          lots: lots.map((lot) => {
            const valued = valuation?.lots.find((v) => v.lotId === lot.id);
            return {
              lot_id: lot.id,
              quantity: wire(lot.quantity),
              cost_basis_per_unit: wire(lot.costBasisPerUnit),
              acquired_on: lot.acquiredOn,
              market_value: valued?.marketValue ?? 0,
              unrealized_gain: valued?.unrealizedGain ?? 0,
              term: holdingTerm(lot.acquiredOn, today),
            };
          }),
        };
      }),
      rebalances: rebalances.map((r) => ({
        rebalance_id: r.process_id as string,
        status: r.status as string,
        proposal_value: r.amount === null ? null : wire(r.amount as string),
        created_at: new Date(r.created_at as string).toISOString(),
        updated_at: new Date(r.updated_at as string).toISOString(),
      })),
    };
  }

  return {
    auditRefusal,

    async listPortfolios(
      actor: Actor,
      filters: { client_id?: string; out_of_band?: boolean },
    ): Promise<PortfolioSummary[]> {
      const rows = await listPortfolioRows(sql, visibilityFilter(spec, actor), { client_id: filters.client_id });
      const summaries = await summarize(await loadPortfolioBooks(sql, priceSource, rows));
      return filters.out_of_band === undefined
        ? summaries
        : summaries.filter((s) => (s.drift?.out_of_band ?? false) === filters.out_of_band);
    },

    getPortfolio: detail,

    async listModels() {
      const models = await loadModels(sql);
      return models.map(modelOnWire);
    },

    /** The advisor moves the portfolio to another model; running rebalances keep the model they were proposed for. */
    async changeModel(
      actor: Actor,
      portfolioId: string,
      input: { model_id: string; reason: string },
    ): Promise<PortfolioDetail> {
      return audited(actor, 'change_model', { type: 'portfolio', id: portfolioId }, async () => {
        const row = await getPortfolioRow(sql, portfolioId);
        if (!row) throw new HubError('PORTFOLIO_NOT_FOUND');
        if (!mayRun(spec, 'change_model', actor, relationsOfRow(row)))
          throw new HubError('FORBIDDEN', "You may change the model only of your clients' portfolios");
        const models = await loadModels(sql);
        if (!models.some((m) => m.id === input.model_id)) {
          throw new HubError(
            'VALIDATION_FAILED',
            `model_id: no model ${input.model_id}; models: ${models.map((m) => m.id).join(', ')}`,
            { field: 'model_id' },
          );
        }
        if (input.model_id === row.model_id)
          throw new HubError('VALIDATION_FAILED', `model_id: the portfolio already follows ${input.model_id}`, {
            field: 'model_id',
          });
        await sql.begin(async (tx) => {
          await tx`UPDATE portfolios SET model_id = ${input.model_id}, updated_at = now() WHERE id = ${portfolioId}`;
          await appendAudit(tx, {
            process_type: 'portfolio',
            process_id: portfolioId,
            actor,
            action: 'change_model',
            outcome: 'accepted',
            details: { from_model: row.model_id, to_model: input.model_id, reason: input.reason },
          });
          await appendEvents(tx, spec.processType, null, [
            {
              type: 'portfolio.model_changed',
              payload: {
                portfolio_id: portfolioId,
                client_id: row.client_id,
                from_model: row.model_id,
                to_model: input.model_id,
                changed_by: actor.user_id,
                timestamp: new Date().toISOString(),
              },
            },
          ]);
        });
        return detail(actor, portfolioId);
      });
    },

    /** An advisor (or admin) starts a rebalance by hand; at most one runs per portfolio. */
    async startRebalance(actor: Actor, portfolioId: string, idempotencyKey?: string): Promise<RebalanceView> {
      return audited(actor, 'start_rebalance', { type: 'portfolio', id: portfolioId }, async () => {
        const row = await getPortfolioRow(sql, portfolioId);
        if (!row) throw new HubError('PORTFOLIO_NOT_FOUND');
        if (!mayRun(spec, 'start_rebalance', actor, relationsOfRow(row)))
          throw new HubError('FORBIDDEN', "You may rebalance only your clients' portfolios");
        const rebalanceId = newRebalanceId(actor, idempotencyKey);
        const input: RebalancingInput = {
          rebalance_id: rebalanceId,
          portfolio_id: portfolioId,
          trigger: 'manual',
          started_by: withoutScope(actor),
          order_retry: orderRetry,
        };
        const record = await withinCommandDeadline(() =>
          temporal.workflow.executeUpdateWithStart(startRebalanceUpdate, {
            args: [],
            startWorkflowOperation: new WithStartWorkflowOperation(REBALANCING_WORKFLOW_TYPE, {
              workflowId: rebalanceWorkflowId(deps.taskQueue, portfolioId),
              taskQueue: deps.taskQueue,
              args: [input],
              workflowIdConflictPolicy: 'USE_EXISTING',
            }),
          }),
        );
        if (record.rebalance_id !== rebalanceId) {
          throw new HubError(
            'REBALANCE_IN_PROGRESS',
            `A rebalance is already running for this portfolio: ${record.rebalance_id} (${record.status.replace(/_/g, ' ')})`,
            {
              rebalance_id: record.rebalance_id,
              status: record.status,
            },
          );
        }
        return view(await rebalanceKind(deps).resultOf(record, rebalanceId), actor);
      });
    },

    /** The drift check the Schedule runs, now; answers with what it found and started. */
    async runDriftCheck(actor: Actor): Promise<DriftCheckResult> {
      return audited(actor, 'run_drift_check', { type: 'portfolio', id: null }, async () => {
        if (!mayRun(spec, 'run_drift_check', actor, { client_user_id: null, advisor_id: null }))
          throw new HubError('FORBIDDEN', 'Only ops and administrators may run the drift check');
        const input: DriftCheckInput = { order_retry: orderRetry };
        const result = await temporal.workflow
          .execute<(input: DriftCheckInput) => Promise<DriftCheckResult>>(DRIFT_CHECK_WORKFLOW_TYPE, {
            workflowId: `${driftCheckScheduleId(deps.taskQueue)}/manual-${Date.now()}-${randomBytes(3).toString('hex')}`,
            taskQueue: deps.taskQueue,
            args: [input],
            workflowExecutionTimeout: '2 minutes',
          })
          .catch((error: unknown) => {
            if (error instanceof WorkflowFailedError)
              throw new HubError('SERVICE_UNAVAILABLE', 'The drift check did not finish; is a worker running?');
            throw error;
          });
        await appendAudit(sql, {
          process_type: 'portfolio',
          process_id: null,
          actor,
          action: 'run_drift_check',
          outcome: 'accepted',
          details: { ...result },
        });
        return result;
      });
    },

    runCommand(
      actor: Actor,
      rebalanceId: string,
      command: RebalanceCommand,
      input: object,
      idempotencyKey?: string,
    ): Promise<RebalanceView> {
      return commands.run(actor, rebalanceId, command, input, { idempotencyKey });
    },

    async getRebalance(actor: Actor, rebalanceId: string): Promise<RebalanceView> {
      const row = await commands.requireVisible(actor, rebalanceId, 'get_rebalance');
      return view({ record: row.detail, sla: row.sla }, actor);
    },

    /** For the audit and event endpoints: the rebalance, if this person may see it (a refusal is audited). */
    async requireVisible(actor: Actor, rebalanceId: string, action = 'get_rebalance'): Promise<RebalanceRecord> {
      return (await commands.requireVisible(actor, rebalanceId, action)).detail;
    },

    async listRebalances(actor: Actor, filters: Omit<ProcessFilters, 'process_type'>): Promise<RebalanceView[]> {
      const rows = await listProcesses(sql, visibilityFilter(spec, actor), {
        ...filters,
        process_type: spec.processType,
      });
      return commands.views(rows, actor);
    },
  };
}

export type RebalancingService = ReturnType<typeof createRebalancingService>;

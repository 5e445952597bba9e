import { ApplicationFailure, log } from '@temporalio/activity';
import type { Sql } from '../../db/client.js';
import { recordEvent } from '../../db/events.js';
import {
  getPortfolioRow,
  listPortfolioRows,
  loadPortfolioBooks,
  loadRebalanceSettings,
  loadRecentTrades,
  type PortfolioBook,
} from '../../db/portfolios.js';
import { toWireNumber } from '../../workflows/money.js';
import type { DriftCheckResult, RebalanceContext, Verification } from '../../workflows/rebalancing/definitions.js';
import { WASH_SALE_WINDOW_DAYS } from '../../workflows/rebalancing/proposal.js';
import { OrderRejectedError, type Custodian, type OrderRequest } from '../custodian/custodian.js';
import type { PriceSource } from '../../db/price-source.js';
import { daysBefore, todayIn } from '../rebalancing/firm-calendar.js';
import { driftOfBook } from '../rebalancing/portfolio-drift.js';
import type { OrderFillResult } from '../../workflows/rebalancing/rules.js';

export interface RebalancingActivityDeps {
  sql: Sql;
  custodian: Custodian;
  priceSource: PriceSource;
  timeZone: string;
}

/** The rebalancing workflows' side effects: loading what a proposal needs, orders, verification. */
export function createRebalancingActivities(deps: RebalancingActivityDeps) {
  const { sql, priceSource } = deps;

  async function loadBook(portfolioId: string, modelId?: string): Promise<PortfolioBook> {
    const row = await getPortfolioRow(sql, portfolioId);
    if (!row) throw ApplicationFailure.nonRetryable(`Portfolio ${portfolioId} not found`, 'PORTFOLIO_NOT_FOUND');
    const [book] = await loadPortfolioBooks(sql, priceSource, [modelId ? { ...row, model_id: modelId } : row]);
    if (book.missing_prices.length) {
      throw ApplicationFailure.nonRetryable(
        `No price for ${book.missing_prices.join(', ')}; import prices first`,
        'PRICE_NOT_AVAILABLE',
      );
    }
    return book;
  }

  return {
    async prepareRebalance(input: { portfolio_id: string }): Promise<RebalanceContext> {
      const book = await loadBook(input.portfolio_id);
      const asOf = todayIn(deps.timeZone);
      const settings = await loadRebalanceSettings(sql);
      return {
        portfolio: book.portfolio,
        client: {
          id: book.row.client_id,
          name: book.row.client_name,
          user_id: book.row.client_user_id,
          advisor_id: book.row.advisor_id,
        },
        model: {
          id: book.model.id,
          name: book.model.name,
          cashWeight: book.model.cashWeight,
          bands: book.model.bands,
          targets: book.model.targets,
        },
        securities: book.securities,
        prices: book.prices,
        prices_as_of: book.prices_as_of!,
        as_of: asOf,
        options: {
          ...settings.options,
          recentTrades: await loadRecentTrades(sql, input.portfolio_id, daysBefore(asOf, WASH_SALE_WINDOW_DAYS)),
        },
        compliance_threshold: settings.compliance_threshold,
      };
    },

    /**
     * Every portfolio at current prices. One that cannot be judged (a price missing, a broken model) is left
     * out and logged, so it never holds up the others.
     */
    async listPortfoliosOutOfBand(): Promise<{ checked: number; out_of_band: string[] }> {
      const books = await loadPortfolioBooks(sql, priceSource, await listPortfolioRows(sql, { all: true }));
      const settings = await loadRebalanceSettings(sql);
      const outOfBand: string[] = [];
      for (const book of books) {
        if (book.missing_prices.length) {
          log.warn('portfolio left out of the drift check: no price', {
            portfolio_id: book.row.id,
            missing: book.missing_prices,
          });
          continue;
        }
        try {
          if (driftOfBook(book, settings)?.out_of_band) outOfBand.push(book.row.id);
        } catch (error) {
          log.error('portfolio left out of the drift check', {
            portfolio_id: book.row.id,
            error: (error as Error).message,
          });
        }
      }
      return { checked: books.length, out_of_band: outOfBand };
    },

    async recordDriftCheck(result: DriftCheckResult): Promise<void> {
      await recordEvent(sql, 'rebalancing', null, {
        type: 'portfolio.drift_checked',
        payload: {
          checked: result.checked,
          out_of_band: result.out_of_band,
          started: result.started,
          already_running: result.already_running,
          timestamp: new Date().toISOString(),
        },
      });
    },

    async placeOrder(order: OrderRequest): Promise<OrderFillResult> {
      try {
        const fill = await deps.custodian.placeOrder(order);
        return {
          order_id: fill.order_id,
          fill_price: fill.fill_price,
          fill_quantity: fill.fill_quantity,
          commission: fill.commission,
          realized_gain: fill.realized_gain,
          filled_at: fill.filled_at,
        };
      } catch (error) {
        if (error instanceof OrderRejectedError) throw ApplicationFailure.nonRetryable(error.message, 'ORDER_REJECTED');
        throw error;
      }
    },

    async verifyRebalance(input: { portfolio_id: string; model_id: string }): Promise<Verification> {
      const book = await loadBook(input.portfolio_id, input.model_id);
      const drift = driftOfBook(book, await loadRebalanceSettings(sql))!;
      return {
        ...drift,
        checked_at: new Date().toISOString(),
        within_bands: !drift.out_of_band,
        cash_after: toWireNumber(book.portfolio.cash),
      };
    },
  };
}

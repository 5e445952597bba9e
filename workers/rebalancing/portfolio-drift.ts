import type { Queryable } from '../../db/client.js';
import { loadRebalanceSettings, type PortfolioBook } from '../../db/portfolios.js';
import type { DriftSummary } from '../../workflows/rebalancing/definitions.js';
import { driftOf } from '../../workflows/rebalancing/rules.js';

/**
 * A portfolio's drift at its book's prices, judged as the drift check judges it (the model with the cash
 * buffer applied); null when something it holds or should hold has no price.
 */
export async function driftOfBook(db: Queryable, book: PortfolioBook): Promise<DriftSummary | null> {
  if (book.missing_prices.length) return null;
  const { options } = await loadRebalanceSettings(db);
  return driftOf({ portfolio: book.portfolio, model: book.model, securities: book.securities, prices: book.prices, options: { ...options, recentTrades: [] } });
}

import type { PortfolioBook, RebalanceSettings } from '../../db/portfolios.js';
import type { DriftSummary } from '../../workflows/rebalancing/definitions.js';
import { driftOf } from '../../workflows/rebalancing/proposal-record.js';

/**
 * A portfolio's drift at its book's prices, judged as the drift check judges it (the model with the cash
 * buffer applied); null when something it holds or should hold has no price.
 */
export function driftOfBook(book: PortfolioBook, settings: RebalanceSettings): DriftSummary | null {
  if (book.missing_prices.length) return null;
  return driftOf({
    portfolio: book.portfolio,
    model: book.model,
    securities: book.securities,
    prices: book.prices,
    options: { ...settings.options, recentTrades: [] },
  });
}

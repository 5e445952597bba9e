import type { DriftSummary, EditedTrade, ProposalRecord, RebalanceContext, TradeRecord } from './definitions.js';
import { decimal, fixed, minorUnitsOf, roundToCurrency, sumOf, toWireNumber, type Numeric } from '../money.js';
import {
  computeDrift,
  indexSecurities,
  roundQuantity,
  summarizeWeights,
  valuePortfolio,
  type DriftMeasure,
  type DriftReport,
  type ModelPortfolio,
  type Security,
  type WeightSnapshot,
} from './portfolio-math.js';
import {
  applyCashBuffer,
  applyFills,
  detectWashSale,
  estimateCommission,
  proposeRebalance,
  selectLotsForSale,
  type Proposal,
  type ProposedTrade,
} from './proposal.js';

/**
 * A rebalance's proposal as the process records it (snake_case, JSON-safe): made from the pure math, revised
 * when the advisor edits the trades, summarized with its drift and a rationale in words. Deterministic.
 */

/** Why a command or an edit is refused: an error code of the spec, and a message for people. */
export interface Refusal {
  code: string;
  message?: string;
  details?: Record<string, unknown>;
}

export const refuse = (code: string, message?: string, details?: Record<string, unknown>): Refusal => ({
  code,
  message,
  details,
});
export const isRefusal = (value: object): value is Refusal =>
  'code' in value && typeof (value as Refusal).code === 'string';

/** The model as drift is judged: its cash weight raised to the firm's cash buffer, so a rebalanced portfolio is in band. */
export function effectiveModel(model: ModelPortfolio, cashBufferWeight: Numeric): ModelPortfolio {
  return applyCashBuffer(model, cashBufferWeight);
}

const symbolOf = (securities: readonly Security[], securityId: string) =>
  securities.find((s) => s.id === securityId)?.symbol ?? securityId;

function toRow(measure: DriftMeasure) {
  return {
    target: measure.target,
    actual: measure.actual,
    deviation: measure.absoluteDeviation,
    tolerance: measure.tolerance,
    out_of_band: measure.outOfBand,
  };
}

export function summarizeDrift(report: DriftReport, securities: readonly Security[]): DriftSummary {
  return {
    total_value: report.totalValue,
    max_abs_drift: report.maxAbsoluteDrift,
    drift_score: report.driftScore,
    out_of_band: report.outOfBand,
    asset_classes: report.assetClasses.map((row) => ({ asset_class: row.assetClass, ...toRow(row) })),
    securities: report.securities.map((row) => ({
      security_id: row.securityId,
      symbol: symbolOf(securities, row.securityId),
      ...toRow(row),
    })),
    cash: toRow(report.cash),
  };
}

/** Drift of the context's portfolio, against the model with the cash buffer applied. */
export function driftOf(
  context: Pick<RebalanceContext, 'portfolio' | 'model' | 'securities' | 'prices' | 'options'>,
): DriftSummary {
  const model = effectiveModel(context.model, context.options.cashBufferWeight);
  return summarizeDrift(computeDrift(context.portfolio, model, context.securities, context.prices), context.securities);
}

function toWeights(snapshot: WeightSnapshot) {
  return {
    total_value: snapshot.totalValue,
    cash: snapshot.cash,
    by_security: snapshot.bySecurity,
    by_asset_class: snapshot.byAssetClass,
  };
}

function toTradeRecord(trade: ProposedTrade, securities: readonly Security[]): TradeRecord {
  return {
    security_id: trade.securityId,
    symbol: symbolOf(securities, trade.securityId),
    side: trade.side,
    quantity: trade.quantity,
    price: trade.price,
    value: trade.value,
    commission: trade.commission,
    lots: (trade.lots ?? []).map((lot) => ({
      lot_id: lot.lotId,
      acquired_on: lot.acquiredOn,
      quantity: lot.quantity,
      cost_basis_per_unit: lot.costBasisPerUnit,
      realized_gain: lot.realizedGain,
      term: lot.term,
    })),
    wash_sale: trade.washSale
      ? { reason: trade.washSale.reason, related_trade_date: trade.washSale.relatedTradeDate }
      : null,
  };
}

export function toProposalRecord(proposal: Proposal, securities: readonly Security[]): ProposalRecord {
  return {
    as_of: proposal.asOf,
    model_id: proposal.modelId,
    effective_cash_weight: proposal.effectiveCashWeight,
    buy_scale_factor: proposal.buyScaleFactor,
    trades: proposal.trades.map((trade) => toTradeRecord(trade, securities)),
    skipped: proposal.skipped.map((s) => ({
      security_id: s.securityId,
      symbol: symbolOf(securities, s.securityId),
      side: s.side,
      value: s.value,
      reason: s.reason,
    })),
    before: toWeights(proposal.before),
    after: toWeights(proposal.after),
    estimated_realized_gains: {
      short_term: proposal.estimatedRealizedGains.shortTerm,
      long_term: proposal.estimatedRealizedGains.longTerm,
      total: proposal.estimatedRealizedGains.total,
    },
    estimated_costs: proposal.estimatedCosts,
    total_buy_value: proposal.totalBuyValue,
    total_sell_value: proposal.totalSellValue,
    cash_after: proposal.cashAfter,
    within_bands_after: proposal.withinBandsAfter,
  };
}

export function proposeFor(context: RebalanceContext): ProposalRecord {
  const proposal = proposeRebalance({
    portfolio: context.portfolio,
    model: context.model,
    securities: context.securities,
    prices: context.prices,
    asOf: context.as_of,
    options: context.options,
  });
  return toProposalRecord(proposal, context.securities);
}

const sumWire = (values: Numeric[]) => toWireNumber(sumOf(values));

/**
 * The advisor's own trades instead of the proposed ones: each checked (known security, positive quantity,
 * whole shares where required, no more sold than held, not under the minimum trade, cash enough for the
 * buys), then costed, lot-chosen and wash-sale-checked exactly like a proposal.
 */
export function reviseProposal(context: RebalanceContext, trades: readonly EditedTrade[]): ProposalRecord | Refusal {
  if (trades.length === 0)
    return refuse('VALIDATION_FAILED', 'trades: give at least one trade; to trade nothing, decline the proposal', {
      field: 'trades',
    });
  const index = indexSecurities(context.securities);
  const { portfolio, options, as_of: asOf } = context;
  const { currency } = portfolio;
  const places = minorUnitsOf(currency);
  const held = (securityId: string) =>
    roundQuantity(sumOf(portfolio.lots.filter((lot) => lot.securityId === securityId).map((lot) => lot.quantity)));
  const invalid = (i: number, message: string) =>
    refuse('INVALID_TRADE', `trades[${i}]: ${message}`, { field: `trades.${i}` });

  const seen = new Set<string>();
  const sized: ProposedTrade[] = [];
  for (const [i, trade] of trades.entries()) {
    const security = index.get(trade.security_id);
    if (!security) return invalid(i, `unknown security ${trade.security_id}`);
    if (seen.has(security.id)) return invalid(i, `${security.symbol} is traded twice; give one trade per security`);
    seen.add(security.id);
    if (!Number.isFinite(trade.quantity) || trade.quantity <= 0) return invalid(i, 'quantity must be greater than 0');
    const quantity = decimal(trade.quantity);
    if (!roundQuantity(quantity).eq(quantity)) return invalid(i, 'quantity has more than 6 decimals');
    if (!security.fractional && !quantity.isInteger())
      return invalid(i, `${security.symbol} trades in whole shares only`);
    const price = context.prices[security.id];
    if (price === undefined) return refuse('PRICE_NOT_AVAILABLE', `No price for ${security.symbol}`);
    const value = roundToCurrency(quantity.times(price), currency);
    if (value.lt(options.minTradeValue)) {
      return invalid(
        i,
        `${security.symbol} trade value ${fixed(value, places)} is below the minimum trade value ${fixed(options.minTradeValue, places)}`,
      );
    }
    const proposed: ProposedTrade = {
      securityId: security.id,
      side: trade.side,
      quantity: toWireNumber(quantity),
      price: toWireNumber(price),
      value: toWireNumber(value),
      commission: toWireNumber(estimateCommission(value, options, currency)),
    };
    if (trade.side === 'sell') {
      const holding = held(security.id);
      if (quantity.gt(holding))
        return invalid(
          i,
          `sells ${quantity.toFixed()} ${security.symbol} but the portfolio holds ${holding.toFixed()}`,
        );
      proposed.lots = selectLotsForSale(
        portfolio.lots.filter((lot) => lot.securityId === security.id),
        quantity,
        price,
        asOf,
        currency,
      );
    }
    const washSale = detectWashSale(proposed, options.recentTrades, asOf);
    sized.push(washSale ? { ...proposed, washSale } : proposed);
  }

  const bySecurity = (a: ProposedTrade, b: ProposedTrade) =>
    a.securityId < b.securityId ? -1 : a.securityId > b.securityId ? 1 : 0;
  const sells = sized.filter((t) => t.side === 'sell').sort(bySecurity);
  const buys = sized.filter((t) => t.side === 'buy').sort(bySecurity);
  const ordered = [...sells, ...buys];
  const proceeds = sumOf(sells.map((t) => decimal(t.value).minus(t.commission)));
  const spend = sumOf(buys.map((t) => decimal(t.value).plus(t.commission)));
  const cashAfter = roundToCurrency(decimal(portfolio.cash).plus(proceeds).minus(spend), currency);
  if (cashAfter.lt(0)) {
    const short = fixed(cashAfter.neg(), places);
    return refuse(
      'INVALID_TRADE',
      `the buys and costs need ${short} ${currency} more cash than the portfolio has after the sells`,
      { field: 'trades' },
    );
  }

  const projected = applyFills(portfolio, ordered, asOf);
  const gains = ordered.flatMap((t) => t.lots ?? []);
  const model = effectiveModel(context.model, options.cashBufferWeight);
  return toProposalRecord(
    {
      portfolioId: portfolio.id,
      modelId: context.model.id,
      asOf,
      effectiveCashWeight: toWireNumber(model.cashWeight),
      buyScaleFactor: 1,
      trades: ordered,
      skipped: [],
      before: summarizeWeights(valuePortfolio(portfolio, context.securities, context.prices)),
      after: summarizeWeights(valuePortfolio(projected, context.securities, context.prices)),
      estimatedRealizedGains: {
        shortTerm: sumWire(gains.filter((g) => g.term === 'short').map((g) => g.realizedGain)),
        longTerm: sumWire(gains.filter((g) => g.term === 'long').map((g) => g.realizedGain)),
        total: sumWire(gains.map((g) => g.realizedGain)),
      },
      estimatedCosts: sumWire(ordered.map((t) => t.commission)),
      totalBuyValue: sumWire(buys.map((t) => t.value)),
      totalSellValue: sumWire(sells.map((t) => t.value)),
      cashAfter: toWireNumber(cashAfter),
      withinBandsAfter: !computeDrift(projected, model, context.securities, context.prices).outOfBand,
    },
    context.securities,
  );
}

export const proposalValue = (proposal: ProposalRecord) =>
  sumWire([proposal.total_buy_value, proposal.total_sell_value]);

/** A weight as a percentage with one decimal, for people. */
export const percent = (weight: Numeric) => `${fixed(decimal(weight).times(100), 1)}%`;
/** A weight difference in percentage points, for people. */
export const points = (weight: Numeric) => `${fixed(decimal(weight).times(100), 1)} pts`;
/** An amount at its currency's precision, without locale (the workflow sandbox formats deterministically). */
export const money = (value: Numeric, currency: string) => fixed(value, minorUnitsOf(currency));

/** Why this rebalance, in words: what is out of band, what the trades do, and what they cost in taxes and fees. */
export function rationaleFor(
  modelName: string,
  pricesAsOf: string,
  drift: DriftSummary,
  proposal: ProposalRecord,
  currency: string,
): string {
  const outOfBand = [
    ...drift.asset_classes.filter((row) => row.out_of_band).map((row) => ({ name: row.asset_class, ...row })),
    ...drift.securities.filter((row) => row.out_of_band).map((row) => ({ name: row.symbol, ...row })),
    ...(drift.cash.out_of_band ? [{ name: 'cash', ...drift.cash }] : []),
  ];
  const why = outOfBand.length
    ? `Out of band: ${outOfBand.map((row) => `${row.name} ${percent(row.actual)} vs target ${percent(row.target)} (band ±${points(row.tolerance)})`).join('; ')}.`
    : `Within bands (largest drift ${points(drift.max_abs_drift)}); started by hand.`;
  const sells = proposal.trades.filter((t) => t.side === 'sell');
  const buys = proposal.trades.filter((t) => t.side === 'buy');
  const gains = proposal.estimated_realized_gains;
  const washSales = proposal.trades.filter((t) => t.wash_sale).map((t) => t.symbol);
  return [
    `${modelName} model, prices as of ${pricesAsOf}.`,
    why,
    `Trades: sell ${sells.map((t) => `${t.quantity} ${t.symbol}`).join(', ') || 'nothing'} (${money(proposal.total_sell_value, currency)} ${currency}); buy ${
      buys.map((t) => `${t.quantity} ${t.symbol}`).join(', ') || 'nothing'
    } (${money(proposal.total_buy_value, currency)} ${currency}).`,
    `Estimated realized gains ${money(gains.total, currency)} (short-term ${money(gains.short_term, currency)}, long-term ${money(gains.long_term, currency)}); costs ${money(proposal.estimated_costs, currency)}.`,
    washSales.length ? `Possible wash sale: ${washSales.join(', ')}.` : null,
    proposal.skipped.length
      ? `Skipped: ${proposal.skipped.map((s) => `${s.side} ${s.symbol} (${s.reason})`).join('; ')}.`
      : null,
    proposal.within_bands_after ? 'Within bands after the trades.' : 'Still outside some band after the trades.',
  ]
    .filter((line): line is string => line !== null)
    .join(' ');
}

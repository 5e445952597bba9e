/**
 * Pure portfolio math for rebalancing: types, rounding, valuation, weights and drift.
 *
 * This file runs inside Temporal's deterministic workflow sandbox, so it imports nothing impure, never
 * reads the clock and never draws random numbers. Every result is a plain JSON-safe value.
 *
 * Numbers: inputs are decimals (numeric text from PostgreSQL or JSON numbers) and all arithmetic is
 * decimal (../money.ts). Money is rounded to the currency's minor unit, quantities to 6 decimals and
 * weights/ratios to 10 decimals; results are the JSON numbers that carry those decimals exactly, so
 * binary float noise (0.1 + 0.2) never shows up in a result, a band test or a trade.
 */
import {
  decimal,
  maxOf,
  minOf,
  quantize,
  roundToCurrency,
  sumOf,
  toWireNumber,
  ZERO,
  type Dec,
  type Numeric,
} from '../money.js';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** A calendar date, 'YYYY-MM-DD'. */
export type IsoDate = string;

export interface TaxLot {
  id: string;
  securityId: string;
  quantity: Numeric;
  costBasisPerUnit: Numeric;
  acquiredOn: IsoDate;
}

export interface Portfolio {
  id: string;
  accountNumber: string;
  cash: Numeric;
  currency: string;
  lots: TaxLot[];
}

export interface Security {
  id: string;
  symbol: string;
  name: string;
  assetClass: string;
  /** Whether the security trades in fractions of a unit; otherwise only whole shares. */
  fractional: boolean;
}

/** Price per unit, keyed by security id. */
export type Prices = Readonly<Record<string, Numeric>>;

export interface ModelTarget {
  securityId: string;
  assetClass: string;
  weight: Numeric;
}

export interface DriftBands {
  /** Absolute band in weight units: 0.05 = ±5 percentage points. */
  absolute: Numeric;
  /** Relative band as a fraction of the target: 0.25 = ±25% of the target weight. */
  relative: Numeric;
  /**
   * The relative band never gets tighter than this (weight units), so a 1% sleeve is not flagged by
   * a 0.3-point wiggle. Defaults to DEFAULT_RELATIVE_FLOOR.
   */
  relativeFloor?: Numeric;
}

export interface ModelPortfolio {
  id: string;
  name: string;
  /** Target weights; together with cashWeight they sum to 1. */
  targets: ModelTarget[];
  cashWeight: Numeric;
  bands: DriftBands;
}

// ---------------------------------------------------------------------------------------------
// Rounding
// ---------------------------------------------------------------------------------------------

export const QUANTITY_DECIMALS = 6;
export const RATIO_DECIMALS = 10;

/** Quantities to 6 decimals. */
export function roundQuantity(value: Numeric): Dec {
  return quantize(value, QUANTITY_DECIMALS);
}

/** Weights, deviations and other ratios to 10 decimals: far below a basis point. */
export function roundRatio(value: Numeric): Dec {
  return quantize(value, RATIO_DECIMALS);
}

/** A tradable quantity, rounded down: whole units, or 6 decimals for fractional securities. */
export function floorQuantity(value: Numeric, fractional: boolean): Dec {
  return quantize(maxOf(0, value), fractional ? QUANTITY_DECIMALS : 0, 'down');
}

function ratio(part: Numeric, whole: Numeric): Dec {
  return decimal(whole).isZero() ? ZERO : roundRatio(decimal(part).div(whole));
}

const wire = toWireNumber;

// ---------------------------------------------------------------------------------------------
// Look-ups
// ---------------------------------------------------------------------------------------------

export type SecurityIndex = ReadonlyMap<string, Security>;

export function indexSecurities(securities: readonly Security[]): SecurityIndex {
  const index = new Map<string, Security>();
  for (const security of securities) {
    if (index.has(security.id)) throw new Error(`security ${security.id} is listed twice`);
    index.set(security.id, security);
  }
  return index;
}

export function requireSecurity(index: SecurityIndex, securityId: string): Security {
  const security = index.get(securityId);
  if (!security) throw new Error(`unknown security ${securityId}: it is not in the securities list`);
  return security;
}

/** The price of a security; throws naming the security when it is missing or not a positive number. */
export function requirePrice(prices: Prices, security: Security): Dec {
  const price = prices[security.id];
  if (price === undefined) throw new Error(`No price for security ${security.symbol} (${security.id})`);
  const invalid = () => new Error(`Invalid price ${String(price)} for security ${security.symbol} (${security.id})`);
  let exact: Dec;
  try {
    exact = decimal(price);
  } catch {
    throw invalid();
  }
  if (exact.lte(0)) throw invalid();
  return exact;
}

// ---------------------------------------------------------------------------------------------
// Valuation
// ---------------------------------------------------------------------------------------------

export interface LotValuation {
  lotId: string;
  securityId: string;
  quantity: number;
  price: number;
  marketValue: number;
  costBasis: number;
  unrealizedGain: number;
}

export interface SecurityValuation {
  securityId: string;
  assetClass: string;
  quantity: number;
  price: number;
  marketValue: number;
  weight: number;
}

export interface AssetClassValuation {
  assetClass: string;
  marketValue: number;
  weight: number;
}

export interface PortfolioValuation {
  portfolioId: string;
  currency: string;
  cash: number;
  cashWeight: number;
  securitiesValue: number;
  /** Securities plus cash. */
  totalValue: number;
  lots: LotValuation[];
  /** Sorted by security id. */
  securities: SecurityValuation[];
  /** Sorted by asset class. */
  assetClasses: AssetClassValuation[];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Market value per lot, security and asset class, the total including cash, and weights. A
 * security's value is the sum of its (minor-unit-rounded) lot values, so the parts always add up.
 */
export function valuePortfolio(
  portfolio: Portfolio,
  securities: readonly Security[],
  prices: Prices,
): PortfolioValuation {
  const index = indexSecurities(securities);
  const money = (value: Numeric) => roundToCurrency(value, portfolio.currency);
  const lots = portfolio.lots.map((lot) => {
    const quantity = decimal(lot.quantity);
    if (quantity.lte(0)) throw new Error(`lot ${lot.id} has a non-positive quantity (${String(lot.quantity)})`);
    const price = requirePrice(prices, requireSecurity(index, lot.securityId));
    const marketValue = money(quantity.times(price));
    const costBasis = money(quantity.times(lot.costBasisPerUnit));
    return { lot, quantity, price, marketValue, costBasis };
  });

  const bySecurity = new Map<string, { quantity: Dec; marketValue: Dec; price: Dec }>();
  for (const { lot, quantity, price, marketValue } of lots) {
    const entry = bySecurity.get(lot.securityId) ?? { quantity: ZERO, marketValue: ZERO, price };
    bySecurity.set(lot.securityId, {
      ...entry,
      quantity: entry.quantity.plus(quantity),
      marketValue: entry.marketValue.plus(marketValue),
    });
  }

  const cash = money(portfolio.cash);
  const securitiesValue = sumOf([...bySecurity.values()].map((entry) => entry.marketValue));
  const totalValue = securitiesValue.plus(cash);

  const held = [...bySecurity.entries()].sort(([a], [b]) => compareStrings(a, b));
  const byClass = new Map<string, Dec>();
  for (const [securityId, entry] of held) {
    const { assetClass } = requireSecurity(index, securityId);
    byClass.set(assetClass, (byClass.get(assetClass) ?? ZERO).plus(entry.marketValue));
  }

  return {
    portfolioId: portfolio.id,
    currency: portfolio.currency,
    cash: wire(cash),
    cashWeight: wire(ratio(cash, totalValue)),
    securitiesValue: wire(securitiesValue),
    totalValue: wire(totalValue),
    lots: lots.map(({ lot, quantity, price, marketValue, costBasis }) => ({
      lotId: lot.id,
      securityId: lot.securityId,
      quantity: wire(quantity),
      price: wire(price),
      marketValue: wire(marketValue),
      costBasis: wire(costBasis),
      unrealizedGain: wire(marketValue.minus(costBasis)),
    })),
    securities: held.map(([securityId, entry]) => ({
      securityId,
      assetClass: requireSecurity(index, securityId).assetClass,
      quantity: wire(entry.quantity),
      price: wire(entry.price),
      marketValue: wire(entry.marketValue),
      weight: wire(ratio(entry.marketValue, totalValue)),
    })),
    assetClasses: [...byClass.entries()]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([assetClass, marketValue]) => ({
        assetClass,
        marketValue: wire(marketValue),
        weight: wire(ratio(marketValue, totalValue)),
      })),
  };
}

/** Weights in a compact, JSON-friendly shape (used for a proposal's before/after). */
export interface WeightSnapshot {
  totalValue: number;
  cash: number;
  bySecurity: Record<string, number>;
  byAssetClass: Record<string, number>;
}

export function summarizeWeights(valuation: PortfolioValuation): WeightSnapshot {
  return {
    totalValue: valuation.totalValue,
    cash: valuation.cashWeight,
    bySecurity: Object.fromEntries(valuation.securities.map((row) => [row.securityId, row.weight])),
    byAssetClass: Object.fromEntries(valuation.assetClasses.map((row) => [row.assetClass, row.weight])),
  };
}

// ---------------------------------------------------------------------------------------------
// Drift
// ---------------------------------------------------------------------------------------------

/** Half a percentage point: below this the relative band is noise, not signal. */
export const DEFAULT_RELATIVE_FLOOR = '0.005';

/** Weights of a model must sum to 1 within this (allows for e.g. three thirds). */
const WEIGHT_SUM_TOLERANCE = '0.000001';

/**
 * The widely used "5/25" band rule. A position is out of band when its absolute deviation exceeds
 * the absolute band OR its relative deviation exceeds the relative band, i.e. when
 * |actual − target| > min(absolute, relative × target). Big sleeves are policed by the absolute
 * band, small ones by the relative band, which is floored at `relativeFloor` so tiny targets are
 * not flagged by noise. Exactly at the tolerance is still within band.
 */
function bandWidth(target: Numeric, bands: DriftBands): Dec {
  const floor = bands.relativeFloor ?? DEFAULT_RELATIVE_FLOOR;
  return roundRatio(minOf(bands.absolute, maxOf(decimal(bands.relative).times(target), floor)));
}

/**
 * Tolerance for a security or asset class. A target of 0 means "must not hold" (held but not in
 * the model), so its tolerance is 0: any holding of it is out of band and gets sold.
 */
export function bandTolerance(target: Numeric, bands: DriftBands): number {
  return decimal(target).isZero() ? 0 : wire(bandWidth(target, bands));
}

export interface DriftMeasure {
  target: number;
  actual: number;
  /** actual − target, signed. */
  absoluteDeviation: number;
  /** (actual − target) / target, signed; null when the target is 0. */
  relativeDeviation: number | null;
  /** Largest |absoluteDeviation| still within band. */
  tolerance: number;
  outOfBand: boolean;
}

export interface SecurityDrift extends DriftMeasure {
  securityId: string;
  assetClass: string;
  marketValue: number;
  inModel: boolean;
}

export interface AssetClassDrift extends DriftMeasure {
  assetClass: string;
  marketValue: number;
}

export interface DriftReport {
  portfolioId: string;
  modelId: string;
  totalValue: number;
  /** Every security held or in the model, sorted by id. */
  securities: SecurityDrift[];
  /** Every asset class held or in the model, sorted. */
  assetClasses: AssetClassDrift[];
  /** Cash is band-tested like a position (a big deposit is drift too), but never "must not hold". */
  cash: DriftMeasure;
  /** Largest |absolute deviation| over securities, asset classes and cash. */
  maxAbsoluteDrift: number;
  /** Σ|deviation| over securities and cash, halved: the share of the portfolio that must change hands. */
  driftScore: number;
  outOfBand: boolean;
}

function measureDrift(target: Numeric, actual: Numeric, tolerance: Numeric): DriftMeasure {
  const exactTarget = roundRatio(target);
  const deviation = roundRatio(decimal(actual).minus(exactTarget));
  return {
    target: wire(exactTarget),
    actual: wire(actual),
    absoluteDeviation: wire(deviation),
    relativeDeviation: exactTarget.isZero() ? null : wire(roundRatio(deviation.div(exactTarget))),
    tolerance: wire(tolerance),
    outOfBand: deviation.abs().gt(tolerance),
  };
}

/** Throws unless the model is coherent with the securities list and its weights sum to 1. */
export function validateModel(model: ModelPortfolio, index: SecurityIndex): void {
  const seen = new Set<string>();
  const nonNegative = (value: Numeric | undefined) => value === undefined || decimal(value).gte(0);
  for (const target of model.targets) {
    if (seen.has(target.securityId)) throw new Error(`model ${model.id} lists ${target.securityId} twice`);
    seen.add(target.securityId);
    const security = requireSecurity(index, target.securityId);
    if (security.assetClass !== target.assetClass) {
      throw new Error(
        `model ${model.id} puts ${security.symbol} in ${target.assetClass}, but the security is ${security.assetClass}`,
      );
    }
    if (!nonNegative(target.weight)) throw new Error(`model ${model.id} has a negative weight for ${security.symbol}`);
  }
  if (!nonNegative(model.cashWeight)) throw new Error(`model ${model.id} has a negative cash weight`);
  const sum = sumOf([model.cashWeight, ...model.targets.map((target) => target.weight)]);
  if (sum.minus(1).abs().gt(WEIGHT_SUM_TOLERANCE))
    throw new Error(`model ${model.id} weights sum to ${sum.toFixed()}, not 1`);
  if (
    !nonNegative(model.bands.absolute) ||
    !nonNegative(model.bands.relative) ||
    !nonNegative(model.bands.relativeFloor)
  ) {
    throw new Error(`model ${model.id} has a negative band`);
  }
}

/**
 * Drift of a portfolio from a model, per security, per asset class and for cash. Securities held
 * but absent from the model have target 0 and are always out of band.
 */
export function computeDrift(
  portfolio: Portfolio,
  model: ModelPortfolio,
  securities: readonly Security[],
  prices: Prices,
): DriftReport {
  const index = indexSecurities(securities);
  validateModel(model, index);
  const valuation = valuePortfolio(portfolio, securities, prices);
  const held = new Map(valuation.securities.map((row) => [row.securityId, row]));
  const targets = new Map(model.targets.map((target) => [target.securityId, target.weight]));

  const securityIds = [...new Set([...held.keys(), ...targets.keys()])].sort(compareStrings);
  const securityRows: SecurityDrift[] = securityIds.map((securityId) => {
    const target = targets.get(securityId) ?? 0;
    const row = held.get(securityId);
    return {
      securityId,
      assetClass: requireSecurity(index, securityId).assetClass,
      marketValue: row?.marketValue ?? 0,
      inModel: targets.has(securityId),
      ...measureDrift(target, row?.weight ?? 0, bandTolerance(target, model.bands)),
    };
  });

  const classTargets = new Map<string, Dec>();
  for (const target of model.targets) {
    classTargets.set(target.assetClass, (classTargets.get(target.assetClass) ?? ZERO).plus(target.weight));
  }
  const classHeld = new Map(valuation.assetClasses.map((row) => [row.assetClass, row]));
  const classes = [...new Set([...classHeld.keys(), ...classTargets.keys()])].sort(compareStrings);
  const classRows: AssetClassDrift[] = classes.map((assetClass) => {
    const target = classTargets.get(assetClass) ?? ZERO;
    const row = classHeld.get(assetClass);
    return {
      assetClass,
      marketValue: row?.marketValue ?? 0,
      ...measureDrift(target, row?.weight ?? 0, bandTolerance(target, model.bands)),
    };
  });

  const cash = measureDrift(model.cashWeight, valuation.cashWeight, bandWidth(model.cashWeight, model.bands));
  const rows: DriftMeasure[] = [...securityRows, ...classRows, cash];
  const deviations = (list: DriftMeasure[]) => list.map((row) => decimal(row.absoluteDeviation).abs());
  const turnover = sumOf(deviations([...securityRows, cash]));

  return {
    portfolioId: portfolio.id,
    modelId: model.id,
    totalValue: valuation.totalValue,
    securities: securityRows,
    assetClasses: classRows,
    cash,
    maxAbsoluteDrift: wire(maxOf(0, ...deviations(rows))),
    driftScore: wire(roundRatio(turnover.div(2))),
    outOfBand: rows.some((row) => row.outOfBand),
  };
}

/**
 * Pure portfolio math for rebalancing: types, rounding, valuation, weights and drift.
 *
 * This file runs inside Temporal's deterministic workflow sandbox, so it imports nothing, never
 * reads the clock and never draws random numbers. Every result is a plain JSON-safe value.
 *
 * Numbers: money is rounded to cents, quantities to 6 decimals and weights/ratios to 10 decimals,
 * all through `roundTo`, so binary float noise (0.1 + 0.2) never shows up in a result, a band test
 * or a trade.
 */

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** A calendar date, 'YYYY-MM-DD'. */
export type IsoDate = string;

export interface TaxLot {
  id: string;
  securityId: string;
  quantity: number;
  costBasisPerUnit: number;
  acquiredOn: IsoDate;
}

export interface Portfolio {
  id: string;
  accountNumber: string;
  cash: number;
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
export type Prices = Readonly<Record<string, number>>;

export interface ModelTarget {
  securityId: string;
  assetClass: string;
  weight: number;
}

export interface DriftBands {
  /** Absolute band in weight units: 0.05 = ±5 percentage points. */
  absolute: number;
  /** Relative band as a fraction of the target: 0.25 = ±25% of the target weight. */
  relative: number;
  /**
   * The relative band never gets tighter than this (weight units), so a 1% sleeve is not flagged by
   * a 0.3-point wiggle. Defaults to DEFAULT_RELATIVE_FLOOR.
   */
  relativeFloor?: number;
}

export interface ModelPortfolio {
  id: string;
  name: string;
  /** Target weights; together with cashWeight they sum to 1. */
  targets: ModelTarget[];
  cashWeight: number;
  bands: DriftBands;
}

// ---------------------------------------------------------------------------------------------
// Rounding
// ---------------------------------------------------------------------------------------------

export const MONEY_DECIMALS = 2;
export const QUANTITY_DECIMALS = 6;
export const RATIO_DECIMALS = 10;

export type RoundingMode = 'nearest' | 'down' | 'up';

/**
 * Rounds to `decimals` places: 'nearest' is half away from zero, 'down'/'up' go towards zero/away
 * from zero. The scaled value is first cut to 15 significant digits (what a double holds exactly),
 * so 1.005 → 1.01 and 0.3 / 0.1 floors to 3, not 2. Never returns -0.
 */
export function roundTo(value: number, decimals: number, mode: RoundingMode = 'nearest'): number {
  if (!Number.isFinite(value)) throw new Error(`cannot round a non-finite number (${value})`);
  const factor = 10 ** decimals;
  const scaled = Number((Math.abs(value) * factor).toPrecision(15));
  const whole = mode === 'nearest' ? Math.round(scaled) : mode === 'down' ? Math.floor(scaled) : Math.ceil(scaled);
  const result = (Math.sign(value) * whole) / factor;
  return result === 0 ? 0 : result;
}

/** Money to cents, half away from zero. */
export function roundMoney(value: number): number {
  return roundTo(value, MONEY_DECIMALS);
}

/** Quantities to 6 decimals. */
export function roundQuantity(value: number): number {
  return roundTo(value, QUANTITY_DECIMALS);
}

/** Weights, deviations and other ratios to 10 decimals: far below a basis point, enough to drop noise. */
export function roundRatio(value: number): number {
  return roundTo(value, RATIO_DECIMALS);
}

/** A tradable quantity, rounded down: whole units, or 6 decimals for fractional securities. */
export function floorQuantity(value: number, fractional: boolean): number {
  return roundTo(Math.max(0, value), fractional ? QUANTITY_DECIMALS : 0, 'down');
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : roundRatio(part / whole);
}

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
export function requirePrice(prices: Prices, security: Security): number {
  const price = prices[security.id];
  if (price === undefined) throw new Error(`No price for security ${security.symbol} (${security.id})`);
  if (!Number.isFinite(price) || price <= 0) {
    throw new Error(`Invalid price ${price} for security ${security.symbol} (${security.id})`);
  }
  return price;
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
 * security's value is the sum of its (cent-rounded) lot values, so the parts always add up.
 */
export function valuePortfolio(portfolio: Portfolio, securities: readonly Security[], prices: Prices): PortfolioValuation {
  const index = indexSecurities(securities);
  const lots: LotValuation[] = portfolio.lots.map((lot) => {
    if (!Number.isFinite(lot.quantity) || lot.quantity <= 0) {
      throw new Error(`lot ${lot.id} has a non-positive quantity (${lot.quantity})`);
    }
    const price = requirePrice(prices, requireSecurity(index, lot.securityId));
    const marketValue = roundMoney(lot.quantity * price);
    const costBasis = roundMoney(lot.quantity * lot.costBasisPerUnit);
    return {
      lotId: lot.id,
      securityId: lot.securityId,
      quantity: lot.quantity,
      price,
      marketValue,
      costBasis,
      unrealizedGain: roundMoney(marketValue - costBasis),
    };
  });

  const bySecurity = new Map<string, { quantity: number; marketValue: number; price: number }>();
  for (const lot of lots) {
    const entry = bySecurity.get(lot.securityId) ?? { quantity: 0, marketValue: 0, price: lot.price };
    entry.quantity = roundQuantity(entry.quantity + lot.quantity);
    entry.marketValue = roundMoney(entry.marketValue + lot.marketValue);
    bySecurity.set(lot.securityId, entry);
  }

  const cash = roundMoney(portfolio.cash);
  const securitiesValue = roundMoney([...bySecurity.values()].reduce((sum, entry) => sum + entry.marketValue, 0));
  const totalValue = roundMoney(securitiesValue + cash);

  const securityRows: SecurityValuation[] = [...bySecurity.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([securityId, entry]) => ({
      securityId,
      assetClass: requireSecurity(index, securityId).assetClass,
      quantity: entry.quantity,
      price: entry.price,
      marketValue: entry.marketValue,
      weight: ratio(entry.marketValue, totalValue),
    }));

  const byClass = new Map<string, number>();
  for (const row of securityRows) byClass.set(row.assetClass, roundMoney((byClass.get(row.assetClass) ?? 0) + row.marketValue));
  const assetClasses: AssetClassValuation[] = [...byClass.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([assetClass, marketValue]) => ({ assetClass, marketValue, weight: ratio(marketValue, totalValue) }));

  return {
    portfolioId: portfolio.id,
    currency: portfolio.currency,
    cash,
    cashWeight: ratio(cash, totalValue),
    securitiesValue,
    totalValue,
    lots,
    securities: securityRows,
    assetClasses,
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
export const DEFAULT_RELATIVE_FLOOR = 0.005;

/** Weights of a model must sum to 1 within this (allows for e.g. three thirds). */
const WEIGHT_SUM_TOLERANCE = 1e-6;

/**
 * The widely used "5/25" band rule. A position is out of band when its absolute deviation exceeds
 * the absolute band OR its relative deviation exceeds the relative band, i.e. when
 * |actual − target| > min(absolute, relative × target). Big sleeves are policed by the absolute
 * band, small ones by the relative band, which is floored at `relativeFloor` so tiny targets are
 * not flagged by noise. Exactly at the tolerance is still within band.
 */
function bandWidth(target: number, bands: DriftBands): number {
  const floor = bands.relativeFloor ?? DEFAULT_RELATIVE_FLOOR;
  return roundRatio(Math.min(bands.absolute, Math.max(bands.relative * target, floor)));
}

/**
 * Tolerance for a security or asset class. A target of 0 means "must not hold" (held but not in
 * the model), so its tolerance is 0: any holding of it is out of band and gets sold.
 */
export function bandTolerance(target: number, bands: DriftBands): number {
  return target === 0 ? 0 : bandWidth(target, bands);
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

function measureDrift(target: number, actual: number, tolerance: number): DriftMeasure {
  const absoluteDeviation = roundRatio(actual - target);
  return {
    target,
    actual,
    absoluteDeviation,
    relativeDeviation: target === 0 ? null : roundRatio(absoluteDeviation / target),
    tolerance,
    outOfBand: Math.abs(absoluteDeviation) > tolerance,
  };
}

/** Throws unless the model is coherent with the securities list and its weights sum to 1. */
export function validateModel(model: ModelPortfolio, index: SecurityIndex): void {
  const seen = new Set<string>();
  let sum = model.cashWeight;
  for (const target of model.targets) {
    if (seen.has(target.securityId)) throw new Error(`model ${model.id} lists ${target.securityId} twice`);
    seen.add(target.securityId);
    const security = requireSecurity(index, target.securityId);
    if (security.assetClass !== target.assetClass) {
      throw new Error(
        `model ${model.id} puts ${security.symbol} in ${target.assetClass}, but the security is ${security.assetClass}`,
      );
    }
    if (!(target.weight >= 0)) throw new Error(`model ${model.id} has a negative weight for ${security.symbol}`);
    sum += target.weight;
  }
  if (!(model.cashWeight >= 0)) throw new Error(`model ${model.id} has a negative cash weight`);
  if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) throw new Error(`model ${model.id} weights sum to ${sum}, not 1`);
  if (!(model.bands.absolute >= 0) || !(model.bands.relative >= 0) || !((model.bands.relativeFloor ?? 0) >= 0)) {
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

  const classTargets = new Map<string, number>();
  for (const target of model.targets) {
    classTargets.set(target.assetClass, roundRatio((classTargets.get(target.assetClass) ?? 0) + target.weight));
  }
  const classHeld = new Map(valuation.assetClasses.map((row) => [row.assetClass, row]));
  const classes = [...new Set([...classHeld.keys(), ...classTargets.keys()])].sort(compareStrings);
  const classRows: AssetClassDrift[] = classes.map((assetClass) => {
    const target = classTargets.get(assetClass) ?? 0;
    const row = classHeld.get(assetClass);
    return {
      assetClass,
      marketValue: row?.marketValue ?? 0,
      ...measureDrift(target, row?.weight ?? 0, bandTolerance(target, model.bands)),
    };
  });

  const cash = measureDrift(model.cashWeight, valuation.cashWeight, bandWidth(model.cashWeight, model.bands));
  const rows: DriftMeasure[] = [...securityRows, ...classRows, cash];
  const turnover = [...securityRows, cash].reduce((sum, row) => sum + Math.abs(row.absoluteDeviation), 0);

  return {
    portfolioId: portfolio.id,
    modelId: model.id,
    totalValue: valuation.totalValue,
    securities: securityRows,
    assetClasses: classRows,
    cash,
    maxAbsoluteDrift: rows.reduce((max, row) => Math.max(max, Math.abs(row.absoluteDeviation)), 0),
    driftScore: roundRatio(turnover / 2),
    outOfBand: rows.some((row) => row.outOfBand),
  };
}

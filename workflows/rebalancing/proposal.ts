/**
 * Tax-aware rebalancing proposals: trade sizing, lot selection, wash-sale flags and applying fills.
 *
 * Runs in Temporal's workflow sandbox like portfolio-math.ts: no impure imports, no clock
 * (`asOf` is passed in), no randomness. The same input always yields the same proposal.
 *
 * Approach: a full rebalance to target. Every security is brought to its target weight, with cash
 * held at max(model cash weight, cash buffer). Sells come first; buys are funded by the cash after
 * sells (costs included) and scaled down together when that cash is short.
 */
import {
  decimal,
  fixed,
  maxOf,
  minorUnit,
  minorUnitsOf,
  minOf,
  roundToCurrency,
  sumOf,
  toWireNumber,
  ZERO,
  type Dec,
  type Numeric,
} from '../money.js';
import {
  computeDrift,
  floorQuantity,
  indexSecurities,
  requirePrice,
  requireSecurity,
  roundQuantity,
  roundRatio,
  summarizeWeights,
  validateModel,
  valuePortfolio,
  type IsoDate,
  type ModelPortfolio,
  type Portfolio,
  type PortfolioValuation,
  type Prices,
  type Security,
  type TaxLot,
  type WeightSnapshot,
} from './portfolio-math.js';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

export type TradeSide = 'buy' | 'sell';
export type TaxTerm = 'short' | 'long';

export interface RecentTrade {
  securityId: string;
  side: TradeSide;
  quantity: Numeric;
  price: Numeric;
  tradeDate: IsoDate;
  /** For sells: the realized gain (negative = loss). */
  realizedGain?: Numeric;
}

export interface RebalanceOptions {
  /** Minimum cash weight after trading; wins over the model's cashWeight when higher. */
  cashBufferWeight: Numeric;
  /** Trades worth less than this are skipped (and reported). */
  minTradeValue: Numeric;
  commissionPerTrade: Numeric;
  /** Commission as a fraction of trade value. */
  commissionRate: Numeric;
  /** At least the last 30 days of trades, for wash-sale checks. */
  recentTrades: RecentTrade[];
}

export interface RebalanceInput {
  portfolio: Portfolio;
  model: ModelPortfolio;
  securities: Security[];
  prices: Prices;
  asOf: IsoDate;
  options: RebalanceOptions;
}

export interface LotSale {
  lotId: string;
  acquiredOn: IsoDate;
  quantity: number;
  costBasisPerUnit: number;
  realizedGain: number;
  term: TaxTerm;
}

export interface WashSaleFlag {
  reason: string;
  relatedTradeDate: IsoDate;
}

export interface ProposedTrade {
  securityId: string;
  side: TradeSide;
  quantity: number;
  price: number;
  /** quantity × price, in the currency's minor unit. */
  value: number;
  commission: number;
  /** Sells only: the lots sold, in the order chosen. */
  lots?: LotSale[];
  washSale?: WashSaleFlag;
}

export interface SkippedTrade {
  securityId: string;
  side: TradeSide;
  /** The value the rebalance wanted to trade. */
  value: number;
  reason: string;
}

export interface RealizedGains {
  shortTerm: number;
  longTerm: number;
  total: number;
}

export interface Proposal {
  portfolioId: string;
  modelId: string;
  asOf: IsoDate;
  /** The cash weight aimed for: max(model cashWeight, cashBufferWeight). */
  effectiveCashWeight: number;
  /** 1 when buys were fully funded, below 1 when they were scaled down to the cash available. */
  buyScaleFactor: number;
  /** Sells first, then buys; each group by security id. */
  trades: ProposedTrade[];
  skipped: SkippedTrade[];
  before: WeightSnapshot;
  /** Projected at the same prices after all proposed trades and costs. */
  after: WeightSnapshot;
  /** Before costs. */
  estimatedRealizedGains: RealizedGains;
  estimatedCosts: number;
  totalBuyValue: number;
  totalSellValue: number;
  cashAfter: number;
  /** Whether the projected portfolio is within bands of the model with the cash buffer applied. */
  withinBandsAfter: boolean;
}

/** An executed trade. A ProposedTrade is a valid Fill. */
export interface Fill {
  securityId: string;
  side: TradeSide;
  quantity: Numeric;
  price: Numeric;
  commission?: Numeric;
  /** Sells: which lots were sold. Omitted → chosen with the same tax-aware order as proposals. */
  lots?: ReadonlyArray<{ lotId: string; quantity: Numeric }>;
}

// ---------------------------------------------------------------------------------------------
// Dates (ISO strings only: no clock in the sandbox)
// ---------------------------------------------------------------------------------------------

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;
export const WASH_SALE_WINDOW_DAYS = 30;

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function parseIsoDate(date: IsoDate): CalendarDate {
  const match = ISO_DATE.exec(date);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  if (!match || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new Error(`invalid date ${JSON.stringify(date)}: expected YYYY-MM-DD`);
  }
  return { year, month, day };
}

function formatIsoDate({ year, month, day }: CalendarDate): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  const epochDay = (date: IsoDate): number => {
    const { year, month, day } = parseIsoDate(date);
    return Date.UTC(year, month - 1, day) / MS_PER_DAY;
  };
  return epochDay(to) - epochDay(from);
}

/**
 * Long-term when held more than one year: sold after the first anniversary of the purchase (the
 * IRS rule; same as "more than 365 days" except across a 29 February). A 29 February purchase
 * has its anniversary on 28 February.
 */
export function holdingTerm(acquiredOn: IsoDate, asOf: IsoDate): TaxTerm {
  const bought = parseIsoDate(acquiredOn);
  const year = bought.year + 1;
  const anniversary = formatIsoDate({
    year,
    month: bought.month,
    day: Math.min(bought.day, daysInMonth(year, bought.month)),
  });
  parseIsoDate(asOf);
  return asOf > anniversary ? 'long' : 'short';
}

function withinWashSaleWindow(tradeDate: IsoDate, asOf: IsoDate): boolean {
  const days = daysBetween(tradeDate, asOf);
  return days >= 0 && days <= WASH_SALE_WINDOW_DAYS;
}
// ---------------------------------------------------------------------------------------------
// Lots, wash sales, costs
// ---------------------------------------------------------------------------------------------

const wire = toWireNumber;

/**
 * Which lots to sell, tax-aware: first lots at a loss or break-even (largest loss per unit first),
 * then long-term gains (smallest gain per unit first), and short-term gains only when nothing else
 * covers the quantity. Ties go to the oldest lot, then the lot id, so the choice is deterministic.
 */
export function selectLotsForSale(
  lots: readonly TaxLot[],
  quantity: Numeric,
  price: Numeric,
  asOf: IsoDate,
  currency: string,
): LotSale[] {
  const wanted = roundQuantity(quantity);
  if (!wanted.gt(0)) throw new Error(`cannot sell a quantity of ${String(quantity)}`);
  const available = roundQuantity(sumOf(lots.map((lot) => lot.quantity)));
  if (wanted.gt(available))
    throw new Error(`cannot sell ${wanted.toFixed()}: only ${available.toFixed()} held in the given lots`);

  const ranked = lots
    .map((lot) => {
      const gainPerUnit = decimal(price).minus(lot.costBasisPerUnit);
      const term = holdingTerm(lot.acquiredOn, asOf);
      const bucket = gainPerUnit.lte(0) ? 0 : term === 'long' ? 1 : 2;
      return { lot, gainPerUnit, term, bucket };
    })
    .sort(
      (a, b) =>
        a.bucket - b.bucket ||
        a.gainPerUnit.comparedTo(b.gainPerUnit) ||
        (a.lot.acquiredOn < b.lot.acquiredOn ? -1 : a.lot.acquiredOn > b.lot.acquiredOn ? 1 : 0) ||
        (a.lot.id < b.lot.id ? -1 : a.lot.id > b.lot.id ? 1 : 0),
    );

  const sales: LotSale[] = [];
  let remaining = wanted;
  for (const { lot, gainPerUnit, term } of ranked) {
    if (remaining.lte(0)) break;
    const take = minOf(remaining, roundQuantity(lot.quantity));
    remaining = remaining.minus(take);
    sales.push({
      lotId: lot.id,
      acquiredOn: lot.acquiredOn,
      quantity: wire(take),
      costBasisPerUnit: wire(lot.costBasisPerUnit),
      realizedGain: wire(roundToCurrency(take.times(gainPerUnit), currency)),
      term,
    });
  }
  return sales;
}

/**
 * Wash-sale check: a buy within 30 days after a sale of the same security at a loss, or a sale at
 * a loss within 30 days after a purchase of it. Returns the flag naming the latest related trade.
 */
export function detectWashSale(
  trade: Pick<ProposedTrade, 'securityId' | 'side' | 'lots'>,
  recentTrades: readonly RecentTrade[],
  asOf: IsoDate,
): WashSaleFlag | undefined {
  const isBuy = trade.side === 'buy';
  if (!isBuy && !trade.lots?.some((lot) => decimal(lot.realizedGain).lt(0))) return undefined;
  const related = recentTrades
    .filter(
      (past) =>
        past.securityId === trade.securityId &&
        past.side === (isBuy ? 'sell' : 'buy') &&
        (!isBuy || decimal(past.realizedGain ?? 0).lt(0)) &&
        withinWashSaleWindow(past.tradeDate, asOf),
    )
    .map((past) => past.tradeDate)
    .sort();
  const relatedTradeDate = related[related.length - 1];
  if (relatedTradeDate === undefined) return undefined;
  const reason = isBuy
    ? `buys back within ${WASH_SALE_WINDOW_DAYS} days after a sale at a loss on ${relatedTradeDate}; that loss may be disallowed`
    : `sells at a loss within ${WASH_SALE_WINDOW_DAYS} days after a purchase on ${relatedTradeDate}; the loss may be disallowed`;
  return { reason, relatedTradeDate };
}

type CommissionSchedule = Pick<RebalanceOptions, 'commissionPerTrade' | 'commissionRate'>;

/** A trade's commission: the fixed part plus the rate on its value, in the currency's minor unit. */
export function estimateCommission(value: Numeric, schedule: CommissionSchedule, currency: string): Dec {
  return roundToCurrency(decimal(schedule.commissionRate).times(value).plus(schedule.commissionPerTrade), currency);
}

// ---------------------------------------------------------------------------------------------
// Proposal
// ---------------------------------------------------------------------------------------------

/** The model with its cash weight raised to the buffer, securities scaled down pro rata (weights to 10 decimals). */
export function applyCashBuffer(model: ModelPortfolio, cashBufferWeight: Numeric): ModelPortfolio {
  const buffer = decimal(cashBufferWeight);
  if (buffer.lt(0) || buffer.gt(1)) throw new Error(`cash buffer ${buffer.toFixed()} is not between 0 and 1`);
  if (buffer.lte(model.cashWeight)) return model;
  const cashWeight = decimal(model.cashWeight);
  const scale = cashWeight.gte(1) ? ZERO : buffer.neg().plus(1).div(cashWeight.neg().plus(1));
  return {
    ...model,
    cashWeight: wire(buffer),
    targets: model.targets.map((target) => ({ ...target, weight: wire(roundRatio(scale.times(target.weight))) })),
  };
}

function validateOptions(options: RebalanceOptions): void {
  const nonNegative: Array<keyof RebalanceOptions> = ['minTradeValue', 'commissionPerTrade', 'commissionRate'];
  for (const key of nonNegative) {
    const value = options[key];
    let valid = false;
    try {
      valid = (typeof value === 'number' || typeof value === 'string') && decimal(value).gte(0);
    } catch {
      valid = false;
    }
    if (!valid) throw new Error(`option ${key} must be a non-negative number`);
  }
}

/** How far a security is from its target, in money (positive = buy). */
interface Gap {
  security: Security;
  price: Dec;
  held: Dec;
  targetWeight: Dec;
  value: Dec;
}

function computeGaps(
  valuation: PortfolioValuation,
  model: ModelPortfolio,
  securities: readonly Security[],
  prices: Prices,
): Gap[] {
  const index = indexSecurities(securities);
  const money = (value: Numeric) => roundToCurrency(value, valuation.currency);
  const held = new Map(valuation.securities.map((row) => [row.securityId, row]));
  const targets = new Map(model.targets.map((target) => [target.securityId, decimal(target.weight)]));
  const ids = [...new Set([...held.keys(), ...targets.keys()])].sort();
  return ids.flatMap((securityId) => {
    const targetWeight = targets.get(securityId) ?? ZERO;
    const row = held.get(securityId);
    // Both sides are in the minor unit, so the gap is exact and no rounding noise can create a trade.
    const value = money(targetWeight.times(valuation.totalValue)).minus(row?.marketValue ?? 0);
    if (value.isZero()) return [];
    const security = requireSecurity(index, securityId);
    return [
      { security, price: requirePrice(prices, security), held: decimal(row?.quantity ?? 0), targetWeight, value },
    ];
  });
}

type Sizing = { ok: true; quantity: Dec; value: Dec } | { ok: false; reason: string };

/** Checks an already-rounded quantity against the minimum trade value. */
function sizeTrade(quantity: Dec, gap: Gap, minTradeValue: Numeric, currency: string): Sizing {
  if (quantity.lte(0))
    return { ok: false, reason: gap.security.fractional ? 'rounds to zero units' : 'less than one whole share' };
  const value = roundToCurrency(quantity.times(gap.price), currency);
  if (value.lt(minTradeValue)) {
    const places = minorUnitsOf(currency);
    return {
      ok: false,
      reason: `trade value ${fixed(value, places)} is below the minimum trade value ${fixed(minTradeValue, places)}`,
    };
  }
  return { ok: true, quantity, value };
}

/** A buy of `fraction` of the gap, rounded down to a tradable quantity. */
function sizeBuy(gap: Gap, fraction: Numeric, minTradeValue: Numeric, currency: string): Sizing {
  return sizeTrade(
    floorQuantity(gap.value.times(fraction).div(gap.price), gap.security.fractional),
    gap,
    minTradeValue,
    currency,
  );
}

function skip(gap: Gap, side: TradeSide, reason: string): SkippedTrade {
  return { securityId: gap.security.id, side, value: wire(gap.value.abs()), reason };
}

interface Planned {
  trades: ProposedTrade[];
  skipped: SkippedTrade[];
}

function withWashSale(trade: ProposedTrade, input: RebalanceInput): ProposedTrade {
  const washSale = detectWashSale(trade, input.options.recentTrades, input.asOf);
  return washSale ? { ...trade, washSale } : trade;
}

function planSells(gaps: readonly Gap[], input: RebalanceInput): Planned {
  const { portfolio, asOf, options } = input;
  const { currency } = portfolio;
  const planned: Planned = { trades: [], skipped: [] };
  for (const gap of gaps) {
    if (gap.value.gte(0)) continue;
    // Out of the model: sell the whole holding, even a fractional remainder of a whole-share security.
    const liquidate = gap.targetWeight.isZero();
    const quantity = liquidate
      ? gap.held
      : minOf(gap.held, floorQuantity(gap.value.neg().div(gap.price), gap.security.fractional));
    const sizing = sizeTrade(quantity, gap, options.minTradeValue, currency);
    if (!sizing.ok) {
      planned.skipped.push(skip(gap, 'sell', sizing.reason));
      continue;
    }
    const lots = portfolio.lots.filter((lot) => lot.securityId === gap.security.id);
    const trade: ProposedTrade = {
      securityId: gap.security.id,
      side: 'sell',
      quantity: wire(sizing.quantity),
      price: wire(gap.price),
      value: wire(sizing.value),
      commission: wire(estimateCommission(sizing.value, options, currency)),
      lots: selectLotsForSale(lots, sizing.quantity, gap.price, asOf, currency),
    };
    planned.trades.push(withWashSale(trade, input));
  }
  return planned;
}

function sumBy<T>(items: readonly T[], pick: (item: T) => Numeric): Dec {
  return sumOf(items.map(pick));
}

/**
 * Buys scaled together to fit `budget` (value plus commission). When some round below the minimum
 * at that scale, the smallest drops out and the rest are scaled again.
 */
function sizeBuysWithin(
  gaps: readonly Gap[],
  budget: Dec,
  options: RebalanceOptions,
  currency: string,
): Planned & { scale: Dec } {
  let active = [...gaps];
  const skipped: SkippedTrade[] = [];
  for (;;) {
    const wanted = sumBy(active, (gap) => gap.value);
    const fixedCosts = decimal(options.commissionPerTrade).times(active.length);
    const scale = wanted.isZero()
      ? decimal(1)
      : minOf(1, maxOf(0, budget.minus(fixedCosts).div(wanted.times(decimal(options.commissionRate).plus(1)))));
    const trades: ProposedTrade[] = [];
    const failing: Array<{ gap: Gap; reason: string }> = [];
    for (const gap of active) {
      const sizing = sizeBuy(gap, scale, options.minTradeValue, currency);
      if (!sizing.ok) {
        failing.push({ gap, reason: sizing.reason });
        continue;
      }
      const { quantity, value } = sizing;
      const commission = estimateCommission(value, options, currency);
      trades.push({
        securityId: gap.security.id,
        side: 'buy',
        quantity: wire(quantity),
        price: wire(gap.price),
        value: wire(value),
        commission: wire(commission),
      });
    }
    if (failing.length === 0) return { trades, skipped, scale: roundRatio(scale) };
    // Drop only the smallest failing buy: its freed commission may let the others through.
    const dropped = failing.reduce((smallest, candidate) =>
      candidate.gap.value.lt(smallest.gap.value) ? candidate : smallest,
    );
    const why = scale.isZero()
      ? 'no cash left above the buffer after costs'
      : `buys scaled to ${roundRatio(scale).toFixed()}: ${dropped.reason}`;
    skipped.push(skip(dropped.gap, 'buy', `insufficient cash, ${why}`));
    active = active.filter((gap) => gap !== dropped.gap);
  }
}

/**
 * Buys funded by `available` (cash after sells minus the buffer). Buys too small even at full size
 * are skipped for that reason first; the rest are scaled together. Rounding to the minor unit can overshoot the
 * budget by a few units, so the budget then shrinks by the overshoot until the buys fit.
 */
function planBuys(gaps: readonly Gap[], available: Dec, input: RebalanceInput): Planned & { scale: Dec } {
  const { options } = input;
  const { currency } = input.portfolio;
  const skipped: SkippedTrade[] = [];
  const viable: Gap[] = [];
  for (const gap of gaps.filter((candidate) => candidate.value.gt(0))) {
    const sizing = sizeBuy(gap, 1, options.minTradeValue, currency);
    if (sizing.ok) viable.push(gap);
    else skipped.push(skip(gap, 'buy', sizing.reason));
  }
  const ceiling = maxOf(0, available);
  for (let budget = ceiling; ;) {
    const sized = sizeBuysWithin(viable, budget, options, currency);
    const spend = sumBy(sized.trades, (trade) => decimal(trade.value).plus(trade.commission));
    if (spend.lte(ceiling)) {
      const trades = sized.trades.map((trade) => withWashSale(trade, input));
      return { trades, skipped: [...skipped, ...sized.skipped], scale: sized.scale };
    }
    // Terminates: the budget falls by at least a minor unit a round, and at zero no buy survives.
    budget = roundToCurrency(budget.minus(spend.minus(ceiling)).minus(minorUnit(currency)), currency);
  }
}

function sumGains(trades: readonly ProposedTrade[], term?: TaxTerm): Dec {
  const sales = trades.flatMap((trade) => trade.lots ?? []).filter((sale) => term === undefined || sale.term === term);
  return sumBy(sales, (sale) => sale.realizedGain);
}

/**
 * A full rebalance to target (see the file header). Never spends cash below the buffer, skips
 * trades under the minimum value, trades whole shares where required, chooses lots tax-aware and
 * flags possible wash sales without dropping them.
 */
export function proposeRebalance(input: RebalanceInput): Proposal {
  const { portfolio, model, securities, prices, asOf, options } = input;
  const money = (value: Numeric) => roundToCurrency(value, portfolio.currency);
  parseIsoDate(asOf);
  validateOptions(options);
  validateModel(model, indexSecurities(securities));
  const effectiveModel = applyCashBuffer(model, options.cashBufferWeight);

  const before = valuePortfolio(portfolio, securities, prices);
  const gaps = computeGaps(before, effectiveModel, securities, prices);

  const sells = planSells(gaps, input);
  const cashAfterSells = money(
    sumBy(sells.trades, (trade) => decimal(trade.value).minus(trade.commission)).plus(before.cash),
  );
  // Rounded up so the cash left is never a fraction of a minor unit under the buffer.
  const reserve = roundToCurrency(decimal(options.cashBufferWeight).times(before.totalValue), portfolio.currency, 'up');
  const buys = planBuys(gaps, money(cashAfterSells.minus(reserve)), input);

  const trades = [...sells.trades, ...buys.trades];
  const totalSellValue = sumBy(sells.trades, (trade) => trade.value);
  const totalBuyValue = sumBy(buys.trades, (trade) => trade.value);
  const estimatedCosts = sumBy(trades, (trade) => trade.commission);
  const projected = applyFills(portfolio, trades, asOf);

  return {
    portfolioId: portfolio.id,
    modelId: model.id,
    asOf,
    effectiveCashWeight: wire(effectiveModel.cashWeight),
    buyScaleFactor: wire(buys.scale),
    trades,
    skipped: [...sells.skipped, ...buys.skipped],
    before: summarizeWeights(before),
    after: summarizeWeights(valuePortfolio(projected, securities, prices)),
    estimatedRealizedGains: {
      shortTerm: wire(sumGains(sells.trades, 'short')),
      longTerm: wire(sumGains(sells.trades, 'long')),
      total: wire(sumGains(sells.trades)),
    },
    estimatedCosts: wire(estimatedCosts),
    totalBuyValue: wire(totalBuyValue),
    totalSellValue: wire(totalSellValue),
    cashAfter: wire(money(decimal(before.cash).plus(totalSellValue).minus(totalBuyValue).minus(estimatedCosts))),
    withinBandsAfter: !computeDrift(projected, effectiveModel, securities, prices).outOfBand,
  };
}

// ---------------------------------------------------------------------------------------------
// Fills
// ---------------------------------------------------------------------------------------------

function newLotId(taken: ReadonlySet<string>, securityId: string, asOf: IsoDate): string {
  const base = `${securityId}@${asOf}`;
  let id = base;
  for (let n = 2; taken.has(id); n += 1) id = `${base}#${n}`;
  return id;
}

/**
 * The portfolio after executed trades, without mutating the input. Buys open a lot dated `asOf`
 * at the fill price; sells reduce the named lots (or tax-aware ones when none are named) and drop
 * emptied lots; cash moves by the trade value and the commission.
 */
export function applyFills(portfolio: Portfolio, fills: readonly Fill[], asOf: IsoDate): Portfolio {
  parseIsoDate(asOf);
  const money = (value: Numeric) => roundToCurrency(value, portfolio.currency);
  let lots: TaxLot[] = portfolio.lots.map((lot) => ({ ...lot }));
  let cash = money(portfolio.cash);
  for (const fill of fills) {
    const quantity = roundQuantity(fill.quantity);
    const price = decimal(fill.price);
    if (!quantity.gt(0) || !price.gt(0))
      throw new Error(`fill for ${fill.securityId} needs a positive quantity and price`);
    const value = money(quantity.times(price));
    const commission = money(fill.commission ?? 0);

    if (fill.side === 'buy') {
      const id = newLotId(new Set(lots.map((lot) => lot.id)), fill.securityId, asOf);
      lots.push({
        id,
        securityId: fill.securityId,
        quantity: wire(quantity),
        costBasisPerUnit: wire(price),
        acquiredOn: asOf,
      });
      cash = cash.minus(value).minus(commission);
      continue;
    }

    const own = lots.filter((lot) => lot.securityId === fill.securityId);
    const picks = fill.lots ?? selectLotsForSale(own, quantity, price, asOf, portfolio.currency);
    const picked = roundQuantity(sumBy(picks, (pick) => pick.quantity));
    if (!picked.eq(quantity)) {
      throw new Error(`sell of ${quantity.toFixed()} ${fill.securityId} names lots totalling ${picked.toFixed()}`);
    }
    for (const pick of picks) {
      const lot = own.find((candidate) => candidate.id === pick.lotId);
      if (!lot) throw new Error(`lot ${pick.lotId} of ${fill.securityId} is not in portfolio ${portfolio.id}`);
      if (!decimal(pick.quantity).gt(0)) throw new Error(`lot ${pick.lotId}: sold quantity must be positive`);
      const left = roundQuantity(decimal(lot.quantity).minus(pick.quantity));
      if (left.lt(0))
        throw new Error(`cannot sell ${String(pick.quantity)} from lot ${lot.id}: it holds ${String(lot.quantity)}`);
      lot.quantity = wire(left);
    }
    lots = lots.filter((lot) => decimal(lot.quantity).gt(0));
    cash = cash.plus(value).minus(commission);
  }
  return { ...portfolio, cash: wire(cash), lots };
}

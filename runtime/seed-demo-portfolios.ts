import { DateTime } from 'luxon';
import type { Sql } from '../db/client.js';
import { decimal, maxOf, minOf, quantize, sumOf, type Dec } from '../workflows/money.js';
import { roundQuantity } from '../workflows/rebalancing/portfolio-math.js';
import type { Logger } from './logger.js';

/**
 * Demo securities, two years of daily closes, the four model portfolios and portfolios for the demo clients.
 * Prices are synthetic (a seeded random walk per security), so every database seeded from this file holds
 * the same history; the last seeded close is on PRICE_HISTORY_END, and examples/prices-market-move.csv
 * moves the market on the next trading day.
 */

export const PRICE_HISTORY_START = '2024-11-20';
export const PRICE_HISTORY_END = '2026-11-19';

interface DemoSecurity {
  id: string;
  symbol: string;
  name: string;
  asset_class: string;
  fractional: boolean;
  /** Random walk: first close, annual drift and volatility, and the generator's seed. */
  walk: { start: number; drift: number; volatility: number; seed: number };
}

type SecurityRow = [id: string, symbol: string, name: string, assetClass: string, fractional: boolean, walk: number[]];

// Columns: id, symbol, name, asset class, fractional, random walk (first close, annual drift, volatility, seed).
const SECURITY_ROWS: readonly SecurityRow[] = [
  ['sec_vti', 'VTI', 'Vanguard Total Stock Market ETF', 'us_equity', true, [265, 0.1, 0.16, 11]],
  ['sec_schd', 'SCHD', 'Schwab US Dividend Equity ETF', 'us_equity', false, [80, 0.07, 0.14, 12]],
  ['sec_vxus', 'VXUS', 'Vanguard Total International Stock ETF', 'intl_equity', true, [62, 0.06, 0.15, 13]],
  ['sec_vwo', 'VWO', 'Vanguard FTSE Emerging Markets ETF', 'emerging_equity', false, [44, 0.05, 0.2, 14]],
  ['sec_bnd', 'BND', 'Vanguard Total Bond Market ETF', 'us_bonds', true, [72, 0.01, 0.05, 15]],
  ['sec_bndx', 'BNDX', 'Vanguard Total International Bond ETF', 'intl_bonds', true, [49, 0.01, 0.04, 16]],
  [
    'sec_vtip',
    'VTIP',
    'Vanguard Short-Term Inflation-Protected Securities ETF',
    'inflation_protected',
    false,
    [48.5, 0.02, 0.02, 17],
  ],
  ['sec_vnq', 'VNQ', 'Vanguard Real Estate ETF', 'real_estate', false, [88, 0.04, 0.2, 18]],
  ['sec_gldm', 'GLDM', 'SPDR Gold MiniShares', 'commodities', true, [52, 0.12, 0.15, 19]],
];

export const DEMO_SECURITIES: readonly DemoSecurity[] = SECURITY_ROWS.map(
  ([id, symbol, name, asset_class, fractional, [start, drift, volatility, seed]]) => ({
    id,
    symbol,
    name,
    asset_class,
    fractional,
    walk: { start, drift, volatility, seed },
  }),
);

type Weights = Readonly<Record<string, number>>;

/** A row of weights in the order of the securities above; a zero is no holding. */
function weightsOf(row: readonly number[]): Weights {
  return Object.fromEntries(SECURITY_ROWS.flatMap(([id], i) => (row[i] ? [[id, row[i]]] : [])));
}

//                 VTI   SCHD  VXUS  VWO   BND   BNDX  VTIP  VNQ   GLDM
const CONSERVATIVE = [0.15, 0, 0.05, 0, 0.45, 0.15, 0.15, 0, 0];
const BALANCED = [0.3, 0.07, 0.12, 0.03, 0.28, 0.1, 0, 0.04, 0.03];
const GROWTH = [0.4, 0.08, 0.18, 0.06, 0.14, 0.04, 0, 0.05, 0.03];
const AGGRESSIVE = [0.48, 0.05, 0.22, 0.1, 0.05, 0, 0, 0.05, 0.03];

/** From the least to the most risky. Each model's cash weight makes the rest up to 1. Bands: the 5/25 rule, floored at 1 point. */
export const DEMO_MODELS: readonly { id: string; name: string; description: string; cash: number; targets: Weights }[] =
  [
    {
      id: 'conservative',
      name: 'Conservative',
      description:
        'Capital preservation and income: mostly high-grade bonds and inflation protection, a fifth in equities.',
      cash: 0.05,
      targets: weightsOf(CONSERVATIVE),
    },
    {
      id: 'balanced',
      name: 'Balanced',
      description: 'Growth and income: about 60% equities, 40% bonds and diversifiers.',
      cash: 0.03,
      targets: weightsOf(BALANCED),
    },
    {
      id: 'growth',
      name: 'Growth',
      description: 'Long-term growth: about 75% equities across regions, the rest bonds, real estate and gold.',
      cash: 0.02,
      targets: weightsOf(GROWTH),
    },
    {
      id: 'aggressive',
      name: 'Aggressive',
      description: 'Maximum growth: about 85% equities with a tilt to emerging markets.',
      cash: 0.02,
      targets: weightsOf(AGGRESSIVE),
    },
  ];
const BANDS = { band_absolute: 0.05, band_relative: 0.25, band_relative_floor: 0.01 };

/** When a lot was bought: trading days before the end of the history, or the highest close of the past year (a lot now at a loss). */
type Acquired = { daysAgo: number } | 'peak_of_year';
type Lots = Readonly<Record<string, readonly [fraction: number, acquired: Acquired][]>>;

interface DemoPortfolio {
  id: string;
  account_number: string;
  client_id: string;
  model_id: string;
  total_value: number;
  /** Weights at the last seeded close; cash is the rest. */
  weights: Weights;
  /** How each holding splits into lots; unlisted holdings are one lot bought 400 trading days ago. */
  lots: Lots;
}

/** Lots as "fraction@days-ago" (trading days) or "fraction@peak", e.g. "0.6@450 0.4@peak". */
function lotsOf(plan: Readonly<Record<string, string>>): Lots {
  return Object.fromEntries(
    Object.entries(plan).map(([securityId, text]) => [
      securityId,
      text.split(' ').map((lot) => {
        const [fraction, at] = lot.split('@');
        return [Number(fraction), at === 'peak' ? 'peak_of_year' : { daysAgo: Number(at) }] as const;
      }),
    ]),
  );
}

/**
 * Chris and Priya have drifted (equities ran ahead of bonds), Priya's rebalance is large enough to need
 * compliance; Gabriel and Fiona are within bands, and Fiona drifts out when the example price file is imported.
 */
export const DEMO_PORTFOLIOS: readonly DemoPortfolio[] = [
  {
    ...{ id: 'pf_chris_growth', account_number: 'INV-00090001', client_id: 'cli_chris_carter', model_id: 'growth' },
    total_value: 420_000,
    weights: weightsOf([0.49, 0.09, 0.14, 0.05, 0.11, 0.04, 0, 0.05, 0.02]),
    lots: lotsOf({ sec_vti: '0.4@480 0.35@peak 0.25@45', sec_bnd: '0.6@450 0.4@120' }),
  },
  {
    ...{ id: 'pf_priya_balanced', account_number: 'INV-00090002', client_id: 'cli_priya_patel', model_id: 'balanced' },
    total_value: 1_650_000,
    weights: weightsOf([0.37, 0.07, 0.12, 0.03, 0.21, 0.1, 0, 0.04, 0.03]),
    lots: lotsOf({ sec_vti: '0.5@500 0.2@peak 0.3@30', sec_schd: '0.5@350 0.5@peak' }),
  },
  {
    ...{ id: 'pf_gabriel_conservative', account_number: 'INV-00090003', client_id: 'cli_gabriel_garcia' },
    model_id: 'conservative',
    total_value: 310_000,
    weights: weightsOf([0.16, 0, 0.05, 0, 0.44, 0.15, 0.15, 0, 0]),
    lots: {},
  },
  {
    ...{ id: 'pf_fiona_aggressive', account_number: 'INV-00090004', client_id: 'cli_fiona_fischer' },
    model_id: 'aggressive',
    total_value: 560_000,
    weights: weightsOf([0.5, 0.05, 0.21, 0.09, 0.05, 0, 0, 0.05, 0.03]),
    lots: lotsOf({ sec_vti: '0.7@300 0.3@90', sec_vwo: '0.5@peak 0.5@200' }),
  },
];

/** Mulberry32: a small, fast generator whose sequence depends only on its seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function tradingDays(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = DateTime.fromISO(from, { zone: 'utc' }); day.toISODate()! <= to; day = day.plus({ days: 1 })) {
    if (day.weekday <= 5) days.push(day.toISODate()!);
  }
  return days;
}

/** Daily closes as a geometric random walk, each close fixed to cents as a decimal ("265.00"). */
export function priceHistory(security: DemoSecurity, days: readonly string[]): string[] {
  const random = seededRandom(security.walk.seed);
  const { drift, volatility } = security.walk;
  const closes: string[] = [];
  let price = security.walk.start;
  for (let i = 0; i < days.length; i += 1) {
    if (i > 0) {
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      price *= Math.exp((drift - volatility ** 2 / 2) / 252 + (volatility / Math.sqrt(252)) * z);
    }
    // The walk itself is a simulation in floating point; what it yields is a price, so it becomes a decimal here.
    closes.push(quantize(price, 2).toFixed(2));
  }
  return closes;
}

function acquisitionIndex(acquired: Acquired, closes: readonly string[]): number {
  const last = closes.length - 1;
  if (acquired !== 'peak_of_year') return last - acquired.daysAgo;
  let peak = last - 250;
  for (let i = last - 250; i <= last - 20; i += 1) if (decimal(closes[i]).gt(closes[peak])) peak = i;
  return peak;
}

/** The loss of a sale at `price` of units bought at the highest close, at least a cent. */
function lossOf(quantity: number, price: string, closes: readonly string[]) {
  return minOf(
    '-0.01',
    quantize(
      decimal(price)
        .minus(maxOf(...closes))
        .times(quantity),
      2,
    ),
  );
}

/** Seeds once: a database that already has securities is left alone. Demo clients that do not exist get no portfolio. */
export async function seedDemoPortfolios(sql: Sql, log: Logger): Promise<boolean> {
  const [{ n }] = await sql`SELECT count(*)::int AS n FROM securities`;
  if (n > 0) return false;
  const days = tradingDays(PRICE_HISTORY_START, PRICE_HISTORY_END);
  const history = new Map(DEMO_SECURITIES.map((security) => [security.id, priceHistory(security, days)]));
  const existingClients = new Set((await sql`SELECT id FROM clients`).map((row) => row.id as string));
  const portfolios = DEMO_PORTFOLIOS.filter((p) => existingClients.has(p.client_id));

  await sql.begin(async (tx) => {
    await tx`INSERT INTO securities ${tx(DEMO_SECURITIES.map(({ walk: _walk, ...security }) => security))}`;
    // One statement over arrays: thousands of rows without thousands of parameters.
    const securityIds = DEMO_SECURITIES.flatMap((security) => days.map(() => security.id));
    const dates = DEMO_SECURITIES.flatMap(() => days);
    const closes = DEMO_SECURITIES.flatMap((security) => history.get(security.id)!);
    await tx`
      INSERT INTO prices (security_id, as_of, close, source)
      SELECT security_id, as_of, close, 'demo' FROM unnest(${securityIds}::text[], ${dates}::date[], ${closes}::numeric[]) AS p (security_id, as_of, close)`;

    for (const [rank, model] of DEMO_MODELS.entries()) {
      await tx`
        INSERT INTO model_portfolios ${tx({ id: model.id, name: model.name, description: model.description, risk_rank: rank + 1, cash_weight: model.cash, ...BANDS })}`;
      await tx`INSERT INTO model_targets ${tx(Object.entries(model.targets).map(([security_id, weight]) => ({ model_id: model.id, security_id, weight })))}`;
    }

    for (const portfolio of portfolios) {
      const lots: {
        id: string;
        portfolio_id: string;
        security_id: string;
        quantity: string;
        cost_basis_per_unit: string;
        acquired_on: string;
      }[] = [];
      const invested: Dec[] = [];
      for (const [securityId, weight] of Object.entries(portfolio.weights)) {
        const security = DEMO_SECURITIES.find((s) => s.id === securityId)!;
        const closes = history.get(securityId)!;
        const plan = portfolio.lots[securityId] ?? [[1, { daysAgo: 400 }]];
        for (const [fraction, acquired] of plan) {
          const units = decimal(portfolio.total_value).times(weight).times(fraction).div(closes.at(-1)!);
          const quantity = security.fractional ? roundQuantity(units) : quantize(units, 0);
          const at = acquisitionIndex(acquired, closes);
          lots.push({
            id: `lot_${portfolio.id.slice(3)}_${lots.length + 1}`,
            portfolio_id: portfolio.id,
            security_id: securityId,
            quantity: quantity.toFixed(),
            cost_basis_per_unit: closes[at],
            acquired_on: days[at],
          });
          invested.push(quantity.times(closes.at(-1)!));
        }
      }
      await tx`
        INSERT INTO accounts (account_number, application_id, client_id, account_type, currency)
        VALUES (${portfolio.account_number}, ${`transfer-${portfolio.account_number}`}, ${portfolio.client_id}, 'individual', 'USD')`;
      await tx`
        INSERT INTO portfolios (id, account_number, client_id, model_id, cash, currency)
        VALUES (${portfolio.id}, ${portfolio.account_number}, ${portfolio.client_id}, ${portfolio.model_id},
                ${quantize(decimal(portfolio.total_value).minus(sumOf(invested)), 2).toFixed(2)}, 'USD')`;
      await tx`INSERT INTO tax_lots ${tx(lots)}`;
    }

    // Chris sold international equities at a loss twelve days ago: buying them back now is a possible wash sale.
    if (portfolios.some((p) => p.id === 'pf_chris_growth')) {
      const soldOn = DateTime.utc().minus({ days: 12 }).toISODate()!;
      const closes = history.get('sec_vxus')!;
      const index = days.findLastIndex((day) => day <= soldOn);
      const price = closes[index >= 0 ? index : closes.length - 1];
      await tx`
        INSERT INTO trades (portfolio_id, security_id, side, quantity, price, trade_date, realized_gain)
        VALUES ('pf_chris_growth', 'sec_vxus', 'sell', 150, ${price}, ${soldOn}, ${lossOf(150, price, closes).toFixed(2)})`;
    }
  });
  log.info(
    {
      securities: DEMO_SECURITIES.length,
      prices: days.length * DEMO_SECURITIES.length,
      models: DEMO_MODELS.length,
      portfolios: portfolios.length,
    },
    'demo portfolios seeded',
  );
  return true;
}

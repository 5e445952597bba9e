import { toWireNumber, type Numeric } from '../workflows/money.js';
import type { VisibilityFilter } from '../workflows/policy.js';
import type {
  IsoDate,
  ModelPortfolio,
  Portfolio,
  Prices,
  Security,
  TaxLot,
} from '../workflows/rebalancing/portfolio-math.js';
import type { RebalanceOptions, RecentTrade } from '../workflows/rebalancing/proposal.js';
import type { PriceSource } from './price-source.js';
import type { Queryable } from './client.js';
import { getSetting } from './settings.js';

/**
 * Portfolios, their lots, the securities and models they are judged against, and the firm's rebalancing settings.
 * Cash, quantities, prices and weights stay the exact decimal text of their numeric columns.
 */

export interface PortfolioRow {
  id: string;
  account_number: string;
  client_id: string;
  client_name: string;
  client_user_id: string | null;
  advisor_id: string | null;
  /** The client's team and its office: where the portfolio sits in the firm. */
  office_id: string | null;
  team_id: string | null;
  model_id: string;
  /** numeric(18, 2) text, e.g. "2144.60". */
  cash: string;
  currency: string;
  created_at: string;
  updated_at: string;
}

export interface ModelRow extends ModelPortfolio {
  description: string;
}

function visibleClients(db: Queryable, visibility: VisibilityFilter) {
  if ('none' in visibility) return db`AND false`;
  if ('advisor_id' in visibility) return db`AND c.advisor_id = ${visibility.advisor_id}`;
  if ('client_user_id' in visibility) return db`AND c.user_id = ${visibility.client_user_id}`;
  if ('team_id' in visibility) return db`AND c.team_id = ${visibility.team_id}`;
  if ('office_id' in visibility)
    return db`AND c.team_id IN (SELECT id FROM teams WHERE office_id = ${visibility.office_id})`;
  return db``;
}

export async function listPortfolioRows(
  db: Queryable,
  visibility: VisibilityFilter,
  filters: { client_id?: string; ids?: string[] } = {},
): Promise<PortfolioRow[]> {
  const rows = await db`
    SELECT p.id, p.account_number, p.client_id, c.name AS client_name, c.user_id AS client_user_id, c.advisor_id, p.model_id, p.cash,
           p.currency, p.created_at, p.updated_at, c.team_id, (SELECT t.office_id FROM teams t WHERE t.id = c.team_id) AS office_id
    FROM portfolios p JOIN clients c ON c.id = p.client_id
    WHERE true
      ${visibleClients(db, visibility)}
      ${filters.client_id ? db`AND p.client_id = ${filters.client_id}` : db``}
      ${filters.ids ? db`AND p.id = ANY(${filters.ids})` : db``}
    ORDER BY c.name, p.account_number`;
  return rows as unknown as PortfolioRow[];
}

export async function getPortfolioRow(db: Queryable, portfolioId: string): Promise<PortfolioRow | undefined> {
  const [row] = await listPortfolioRows(db, { all: true }, { ids: [portfolioId] });
  return row;
}

export async function loadLots(db: Queryable, portfolioIds: readonly string[]): Promise<Map<string, TaxLot[]>> {
  const rows = await db`
    SELECT id, portfolio_id, security_id, quantity, cost_basis_per_unit, acquired_on::text AS acquired_on
    FROM tax_lots WHERE portfolio_id = ANY(${[...portfolioIds]})
    ORDER BY portfolio_id, security_id, acquired_on, id`;
  const byPortfolio = new Map<string, TaxLot[]>(portfolioIds.map((id) => [id, []]));
  for (const row of rows) {
    byPortfolio.get(row.portfolio_id as string)?.push({
      id: row.id as string,
      securityId: row.security_id as string,
      quantity: row.quantity as string,
      costBasisPerUnit: row.cost_basis_per_unit as string,
      acquiredOn: row.acquired_on as string,
    });
  }
  return byPortfolio;
}

export async function loadSecurities(db: Queryable): Promise<Security[]> {
  const rows = await db`SELECT id, symbol, name, asset_class, fractional FROM securities ORDER BY id`;
  return rows.map((row) => ({
    id: row.id as string,
    symbol: row.symbol as string,
    name: row.name as string,
    assetClass: row.asset_class as string,
    fractional: row.fractional as boolean,
  }));
}

export async function loadModels(db: Queryable): Promise<ModelRow[]> {
  const models = await db`SELECT * FROM model_portfolios ORDER BY risk_rank, id`;
  const targets = await db`
    SELECT t.model_id, t.security_id, s.asset_class, t.weight
    FROM model_targets t JOIN securities s ON s.id = t.security_id
    ORDER BY t.model_id, t.weight DESC, t.security_id`;
  return models.map((m) => ({
    id: m.id as string,
    name: m.name as string,
    description: m.description as string,
    cashWeight: m.cash_weight as string,
    bands: {
      absolute: m.band_absolute as string,
      relative: m.band_relative as string,
      relativeFloor: m.band_relative_floor as string,
    },
    targets: targets
      .filter((t) => t.model_id === m.id)
      .map((t) => ({
        securityId: t.security_id as string,
        assetClass: t.asset_class as string,
        weight: t.weight as string,
      })),
  }));
}

/** Trades since a date, for the wash-sale look-back. */
export async function loadRecentTrades(db: Queryable, portfolioId: string, since: IsoDate): Promise<RecentTrade[]> {
  const rows = await db`
    SELECT security_id, side, quantity, price, trade_date::text AS trade_date, realized_gain
    FROM trades WHERE portfolio_id = ${portfolioId} AND trade_date >= ${since}
    ORDER BY trade_date, id`;
  return rows.map((row) => ({
    securityId: row.security_id as string,
    side: row.side as 'buy' | 'sell',
    quantity: row.quantity as string,
    price: row.price as string,
    tradeDate: row.trade_date as string,
    ...(row.realized_gain === null ? {} : { realizedGain: row.realized_gain as string }),
  }));
}

export interface RebalanceSettings {
  options: Omit<RebalanceOptions, 'recentTrades'>;
  compliance_threshold: number;
}

/** The firm's rebalancing settings (the `settings` table; defaults as in migration 006). */
export async function loadRebalanceSettings(db: Queryable): Promise<RebalanceSettings> {
  // Settings are JSON numbers; each must be one a double carries exactly, or the setting is refused here.
  const number = async (key: string, fallback: number) => toWireNumber(await getSetting<Numeric>(db, key, fallback));
  return {
    options: {
      cashBufferWeight: await number('rebalance_cash_buffer', 0.02),
      minTradeValue: await number('rebalance_min_trade_value', 100),
      commissionPerTrade: await number('rebalance_commission_per_trade', 1),
      commissionRate: await number('rebalance_commission_rate', 0.0005),
    },
    compliance_threshold: await number('rebalance_compliance_threshold', 100_000),
  };
}

/** A portfolio with what it takes to value it and judge its drift. */
export interface PortfolioBook {
  row: PortfolioRow;
  portfolio: Portfolio;
  model: ModelRow;
  securities: Security[];
  /** Latest close per security held or in the model. */
  prices: Prices;
  prices_as_of: IsoDate | null;
  /** Symbols held or in the model that have no price yet: drift cannot be judged without them. */
  missing_prices: string[];
}

/** Loads portfolios (all of one visibility, or the given ids) as books priced by the price source. */
export async function loadPortfolioBooks(
  db: Queryable,
  priceSource: PriceSource,
  rows: readonly PortfolioRow[],
): Promise<PortfolioBook[]> {
  if (rows.length === 0) return [];
  const [securities, models, lots] = await Promise.all([
    loadSecurities(db),
    loadModels(db),
    loadLots(
      db,
      rows.map((r) => r.id),
    ),
  ]);
  const needed = new Set<string>();
  for (const row of rows) {
    for (const lot of lots.get(row.id) ?? []) needed.add(lot.securityId);
    for (const target of models.find((m) => m.id === row.model_id)?.targets ?? []) needed.add(target.securityId);
  }
  const quotes = await priceSource.latest([...needed]);
  return rows.map((row) => {
    const model = models.find((m) => m.id === row.model_id);
    if (!model) throw new Error(`portfolio ${row.id} names model ${row.model_id}, which does not exist`);
    const portfolioLots = lots.get(row.id) ?? [];
    const ids = [
      ...new Set([...portfolioLots.map((lot) => lot.securityId), ...model.targets.map((t) => t.securityId)]),
    ].sort();
    const priced = ids.filter((id) => quotes.has(id));
    const dates = priced.map((id) => quotes.get(id)!.as_of).sort();
    return {
      row,
      portfolio: {
        id: row.id,
        accountNumber: row.account_number,
        cash: row.cash,
        currency: row.currency,
        lots: portfolioLots,
      },
      model,
      securities,
      prices: Object.fromEntries(priced.map((id) => [id, quotes.get(id)!.close])),
      prices_as_of: dates.at(-1) ?? null,
      missing_prices: ids
        .filter((id) => !quotes.has(id))
        .map((id) => securities.find((s) => s.id === id)?.symbol ?? id),
    };
  });
}

import type { Queryable } from './client.js';

export interface PriceQuote {
  security_id: string;
  /** The exact close, as the decimal text PostgreSQL stores (e.g. "322.520000"). */
  close: string;
  /** The trading day the close belongs to, 'YYYY-MM-DD'. */
  as_of: string;
}

/** Where current prices come from. The built-in source reads the hub's price table; a market-data feed can replace it. */
export interface PriceSource {
  readonly name: string;
  /** The latest close of each security that has one; securities without a price are absent from the map. */
  latest(securityIds: readonly string[]): Promise<Map<string, PriceQuote>>;
}

/** The price table filled by `npm run prices:import` and the demo seed. Works inside a transaction too. */
export function createPostgresPriceSource(db: Queryable): PriceSource {
  return {
    name: 'postgres',
    async latest(securityIds) {
      if (securityIds.length === 0) return new Map();
      const rows = await db`
        SELECT DISTINCT ON (security_id) security_id, close, as_of::text AS as_of
        FROM prices
        WHERE security_id = ANY(${[...securityIds]})
        ORDER BY security_id, as_of DESC`;
      return new Map(
        rows.map((row) => [
          row.security_id as string,
          { security_id: row.security_id as string, close: row.close as string, as_of: row.as_of as string },
        ]),
      );
    },
  };
}

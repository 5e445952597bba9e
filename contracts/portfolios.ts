import { z } from '@hono/zod-openapi';
import { DriftSchema, orNull } from './records.js';

/** Portfolios and model portfolios as the API answers them: weights and amounts as exact JSON numbers. */

const weight = z.number().openapi({ description: 'A weight: 0.05 is 5% of the portfolio' });

export const PortfolioSummarySchema = z
  .object({
    portfolio_id: z.string(),
    account_number: z.string(),
    client_id: z.string(),
    client_name: z.string(),
    advisor_id: z.string().nullable(),
    model_id: z.string(),
    model_name: z.string(),
    currency: z.string(),
    cash: z.number(),
    total_value: z.number().nullable(),
    prices_as_of: z.string().nullable(),
    missing_prices: z.array(z.string()),
    drift: orNull(DriftSchema).openapi({
      description: 'Against the model with the cash buffer applied; null while a price is missing',
    }),
    active_rebalance: z.object({ rebalance_id: z.string(), status: z.string() }).nullable(),
  })
  .openapi('PortfolioSummary');
export type PortfolioSummary = z.infer<typeof PortfolioSummarySchema>;

const BandsSchema = z.object({ absolute: z.number(), relative: z.number(), relative_floor: z.number() });

// Spread, not extended: an extended registered schema is documented as the one it extends.
export const PortfolioSchema = z
  .object({
    ...PortfolioSummarySchema.shape,
    model: z.object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      cash_weight: weight,
      bands: BandsSchema,
      targets: z.array(z.object({ security_id: z.string(), symbol: z.string(), asset_class: z.string(), weight })),
    }),
    holdings: z.array(
      z.object({
        security_id: z.string(),
        symbol: z.string(),
        name: z.string(),
        asset_class: z.string(),
        fractional: z.boolean(),
        quantity: z.number(),
        price: z.number(),
        market_value: z.number(),
        weight,
        lots: z.array(
          z.object({
            lot_id: z.string(),
            quantity: z.number(),
            cost_basis_per_unit: z.number(),
            acquired_on: z.string(),
            market_value: z.number(),
            unrealized_gain: z.number(),
            term: z.enum(['short', 'long']),
          }),
        ),
      }),
    ),
    rebalances: z.array(
      z.object({
        rebalance_id: z.string(),
        status: z.string(),
        proposal_value: z.number().nullable(),
        created_at: z.string(),
        updated_at: z.string(),
      }),
    ),
  })
  .openapi('Portfolio');
export type PortfolioDetail = z.infer<typeof PortfolioSchema>;

export const ModelSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    cash_weight: weight,
    bands: BandsSchema,
    targets: z.array(z.object({ security_id: z.string(), asset_class: z.string(), weight })),
  })
  .openapi('ModelPortfolio');

import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { createAdminProducts } from '../../hub/admin-products.js';
import { actorOf } from '../../hub/context.js';
import {
  CONFLICT_RESPONSE,
  createRouter,
  hubRoute,
  IdParams,
  jsonBody,
  jsonResponse,
  listResponse,
} from './openapi.js';

const RISK = ['conservative', 'moderate', 'balanced', 'growth', 'aggressive_growth'] as const;
const LIQUIDITY = ['daily', 'monthly', 'quarterly', 'illiquid'] as const;

/** A decimal amount with at most `places` decimals, as a number on the wire and exact in the database. */
const decimal = (places: number, max: number) =>
  z
    .number()
    .min(0)
    .max(max)
    .refine((n) => Number(n.toFixed(places)) === n, `at most ${places} decimals`);

const Terms = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().min(1).max(2000),
    category: z
      .string()
      .trim()
      .regex(/^[a-z][a-z_]{1,39}$/, 'an asset class such as equity or fixed_income')
      .openapi({ description: 'Asset class' }),
    risk_level: z.enum(RISK),
    liquidity: z.enum(LIQUIDITY),
    minimum_investment: decimal(2, 1e12).openapi({ description: 'In the product currency' }),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD'),
    management_fee_percent: decimal(3, 100).openapi({ description: 'Annual fee, percent of assets' }),
  })
  .strict();

// Answers are built from a plain shape, not by extending a named schema: the document would describe an
// extension as `allOf` with the base's closed property list, which refuses the added fields.
const productShape = {
  ...Terms.shape,
  id: z.string(),
  version: z.number(),
  active: z.boolean(),
  retired_at: z.string().nullable(),
};
const ProductSchema = z.object(productShape).openapi('ShelfProduct');

export function adminProductRoutes(sql: Sql) {
  const products = createAdminProducts(sql);
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/admin/products',
        tags: ['Administration'],
        summary: 'The product shelf, current and retired, each at its current version',
        responses: {
          200: listResponse('products', ProductSchema, 'Products'),
        },
      }),
      async (c) => c.json({ products: await products.list(actorOf(c)) }, 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/admin/products',
        tags: ['Administration'],
        summary: 'Add a product to the shelf (version 1)',
        request: {
          body: jsonBody(
            Terms.extend({ id: z.string().regex(/^prd_[a-z0-9_]{2,60}$/, 'an id such as prd_core_bond') }).strict(),
          ),
        },
        responses: { 201: jsonResponse(ProductSchema, 'Created'), 409: CONFLICT_RESPONSE },
      }),
      async (c) => {
        const { id, ...terms } = c.req.valid('json');
        return c.json(await products.create(actorOf(c), id, terms), 201);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/admin/products/{id}',
        tags: ['Administration'],
        summary: 'One product with every version of its terms',
        request: { params: IdParams },
        responses: {
          200: jsonResponse(
            z.object({
              ...productShape,
              versions: z.array(
                z.object({
                  version: z.number(),
                  terms: z.record(z.string(), z.unknown()),
                  created_by: z.string().nullable(),
                  created_at: z.string(),
                }),
              ),
            }),
            'The product',
          ),
        },
      }),
      async (c) => c.json(await products.get(actorOf(c), c.req.valid('param').id), 200),
    )
    .openapi(
      hubRoute({
        method: 'patch',
        path: '/admin/products/{id}',
        tags: ['Administration'],
        summary: 'Change the terms: a new version; applications already started keep the version they took',
        request: { params: IdParams, body: jsonBody(Terms.partial().strict()) },
        responses: { 200: jsonResponse(ProductSchema, 'The new version'), 409: CONFLICT_RESPONSE },
      }),
      async (c) => c.json(await products.update(actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/admin/products/{id}/retire',
        tags: ['Administration'],
        summary: 'Retire: no longer offered to new applications; those in flight keep it',
        request: { params: IdParams },
        responses: { 200: jsonResponse(ProductSchema, 'Retired'), 409: CONFLICT_RESPONSE },
      }),
      async (c) => c.json(await products.retire(actorOf(c), c.req.valid('param').id), 200),
    );
}

import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { accountOpeningSpec } from '../../workflows/account-opening/spec.js';
import { visibilityFilter } from '../../workflows/policy.js';
import { actorFor } from '../../hub/context.js';
import type { AccountOpeningService } from '../../hub/account-opening.js';
import { listVisibleClients } from '../../db/catalog.js';
import { withKycStanding } from '../../hub/kyc-standing.js';
import { KYC_STANDINGS } from '../../workflows/client-onboarding/kyc-standing.js';
import { createRouter, hubRoute, IdParams, jsonResponse, listResponse } from './openapi.js';

const ProductSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    risk_level: z.string(),
    liquidity: z.string(),
    minimum_investment: z.number(),
    management_fee_percent: z.number(),
    currency: z.string().openapi({ example: 'USD' }),
  })
  .openapi('Product');

/** Shared with the administrators' client rows. */
export const KycStandingSchema = z.enum(KYC_STANDINGS).openapi({
  description: 'complete; review_due within kyc_review_notice_days of its review date; expired past it; or not done',
});

const ClientSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    kyc_status: z.string(),
    kyc_expires_at: z.string().nullable().openapi({ description: 'When the KYC falls due for its periodic review' }),
    kyc_standing: KycStandingSchema,
    politically_exposed: z.boolean(),
    advisor_id: z.string().nullable(),
  })
  .openapi('Client');

export function clientRoutes(service: AccountOpeningService, sql: Sql) {
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/clients',
        tags: ['Clients'],
        summary: 'The clients the caller may see (an advisor: assigned clients; a client: themselves)',
        responses: {
          200: listResponse('clients', ClientSchema, 'Clients by name'),
        },
      }),
      async (c) => {
        const visibility = visibilityFilter(accountOpeningSpec, actorFor(c.get('user'), c.get('channel')));
        const clients = await withKycStanding(sql, await listVisibleClients(sql, visibility));
        return c.json({ clients }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/clients/{id}/products',
        tags: ['Clients'],
        summary: 'Products available to this client, with descriptions, fees and minimum investments',
        request: { params: IdParams },
        responses: {
          200: jsonResponse(
            z.object({ client_id: z.string(), kyc_status: z.string(), products: z.array(ProductSchema) }),
            'The active catalog',
          ),
        },
      }),
      async (c) =>
        c.json(await service.listProducts(actorFor(c.get('user'), c.get('channel')), c.req.valid('param').id), 200),
    );
}

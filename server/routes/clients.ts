import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { accountOpeningSpec } from '../../workflows/account-opening/spec.js';
import { visibilityFilter } from '../../workflows/policy.js';
import { actorFor } from '../../hub/context.js';
import type { AccountOpeningService } from '../../hub/account-opening.js';
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

const ClientSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    kyc_status: z.string(),
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
        const v = visibilityFilter(accountOpeningSpec, actorFor(c.get('user'), c.get('channel')));
        const clients =
          'none' in v
            ? []
            : await sql`
                SELECT id, name, email, kyc_status, politically_exposed, advisor_id FROM clients
                WHERE true
                  ${'advisor_id' in v ? sql`AND advisor_id = ${v.advisor_id}` : sql``}
                  ${'client_user_id' in v ? sql`AND user_id = ${v.client_user_id}` : sql``}
                  ${'team_id' in v ? sql`AND team_id = ${v.team_id}` : sql``}
                  ${'office_id' in v ? sql`AND team_id IN (SELECT id FROM teams WHERE office_id = ${v.office_id})` : sql``}
                ORDER BY name`;
        return c.json({ clients: clients as unknown as z.infer<typeof ClientSchema>[] }, 200);
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

import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { createAdminClients, type AdminClientsDeps } from '../../hub/admin-clients.js';
import type { HubConfig } from '../../runtime/config.js';
import { actorOf } from '../../hub/context.js';
import { baseUrlOf } from './admin-sign-in.js';
import { KycStandingSchema } from './clients.js';
import {
  CONFLICT_RESPONSE,
  createRouter,
  hubRoute,
  IdParams,
  jsonBody,
  jsonResponse,
  listResponse,
} from './openapi.js';

const KYC = ['complete', 'pending', 'incomplete'] as const;
const TYPES = ['individual', 'joint', 'entity'] as const;

const ClientRecordSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    client_type: z.enum(TYPES),
    jurisdiction: z.string().nullable(),
    birth_or_incorporation_date: z.string().nullable(),
    politically_exposed: z.boolean(),
    kyc_status: z.enum(KYC),
    kyc_expires_at: z.string().nullable().openapi({ description: 'When the KYC falls due for its periodic review' }),
    advisor_id: z.string().nullable(),
    advisor_name: z.string().nullable(),
    user_id: z.string().nullable(),
  })
  .openapi('ClientRecord');

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date such as 1980-04-23')
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'not a calendar date',
  )
  .refine((d) => d <= new Date().toISOString().slice(0, 10), 'cannot be in the future');

const ClientFields = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.string().trim().toLowerCase().pipe(z.email('expected an e-mail address')).pipe(z.string().max(200)),
    client_type: z
      .enum(TYPES)
      .openapi({ description: 'individual, joint (two holders) or entity (a company or trust)' }),
    jurisdiction: z
      .string()
      .trim()
      .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'expected an ISO 3166 code such as US or US-NY')
      .nullable(),
    birth_or_incorporation_date: isoDate
      .nullable()
      .openapi({ description: 'Date of birth, or of incorporation for an entity' }),
    politically_exposed: z.boolean(),
    kyc_status: z.enum(KYC).openapi({ description: 'KYC as it stands: complete lets applications open' }),
    advisor_id: z.string().trim().min(1).max(100).nullable(),
  })
  .strict();
// Optional on creation, with these values when left out.
const CREATE_DEFAULTS = {
  jurisdiction: null,
  birth_or_incorporation_date: null,
  politically_exposed: false,
  kyc_status: 'pending',
  advisor_id: null,
} as const;
const NewClient = ClientFields.partial({
  jurisdiction: true,
  birth_or_incorporation_date: true,
  politically_exposed: true,
  kyc_status: true,
  advisor_id: true,
});

export function adminClientRoutes(
  sql: Sql,
  config: HubConfig,
  reassignApplication: AdminClientsDeps['reassignApplication'],
) {
  const clients = createAdminClients({ sql, reassignApplication });
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/admin/clients',
        tags: ['Administration'],
        summary: 'Clients, searchable by name or e-mail, or by advisor',
        request: {
          query: z.object({
            q: z.string().trim().max(200).optional(),
            advisor_id: z.string().max(100).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(200),
          }),
        },
        responses: {
          200: listResponse(
            'clients',
            ClientRecordSchema.extend({ kyc_standing: KycStandingSchema }),
            'Clients by name',
          ),
        },
      }),
      async (c) => c.json({ clients: await clients.list(actorOf(c), c.req.valid('query')) }, 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/admin/clients',
        tags: ['Administration'],
        summary: 'Create a client',
        request: { body: jsonBody(NewClient) },
        responses: { 201: jsonResponse(ClientRecordSchema, 'Created') },
      }),
      async (c) => c.json(await clients.create(actorOf(c), { ...CREATE_DEFAULTS, ...c.req.valid('json') }), 201),
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/admin/clients/{id}',
        tags: ['Administration'],
        summary: 'One client',
        request: { params: IdParams },
        responses: { 200: jsonResponse(ClientRecordSchema, 'The client') },
      }),
      async (c) => c.json(await clients.get(actorOf(c), c.req.valid('param').id), 200),
    )
    .openapi(
      hubRoute({
        method: 'patch',
        path: '/admin/clients/{id}',
        tags: ['Administration'],
        summary: 'Edit a client; a new advisor_id also moves their open applications (permissions and boards follow)',
        request: { params: IdParams, body: jsonBody(ClientFields.partial().strict()) },
        responses: {
          200: jsonResponse(ClientRecordSchema.extend({ moved_applications: z.array(z.string()) }), 'Changed'),
        },
      }),
      async (c) => c.json(await clients.update(actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/admin/clients/{id}/invite',
        tags: ['Administration'],
        summary: 'Invite the client to sign in: a client login and a one-time set-password link (72 hours)',
        request: { params: IdParams },
        responses: {
          200: jsonResponse(
            z.object({ user_id: z.string(), link: z.string(), expires_at: z.string() }),
            'The link to send',
          ),
          409: CONFLICT_RESPONSE,
        },
      }),
      async (c) => c.json(await clients.invite(actorOf(c), c.req.valid('param').id, baseUrlOf(config, c)), 200),
    );
}

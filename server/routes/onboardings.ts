import { actorOf } from '../../hub/context.js';
import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import type { HubConfig } from '../../runtime/config.js';
import { ONBOARDING_COMMANDS } from '../../workflows/client-onboarding/definitions.js';
import { CLIENT_TYPES, clientOnboardingSpec, ONBOARDING_STATUSES } from '../../workflows/client-onboarding/spec.js';
import type { OnboardingService } from '../../hub/client-onboarding.js';
import type { OnboardingCommandName } from '../../workflows/client-onboarding/definitions.js';
import { baseUrlOf } from './admin-sign-in.js';
import { addCommandRoutes, addTrailRoutes, IdempotencyHeaders, type CommandRoute } from './command-routes.js';
import { nextCursor, pageAfter } from './keyset-cursor.js';
import {
  CONFLICT_RESPONSE,
  createRouter,
  hubRoute,
  IdParams,
  jsonBody,
  jsonResponse,
  pageResponse,
} from './openapi.js';
import { OnboardingSchema } from '../../contracts/records.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const COMMAND_ROUTES: Record<OnboardingCommandName, CommandRoute> = {
  save_profile: { summary: 'Save profile sections as a draft, each validated (invited or profile → profile)' },
  submit_profile: { summary: 'Submit the whole profile, saving any sections given first (→ documents)' },
  submit_documents: {
    summary: "Submit the client type's documents, once uploaded; screening starts (documents → screening)",
    bodyOptional: true,
  },
  clear_screening_hit: {
    summary: 'Compliance: clear a screening hit as a false positive, with a reason (two officers)',
  },
  confirm_screening_hit: {
    summary: 'Compliance: confirm a screening hit as a true match: reject, or go on with enhanced due diligence',
  },
  compliance_approve: {
    summary: "Compliance: approve (a high-risk client needs two officers); the client's KYC is complete",
    bodyOptional: true,
  },
  compliance_reject: { summary: 'Compliance: reject, with a reason' },
  cancel_onboarding: { summary: 'Cancel an open onboarding', bodyOptional: true },
};

const InviteBody = z.union([
  z.object({ client_id: text(100).openapi({ example: 'cli_dana_diaz' }) }).strict(),
  z
    .object({
      client: z
        .object({
          name: text(200),
          email: z.email().max(200),
          client_type: z.enum(CLIENT_TYPES),
          jurisdiction: z
            .string()
            .regex(/^[A-Z]{2}$/, 'a two-letter ISO 3166 country code')
            .optional(),
        })
        .strict(),
      advisor_id: text(100).optional().openapi({ description: 'Administrators: the new client’s advisor' }),
    })
    .strict(),
]);

const ListQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()) : undefined))
    .pipe(z.array(z.enum(ONBOARDING_STATUSES)).optional()),
  client_id: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});

export function onboardingRoutes(service: OnboardingService, sql: Sql, config: HubConfig) {
  const router = createRouter()
    .openapi(
      hubRoute({
        method: 'post',
        path: '/onboardings',
        tags: ['Onboardings'],
        summary: 'Invite a client to onboarding (an existing client, or a new one): their login and the process',
        request: { body: jsonBody(InviteBody), headers: IdempotencyHeaders },
        responses: {
          201: jsonResponse(
            z.object({
              onboarding: OnboardingSchema,
              client_user_id: z.string(),
              invitation: z
                .object({ link: z.string(), expires_at: z.string() })
                .nullable()
                .openapi({ description: 'A one-time set-password link for the client, when they have no password' }),
            }),
            'The onboarding, invited',
          ),
          409: CONFLICT_RESPONSE,
        },
      }),
      async (c) => {
        const result = await service.invite(
          actorOf(c),
          c.req.valid('json'),
          baseUrlOf(config, c),
          c.req.valid('header')['idempotency-key'],
        );
        return c.json(result, 201);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/onboardings',
        tags: ['Onboardings'],
        summary: 'List the onboardings the caller may see (a client sees their own)',
        request: { query: ListQuery },
        responses: { 200: pageResponse('onboardings', OnboardingSchema, 'A page of onboardings, newest change first') },
      }),
      async (c) => {
        const { limit, cursor, ...filters } = c.req.valid('query');
        const onboardings = await service.list(actorOf(c), { ...filters, limit, before: pageAfter(cursor) });
        const next_cursor = nextCursor(onboardings, limit, (last) => ({
          updated_at: last.updated_at,
          process_id: last.onboarding_id,
        }));
        return c.json({ onboardings, next_cursor }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/onboardings/{id}',
        tags: ['Onboardings'],
        summary: 'An onboarding: profile, screening hits, risk rating with its factors, approvals, allowed actions',
        request: { params: IdParams },
        responses: { 200: jsonResponse(OnboardingSchema, 'The onboarding') },
      }),
      async (c) => c.json(await service.get(actorOf(c), c.req.valid('param').id), 200),
    );

  addTrailRoutes(router, {
    spec: clientOnboardingSpec,
    tag: 'Onboardings',
    sql,
    summaries: {
      audit: 'The audit trail of an onboarding: every command, accepted or refused',
      events: "An onboarding's events in commit order",
    },
    requireVisible: (actor, id, action) => service.requireVisible(actor, id, action),
  });
  addCommandRoutes(router, {
    spec: clientOnboardingSpec,
    tag: 'Onboarding commands',
    response: OnboardingSchema,
    commands: ONBOARDING_COMMANDS,
    routes: COMMAND_ROUTES,
    run: (actor, id, command, input, key) => service.runCommand(actor, id, command, input, key),
  });
  return router;
}

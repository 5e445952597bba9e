import { actorOf } from '../../hub/context.js';
import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import type { HubConfig } from '../../runtime/config.js';
import { ONBOARDING_COMMANDS, ProfileSchema } from '../../workflows/client-onboarding/definitions.js';
import {
  CLIENT_TYPES,
  clientOnboardingSpec,
  ONBOARDING_STATUSES,
  RISK_RATINGS,
} from '../../workflows/client-onboarding/spec.js';
import type { OnboardingService } from '../../hub/client-onboarding.js';
import type { OnboardingCommandName } from '../../workflows/client-onboarding/definitions.js';
import { baseUrlOf } from './admin-sign-in.js';
import { addCommandRoutes, addTrailRoutes, IdempotencyHeaders, type CommandRoute } from './command-routes.js';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor.js';
import { CONFLICT_RESPONSE, createRouter, hubRoute, IdParams, jsonBody, jsonResponse, orNull } from './openapi.js';
import { LiveSlaSchema } from './sla.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const person = z.object({ by: z.string(), name: z.string(), reason: z.string(), at: z.string() });

const HitSchema = z.object({
  hit_id: z.string(),
  list: z.enum(['sanctions', 'pep']),
  entry_id: z.string(),
  listed_name: z.string(),
  listed_alias: z.string().nullable().optional().openapi({ description: 'The a.k.a. that matched, if not the name' }),
  matched_name: z.string(),
  score: z.number(),
  program: z.string().nullable(),
  status: z.enum(['open', 'cleared', 'confirmed']),
  clearances: z.array(person),
  confirmation: person.extend({ outcome: z.enum(['reject', 'enhanced_due_diligence']) }).nullable(),
});

const OnboardingSchema = z
  .object({
    onboarding_id: z.string(),
    process_type: z.string(),
    client_id: z.string(),
    client_name: z.string(),
    client_user_id: z.string().nullable(),
    client_type: z.enum(CLIENT_TYPES),
    advisor_id: z.string().nullable(),
    invited_by: z.string(),
    status: z.enum(ONBOARDING_STATUSES),
    progress: z.object({ step: z.number().nullable(), of: z.number(), label: z.string() }),
    profile: ProfileSchema.partial(),
    profile_submitted_at: z.string().nullable(),
    needs_personal_documents: z.boolean(),
    needs_entity_documents: z.boolean(),
    screening: z
      .object({
        screened_at: z.string(),
        lists_as_of: z.string().nullable(),
        names: z.array(z.string()),
        hits: z.array(HitSchema),
      })
      .nullable(),
    risk: z
      .object({
        rating: z.enum(RISK_RATINGS),
        score: z.number(),
        factors: z.array(
          z.object({
            factor: z.string(),
            value: z.string(),
            points: z.number(),
            decisive: z.boolean(),
            note: z.string(),
          }),
        ),
      })
      .nullable(),
    edd_required: z.boolean(),
    politically_exposed: z.boolean(),
    approvals: z.array(
      z.object({
        approved_by: z.string(),
        approver_name: z.string(),
        role: z.string(),
        channel: z.string(),
        at: z.string(),
        notes: z.string().nullable(),
      }),
    ),
    approvals_required: z.number(),
    assigned_officer_id: z.string().nullable(),
    review_started_at: z.string().nullable(),
    rejection_reason: z.string().nullable(),
    decided_by: z.string().nullable(),
    decided_at: z.string().nullable(),
    kyc_expires_at: z.string().nullable(),
    review_of_kyc_expiring: z.string().nullable(),
    expires_at: z.string(),
    allowed_actions: z.array(z.string()).openapi({ description: 'The commands the caller may take now' }),
    sla: orNull(LiveSlaSchema),
    status_entered_at: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    version: z.number(),
  })
  .openapi('Onboarding');

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
        return c.json(result as never, 201);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/onboardings',
        tags: ['Onboardings'],
        summary: 'List the onboardings the caller may see (a client sees their own)',
        request: { query: ListQuery },
        responses: {
          200: jsonResponse(
            z.object({ onboardings: z.array(OnboardingSchema), next_cursor: z.string().nullable() }),
            'A page of onboardings, newest change first',
          ),
        },
      }),
      async (c) => {
        const { limit, cursor, ...filters } = c.req.valid('query');
        const onboardings = await service.list(actorOf(c), {
          ...filters,
          limit,
          before: cursor ? decodeKeysetCursor(cursor) : undefined,
        });
        const last = onboardings.at(-1);
        const next =
          onboardings.length === limit && last
            ? encodeKeysetCursor({ updated_at: last.updated_at, process_id: last.onboarding_id })
            : null;
        return c.json({ onboardings, next_cursor: next } as never, 200);
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
      async (c) => c.json((await service.get(actorOf(c), c.req.valid('param').id)) as never, 200),
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

import { actorOf } from '../../hub/context.js';
import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { APPLICATION_COMMANDS } from '../../workflows/account-opening/definitions.js';
import { accountOpeningSpec, ACCOUNT_TYPES, APPLICATION_STATUSES } from '../../workflows/account-opening/spec.js';
import type { AccountOpeningService, ApplicationCommand } from '../../hub/account-opening.js';
import { addProcessRoutes, IdempotencyHeaders, type CommandRoute } from './command-routes.js';
import { nextCursor, pageAfter } from './keyset-cursor.js';
import { createRouter, hubRoute, jsonBody, jsonResponse, pageResponse } from './openapi.js';
import { ApplicationSchema } from '../../contracts/records.js';

const text = (max: number) => z.string().trim().min(1).max(max);

/** What each command's route says beyond the spec and its definitions. */
const COMMAND_ROUTES: Record<ApplicationCommand, CommandRoute> = {
  select_products: { summary: 'Select investment products (draft or product_selection → risk_assessment)' },
  complete_risk_assessment: { summary: 'Complete the risk assessment (risk_assessment → terms_review)' },
  accept_terms: { summary: 'Accept the terms and conditions (terms_review → funding)' },
  provide_funding_details: { summary: 'Give funding details and submit (funding → submitted → compliance_review)' },
  compliance_approve: {
    summary: 'Approve as compliance (compliance_review → approved → account_created)',
    bodyOptional: true,
  },
  compliance_reject: { summary: 'Reject as compliance, with a reason (compliance_review → rejected)' },
  cancel_application: { summary: 'Cancel (from draft up to funding)', bodyOptional: true },
  override_status: { summary: 'Administrators: set the status directly, with a reason' },
  reassign_application: { summary: 'Administrators: reassign the advisor or the compliance officer, with a reason' },
  retry_account_creation: {
    summary: 'Administrators: retry account creation after the CRM failed',
    bodyOptional: true,
  },
};

const ListQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()) : undefined))
    .pipe(z.array(z.enum(APPLICATION_STATUSES)).optional())
    .openapi({ description: 'One status or several separated by commas', example: 'compliance_review' }),
  client_id: z.string().max(100).optional(),
  advisor_id: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional().openapi({ description: 'next_cursor of the previous page' }),
});

const actor = actorOf;

export function applicationRoutes(service: AccountOpeningService, sql: Sql) {
  const router = createRouter()
    .openapi(
      hubRoute({
        method: 'post',
        path: '/applications',
        tags: ['Applications'],
        summary: 'Start an account application (client for themselves, advisor for an assigned client, admin)',
        request: {
          body: jsonBody(
            z
              .object({
                client_id: text(100).openapi({ example: 'cli_chris_carter' }),
                account_type: z.enum(ACCOUNT_TYPES),
              })
              .strict(),
          ),
          headers: IdempotencyHeaders,
        },
        responses: { 201: jsonResponse(ApplicationSchema, 'The new application, in draft') },
      }),
      async (c) => {
        const view = await service.start(actor(c), c.req.valid('json'), c.req.valid('header')['idempotency-key']);
        return c.json(view, 201);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/applications',
        tags: ['Applications'],
        summary: 'List the applications the caller may see',
        request: { query: ListQuery },
        responses: {
          200: pageResponse('applications', ApplicationSchema, 'A page of applications, newest change first'),
        },
      }),
      async (c) => {
        const { limit, cursor, ...filters } = c.req.valid('query');
        const applications = await service.list(actor(c), { ...filters, limit, before: pageAfter(cursor) });
        const next_cursor = nextCursor(applications, limit, (last) => ({
          updated_at: last.updated_at,
          process_id: last.application_id,
        }));
        return c.json({ applications, next_cursor }, 200);
      },
    );

  addProcessRoutes(router, {
    spec: accountOpeningSpec,
    tags: { detail: 'Applications', commands: 'Application commands' },
    record: ApplicationSchema,
    noun: 'application',
    sql,
    summaries: {
      detail:
        'An application: every field, progress, suitability warnings, approvals and the actions the caller may take',
      audit: 'The audit trail of an application: every command, accepted or refused',
      events: "An application's events in commit order",
    },
    get: (actor, id) => service.get(actor, id),
    requireVisible: (actor, id, action) => service.requireVisible(actor, id, action),
    commands: APPLICATION_COMMANDS,
    routes: COMMAND_ROUTES,
    run: (actor, id, command, input, key) => service.runCommand(actor, id, command, input, key),
  });
  return router;
}

import { actorOf } from '../../hub/context.js';
import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { APPLICATION_COMMANDS } from '../../workflows/account-opening/definitions.js';
import {
  accountOpeningSpec,
  ACCOUNT_TYPES,
  APPLICATION_STATUSES,
  RISK_PROFILES,
} from '../../workflows/account-opening/spec.js';
import type { AccountOpeningService, ApplicationCommand } from '../../hub/account-opening.js';
import { addProcessRoutes, IdempotencyHeaders, type CommandRoute } from './command-routes.js';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor.js';
import { createRouter, hubRoute, jsonBody, jsonResponse, orNull } from './openapi.js';
import { LiveSlaSchema } from './sla.js';

const text = (max: number) => z.string().trim().min(1).max(max);

const ApplicationSchema = z
  .object({
    application_id: z.string(),
    process_type: z.string(),
    client_id: z.string(),
    client_name: z.string(),
    advisor_id: z.string().nullable(),
    opened_by: z.string(),
    account_type: z.string(),
    status: z.enum(APPLICATION_STATUSES),
    progress: z.object({ step: z.number().nullable(), of: z.number(), label: z.string() }),
    selected_products: z
      .array(z.object({ product_id: z.string(), product_name: z.string(), allocation_percent: z.number() }))
      .nullable(),
    risk_score: z.number().nullable(),
    risk_profile: z.enum(RISK_PROFILES).nullable(),
    investment_objective: z.string().nullable(),
    investment_horizon: z.string().nullable(),
    initial_investment_amount: z.number().nullable(),
    currency: z.string().nullable(),
    source_of_funds: z.string().nullable(),
    source_of_funds_detail: z.string().nullable(),
    terms_accepted: z.boolean(),
    terms_accepted_at: z.string().nullable(),
    mandate_document_id: z.string().nullable(),
    funding_method: z.string().nullable(),
    funding_reference: z.string().nullable(),
    compliance_notes: z.string().nullable(),
    rejection_reason: z.string().nullable(),
    suitability_warnings: z.array(
      z.object({ kind: z.string(), product_id: z.string(), product_name: z.string(), message: z.string() }),
    ),
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
    edd_required: z.boolean(),
    politically_exposed: z.boolean(),
    assigned_officer_id: z.string().nullable(),
    account_number: z.string().nullable(),
    crm_failure: z.object({ code: z.string(), message: z.string(), attempts: z.number(), at: z.string() }).nullable(),
    allowed_actions: z.array(z.string()).openapi({ description: 'The commands the caller may take now' }),
    sla: orNull(LiveSlaSchema).openapi({ description: 'The SLA of the current state, if it has one' }),
    status_entered_at: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    version: z.number(),
  })
  .openapi('Application');

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
          200: jsonResponse(
            z.object({ applications: z.array(ApplicationSchema), next_cursor: z.string().nullable() }),
            'A page of applications, newest change first',
          ),
        },
      }),
      async (c) => {
        const { limit, cursor, ...filters } = c.req.valid('query');
        const applications = await service.list(actor(c), {
          ...filters,
          limit,
          before: cursor ? decodeKeysetCursor(cursor) : undefined,
        });
        const last = applications.at(-1);
        return c.json(
          {
            applications,
            next_cursor:
              applications.length === limit && last
                ? encodeKeysetCursor({ updated_at: last.updated_at, process_id: last.application_id })
                : null,
          },
          200,
        );
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

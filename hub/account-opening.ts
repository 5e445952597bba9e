import { createHash, randomBytes } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { auditRefusal as recordRefusal } from '../db/audit.js';
import { getClient, listActiveProducts } from '../db/catalog.js';
import { recordEvent } from '../db/events.js';
import type { ViewEvents } from './view-events.js';
import { listProcesses, type ProcessFilters, type ProcessRow } from '../db/processes.js';
import { getSetting } from '../db/settings.js';
import { getUser } from '../db/users.js';
import {
  ACCOUNT_OPENING_WORKFLOW_TYPE,
  APPLICATION_COMMANDS,
  applicationWorkflowId,
  startApplicationUpdate,
  type AccountOpeningInput,
  type ApplicationCommand,
  type ApplicationRecord,
  type Command,
  type CommandResult,
  type ReassignInput,
} from '../workflows/account-opening/definitions.js';
import { allowedActions, checkAllowed, relationsOf } from '../workflows/account-opening/rules.js';
import { accountOpeningSpec as spec, HAPPY_PATH } from '../workflows/account-opening/spec.js';
import { HubError } from '../workflows/errors.js';
import { toWireNumber, type Numeric } from '../workflows/money.js';
import { mayRun, maySee, placed, visibilityFilter } from '../workflows/policy.js';
import { withoutScope, type Actor } from '../workflows/process-records.js';
import type { HubDeps } from './context.js';
import { createProcessCommands, RECORDED_ANSWERS, type ProcessKind, type ProcessView } from './process-commands.js';

export type { ApplicationCommand };
export type ApplicationView = ProcessView<ApplicationRecord, ApplicationCommand>;

/** Account opening as the command service sees it: the spec, the definitions and the rules it asks first. */
export const applicationKind: ProcessKind<ApplicationRecord, ApplicationCommand, Command, CommandResult> = {
  spec,
  notFound: 'APPLICATION_NOT_FOUND',
  noun: 'application',
  happyPath: HAPPY_PATH,
  commands: APPLICATION_COMMANDS,
  relationsOf,
  checkAllowed,
  allowedActions: (record, actor) => allowedActions(record, actor) as ApplicationCommand[],
  workflowIdOf: (record) => applicationWorkflowId(record.application_id),
  ...RECORDED_ANSWERS,
};

/** Optional collaborators that later features plug in (the collaborative notes' text at a decision). */
export interface AccountOpeningHooks {
  complianceNotesText?: (applicationId: string) => Promise<string | null>;
  /** Where views go; without it each view is appended to the feed before the read answers. */
  views?: ViewEvents;
}

/**
 * Every account-opening command from every channel goes through here: existence, permission policy,
 * then the workflow's Update (whose validator applies the blueprint's rules). Refusals are audited.
 */
export function createAccountOpeningService(deps: HubDeps, hooks: AccountOpeningHooks = {}) {
  const { sql, temporal, config } = deps;
  const commands = createProcessCommands(deps, applicationKind);
  const { audited, load: loadApplication, view, withinCommandDeadline } = commands;
  const rowView = (row: ProcessRow & { detail: ApplicationRecord }, actor: Actor) =>
    view({ record: row.detail, sla: row.sla }, actor);

  const auditRefusal = (
    actor: Actor,
    action: string,
    processId: string | null,
    error: HubError,
    details: Record<string, unknown> = {},
  ) =>
    recordRefusal(sql, {
      process_type: spec.processType,
      process_id: processId,
      actor,
      action,
      code: error.code,
      message: error.message,
      details,
    });

  function newApplicationId(actor: Actor, idempotencyKey?: string): string {
    // The same key from the same person always names the same application, so a retried POST is harmless.
    const seed = idempotencyKey
      ? createHash('sha256').update(`${actor.user_id}\n${idempotencyKey}`).digest()
      : randomBytes(16);
    return `app_${seed.toString('base64url').replace(/[-_]/g, '').slice(0, 16).toLowerCase()}`;
  }

  return {
    auditRefusal,

    async start(
      actor: Actor,
      input: { client_id: string; account_type: string },
      idempotencyKey?: string,
      /** The demo seeder's history only (business-clock.ts); no edge passes it. */
      occurredAt?: string,
    ): Promise<ApplicationView> {
      const details = { client_id: input.client_id };
      return audited(
        actor,
        'start_application',
        null,
        async () => {
          const client = await getClient(sql, input.client_id);
          if (!client)
            throw new HubError('VALIDATION_FAILED', `client_id: no client ${input.client_id}`, { field: 'client_id' });
          if (
            !mayRun(
              spec,
              'start_application',
              actor,
              placed({ client_user_id: client.user_id, advisor_id: client.advisor_id }, client),
            )
          ) {
            throw new HubError(
              'FORBIDDEN',
              actor.role === 'advisor' ? 'You may open applications only for your assigned clients' : undefined,
            );
          }
          if (client.kyc_status !== 'complete') {
            throw new HubError(
              'ONBOARDING_INCOMPLETE',
              `Client onboarding must be completed before opening an account (KYC is ${client.kyc_status})`,
            );
          }
          // KYC past its periodic review is no longer complete: a review onboarding renews it.
          if (client.kyc_expires_at && Date.parse(client.kyc_expires_at) <= Date.now()) {
            throw new HubError(
              'ONBOARDING_INCOMPLETE',
              `Client onboarding must be completed before opening an account (KYC expired on ${client.kyc_expires_at.slice(0, 10)})`,
              { kyc_expires_at: client.kyc_expires_at },
            );
          }
          const applicationId = newApplicationId(actor, idempotencyKey);
          const workflowInput: AccountOpeningInput = {
            application_id: applicationId,
            account_type: input.account_type,
            client: {
              id: client.id,
              name: client.name,
              advisor_id: client.advisor_id,
              user_id: client.user_id,
              politically_exposed: client.politically_exposed,
            },
            catalog: (await listActiveProducts(sql)).map(({ description: _description, ...product }) => product),
            edd_threshold: toWireNumber(await getSetting<Numeric>(sql, 'edd_threshold', 250_000)),
            opened_by: withoutScope(actor),
            crm_retry: { maximum_attempts: config.CRM_MAX_ATTEMPTS, initial_interval_ms: config.CRM_RETRY_INITIAL_MS },
            ...(occurredAt ? { occurred_at: occurredAt } : {}),
          };
          try {
            const result = await withinCommandDeadline(() =>
              temporal.workflow.executeUpdateWithStart(startApplicationUpdate, {
                args: [],
                startWorkflowOperation: new WithStartWorkflowOperation(ACCOUNT_OPENING_WORKFLOW_TYPE, {
                  workflowId: applicationWorkflowId(applicationId),
                  taskQueue: deps.taskQueue,
                  args: [workflowInput],
                  workflowIdConflictPolicy: idempotencyKey ? 'USE_EXISTING' : 'FAIL',
                  // An application id names one run for good: a replayed key must not restart an ended application.
                  workflowIdReusePolicy: 'REJECT_DUPLICATE',
                }),
              }),
            );
            return view(result, actor);
          } catch (error) {
            if (idempotencyKey && error instanceof WorkflowExecutionAlreadyStartedError) {
              return rowView(await loadApplication(applicationId), actor);
            }
            throw error;
          }
        },
        { details },
      );
    },

    async runCommand(
      actor: Actor,
      applicationId: string,
      command: ApplicationCommand,
      input: object,
      idempotencyKey?: string,
      /** The demo seeder's history only (business-clock.ts); no edge passes it. */
      occurredAt?: string,
    ): Promise<ApplicationView> {
      return commands.run(actor, applicationId, command, input, {
        idempotencyKey,
        occurredAt,
        prepare: async (_record, given) => {
          if (command === 'reassign_application') await checkAssignees(given as ReassignInput);
          if ((command === 'compliance_approve' || command === 'compliance_reject') && hooks.complianceNotesText) {
            return { ...given, notes_snapshot: (await hooks.complianceNotesText(applicationId)) ?? undefined };
          }
          return given;
        },
      });
    },

    /** The blueprint's Get_application_status: the application with progress, and a status_viewed event. */
    async get(actor: Actor, applicationId: string): Promise<ApplicationView> {
      return audited(actor, 'get_application_status', applicationId, async () => {
        const row = await loadApplication(applicationId);
        if (!maySee(spec, actor, placed(relationsOf(row.detail), row)))
          throw new HubError('FORBIDDEN', 'You may not view this application');
        const viewed = {
          type: 'account.status_viewed',
          payload: { application_id: applicationId, viewed_by: actor.user_id, timestamp: new Date().toISOString() },
        };
        if (hooks.views) await hooks.views.record(spec.processType, applicationId, viewed);
        else await recordEvent(sql, spec.processType, applicationId, viewed);
        return rowView(row, actor);
      });
    },

    /** For the audit and event endpoints: the application, if this person may see it. */
    async requireVisible(
      actor: Actor,
      applicationId: string,
      action = 'get_application_status',
    ): Promise<ApplicationRecord> {
      return (await commands.requireVisible(actor, applicationId, action)).detail;
    },

    async list(actor: Actor, filters: Omit<ProcessFilters, 'process_type'>) {
      const rows = await listProcesses(sql, visibilityFilter(spec, actor), {
        ...filters,
        process_type: spec.processType,
      });
      return commands.views(rows, actor);
    },

    /** The blueprint's Get_available_products: the catalog with descriptions, fees and minimums. */
    async listProducts(actor: Actor, clientId: string) {
      const client = await getClient(sql, clientId);
      if (!client) throw new HubError('CLIENT_NOT_FOUND');
      const relations = placed({ client_user_id: client.user_id, advisor_id: client.advisor_id }, client);
      if (!mayRun(spec, 'get_available_products', actor, relations)) {
        throw new HubError('FORBIDDEN', 'You may not list products for this client');
      }
      const products = await listActiveProducts(sql);
      await recordEvent(sql, null, null, {
        type: 'products.listed',
        payload: { client_id: clientId, timestamp: new Date().toISOString() },
      });
      return { client_id: clientId, kyc_status: client.kyc_status, products };
    },
  };

  async function checkAssignees(input: ReassignInput) {
    for (const [field, id, role] of [
      ['advisor_id', input.advisor_id, 'advisor'],
      ['assigned_officer_id', input.assigned_officer_id, 'compliance_officer'],
    ] as const) {
      if (!id) continue;
      const user = await getUser(sql, id);
      if (!user || user.role !== role)
        throw new HubError('VALIDATION_FAILED', `${field}: ${id} is not an active ${role.replace('_', ' ')}`, {
          field,
        });
    }
  }
}

export type AccountOpeningService = ReturnType<typeof createAccountOpeningService>;

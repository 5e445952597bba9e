import { createHash, randomBytes } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { auditRefusal as recordRefusal } from '../db/audit.js';
import { getClient, listActiveProducts } from '../db/catalog.js';
import { recordEvent } from '../db/events.js';
import { getProcess, listProcesses, type ProcessFilters, type ProcessRow } from '../db/processes.js';
import { getSetting } from '../db/settings.js';
import { getUser } from '../db/users.js';
import {
  acceptTermsUpdate,
  ACCOUNT_OPENING_WORKFLOW_TYPE,
  applicationWorkflowId,
  approveApplicationUpdate,
  cancelApplicationUpdate,
  completeRiskAssessmentUpdate,
  overrideStatusUpdate,
  provideFundingDetailsUpdate,
  reassignApplicationUpdate,
  rejectApplicationUpdate,
  retryAccountCreationUpdate,
  selectProductsUpdate,
  startApplicationUpdate,
  type AccountOpeningInput,
  type ApplicationRecord,
  type Command,
  type CommandResult,
  type ReassignInput,
} from '../workflows/account-opening/definitions.js';
import { allowedActions, checkAllowed, relationsOf } from '../workflows/account-opening/rules.js';
import {
  accountOpeningSpec as spec,
  HAPPY_PATH,
  type AccountOpeningCommand,
  type ApplicationStatus,
} from '../workflows/account-opening/spec.js';
import { HubError } from '../workflows/errors.js';
import { mayRun, maySee, visibilityFilter } from '../workflows/policy.js';
import type { Actor } from '../workflows/process-records.js';
import { isTerminal, progressOf } from '../workflows/process-spec.js';
import type { HubDeps } from './context.js';
import { createSlaReader, type LiveSla } from './sla.js';
import { toHubError } from './errors.js';

export type ApplicationCommand = Exclude<AccountOpeningCommand, 'start_application' | 'get_application_status' | 'get_available_products'>;

/** Which Update carries each command; the inputs were shaped by the caller's own validation. */
const UPDATE_NAMES: Record<ApplicationCommand, string> = {
  select_products: selectProductsUpdate.name,
  complete_risk_assessment: completeRiskAssessmentUpdate.name,
  accept_terms: acceptTermsUpdate.name,
  provide_funding_details: provideFundingDetailsUpdate.name,
  compliance_approve: approveApplicationUpdate.name,
  compliance_reject: rejectApplicationUpdate.name,
  cancel_application: cancelApplicationUpdate.name,
  override_status: overrideStatusUpdate.name,
  reassign_application: reassignApplicationUpdate.name,
  retry_account_creation: retryAccountCreationUpdate.name,
};

export type ApplicationView = ApplicationRecord & {
  process_type: string;
  progress: { step: number | null; of: number; label: string };
  allowed_actions: ApplicationCommand[];
  sla: LiveSla | null;
};

/** Optional collaborators that later features plug in (the collaborative notes' text at a decision). */
export interface AccountOpeningHooks {
  complianceNotesText?: (applicationId: string) => Promise<string | null>;
}

/**
 * Every account-opening command from every channel goes through here: existence, permission policy,
 * then the workflow's Update (whose validator applies the blueprint's rules). Refusals are audited.
 */
export function createAccountOpeningService(deps: HubDeps, hooks: AccountOpeningHooks = {}) {
  const { sql, temporal, config } = deps;

  async function audited<T>(actor: Actor, action: string, processId: string | null, details: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const hubError = toHubError(error);
      if (hubError.code !== 'INTERNAL_ERROR' && hubError.code !== 'SERVICE_UNAVAILABLE') {
        await auditRefusal(actor, action, processId, hubError, details);
        hubError.audited = true;
      } else {
        deps.log.error({ err: error, action, processId }, 'command failed');
      }
      throw hubError;
    }
  }

  const auditRefusal = (actor: Actor, action: string, processId: string | null, error: HubError, details: Record<string, unknown> = {}) =>
    recordRefusal(sql, { process_type: spec.processType, process_id: processId, actor, action, code: error.code, message: error.message, details });

  async function loadApplication(applicationId: string): Promise<ProcessRow & { detail: ApplicationRecord }> {
    const row = await getProcess(sql, applicationId);
    if (!row || row.process_type !== spec.processType) throw new HubError('APPLICATION_NOT_FOUND');
    return row as ProcessRow & { detail: ApplicationRecord };
  }

  /** The application as its reader sees it: the read model's row, with progress, the caller's actions and the live SLA. */
  async function view({ record, sla }: CommandResult, actor: Actor, liveSla = createSlaReader(sql)): Promise<ApplicationView> {
    return {
      ...record,
      process_type: spec.processType,
      progress: progressOf(spec, record.status, HAPPY_PATH),
      allowed_actions: allowedActions(record, actor) as ApplicationCommand[],
      sla: await liveSla(sla),
    };
  }
  const rowView = (row: ProcessRow & { detail: ApplicationRecord }, actor: Actor, liveSla?: ReturnType<typeof createSlaReader>) =>
    view({ record: row.detail, sla: row.sla }, actor, liveSla);

  /**
   * An Update waits for a worker; with none running it would wait forever. Past the deadline the caller gets
   * 503: the command may still be applied when a worker returns, and a retry with the same Idempotency-Key
   * attaches to it and learns its outcome.
   */
  function withinCommandDeadline<T>(work: () => Promise<T>): Promise<T> {
    return temporal.withAbortSignal(AbortSignal.timeout(config.COMMAND_TIMEOUT_MS), work);
  }

  function newApplicationId(actor: Actor, idempotencyKey?: string): string {
    // The same key from the same person always names the same application, so a retried POST is harmless.
    const seed = idempotencyKey ? createHash('sha256').update(`${actor.user_id}\n${idempotencyKey}`).digest() : randomBytes(16);
    return `app_${seed.toString('base64url').replace(/[-_]/g, '').slice(0, 16).toLowerCase()}`;
  }

  return {
    auditRefusal,

    async start(actor: Actor, input: { client_id: string; account_type: string }, idempotencyKey?: string): Promise<ApplicationView> {
      return audited(actor, 'start_application', null, { client_id: input.client_id }, async () => {
        const client = await getClient(sql, input.client_id);
        if (!client) throw new HubError('VALIDATION_FAILED', `client_id: no client ${input.client_id}`, { field: 'client_id' });
        if (!mayRun(spec, 'start_application', actor, { client_user_id: client.user_id, advisor_id: client.advisor_id })) {
          throw new HubError('FORBIDDEN', actor.role === 'advisor' ? 'You may open applications only for your assigned clients' : undefined);
        }
        if (client.kyc_status !== 'complete') {
          throw new HubError('ONBOARDING_INCOMPLETE', `Client onboarding must be completed before opening an account (KYC is ${client.kyc_status})`);
        }
        const applicationId = newApplicationId(actor, idempotencyKey);
        const workflowInput: AccountOpeningInput = {
          application_id: applicationId,
          account_type: input.account_type,
          client: { id: client.id, name: client.name, advisor_id: client.advisor_id, user_id: client.user_id, politically_exposed: client.politically_exposed },
          catalog: (await listActiveProducts(sql)).map(({ description: _description, ...product }) => product),
          edd_threshold: Number(await getSetting(sql, 'edd_threshold', 250_000)),
          opened_by: actor,
          crm_retry: { maximum_attempts: config.CRM_MAX_ATTEMPTS, initial_interval_ms: config.CRM_RETRY_INITIAL_MS },
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
      });
    },

    async runCommand(actor: Actor, applicationId: string, command: ApplicationCommand, input: object, idempotencyKey?: string): Promise<ApplicationView> {
      return audited(actor, command, applicationId, {}, async () => {
        const { detail: record } = await loadApplication(applicationId);
        if (!mayRun(spec, command, actor, relationsOf(record))) {
          throw new HubError('FORBIDDEN', `You may not ${spec.commands[command].label.toLowerCase()} on this application`);
        }
        if (isTerminal(spec, record.status as ApplicationStatus)) {
          const refusal = checkAllowed(record, command, actor)!;
          throw HubError.fromRefusal(refusal);
        }
        if (command === 'reassign_application') await checkAssignees(input as ReassignInput);
        let commandInput = input;
        if ((command === 'compliance_approve' || command === 'compliance_reject') && hooks.complianceNotesText) {
          commandInput = { ...input, notes_snapshot: (await hooks.complianceNotesText(applicationId)) ?? undefined };
        }
        const handle = temporal.workflow.getHandle(applicationWorkflowId(applicationId));
        const result = await withinCommandDeadline(() =>
          handle.executeUpdate<CommandResult, [Command]>(UPDATE_NAMES[command], {
            args: [{ actor, input: commandInput }],
            ...(idempotencyKey ? { updateId: `${actor.user_id}:${command}:${idempotencyKey}` } : {}),
          }),
        );
        return view(result, actor);
      });
    },

    /** The blueprint's Get_application_status: the application with progress, and a status_viewed event. */
    async get(actor: Actor, applicationId: string): Promise<ApplicationView> {
      return audited(actor, 'get_application_status', applicationId, {}, async () => {
        const row = await loadApplication(applicationId);
        if (!maySee(spec, actor, relationsOf(row.detail))) throw new HubError('FORBIDDEN', 'You may not view this application');
        await recordEvent(sql, spec.processType, applicationId, {
          type: 'account.status_viewed',
          payload: { application_id: applicationId, viewed_by: actor.user_id, timestamp: new Date().toISOString() },
        });
        return rowView(row, actor);
      });
    },

    /** For the audit and event endpoints: the application, if this person may see it. */
    async requireVisible(actor: Actor, applicationId: string, action = 'get_application_status'): Promise<ApplicationRecord> {
      return audited(actor, action, applicationId, {}, async () => {
        const { detail: record } = await loadApplication(applicationId);
        if (!maySee(spec, actor, relationsOf(record))) throw new HubError('FORBIDDEN', 'You may not view this application');
        return record;
      });
    },

    async list(actor: Actor, filters: Omit<ProcessFilters, 'process_type'>) {
      const rows = await listProcesses(sql, visibilityFilter(spec, actor), { ...filters, process_type: spec.processType });
      const liveSla = createSlaReader(sql);
      return Promise.all(rows.map((row) => rowView(row as ProcessRow & { detail: ApplicationRecord }, actor, liveSla)));
    },

    /** The blueprint's Get_available_products: the catalog with descriptions, fees and minimums. */
    async listProducts(actor: Actor, clientId: string) {
      const client = await getClient(sql, clientId);
      if (!client) throw new HubError('CLIENT_NOT_FOUND');
      const relations = { client_user_id: client.user_id, advisor_id: client.advisor_id };
      if (!mayRun(spec, 'get_available_products', actor, relations)) {
        throw new HubError('FORBIDDEN', 'You may not list products for this client');
      }
      const products = await listActiveProducts(sql);
      await recordEvent(sql, null, null, { type: 'products.listed', payload: { client_id: clientId, timestamp: new Date().toISOString() } });
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
      if (!user || user.role !== role) throw new HubError('VALIDATION_FAILED', `${field}: ${id} is not an active ${role.replace('_', ' ')}`, { field });
    }
  }
}

export type AccountOpeningService = ReturnType<typeof createAccountOpeningService>;

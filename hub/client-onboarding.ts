import { createHash, randomBytes } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { getClientRecord, insertClient, linkClientUser, openProcessesOfClient } from '../db/catalog.js';
import { listProcesses, type ProcessFilters } from '../db/processes.js';
import { getKycReviewYears, getSetting } from '../db/settings.js';
import { findAnyUserByEmail, getPasswordHash, getUser, insertUser, issueUserToken } from '../db/users.js';
import {
  CLIENT_ONBOARDING_WORKFLOW_TYPE,
  ONBOARDING_COMMANDS,
  onboardingWorkflowId,
  startOnboardingUpdate,
  type CommandResult,
  type OnboardingInput,
  type OnboardingMessage,
  type OnboardingCommandName,
  type OnboardingRecord,
} from '../workflows/client-onboarding/definitions.js';
import { allowedActions, checkAllowed, relationsOf } from '../workflows/client-onboarding/rules.js';
import { clientOnboardingSpec as spec, HAPPY_PATH, type ClientType } from '../workflows/client-onboarding/spec.js';
import { HubError } from '../workflows/errors.js';
import { mayRun, visibilityFilter } from '../workflows/policy.js';
import type { Actor } from '../workflows/process-records.js';
import { INVITE_LINK_HOURS, setPasswordLink } from './admin-users.js';
import type { HubDeps } from './context.js';
import { createProcessCommands, RECORDED_ANSWERS, type ProcessKind, type ProcessView } from './process-commands.js';

export type OnboardingView = ProcessView<OnboardingRecord, OnboardingCommandName>;

/** Onboarding as the command service sees it. */
export const onboardingKind: ProcessKind<OnboardingRecord, OnboardingCommandName, OnboardingMessage, CommandResult> = {
  spec,
  notFound: 'ONBOARDING_NOT_FOUND',
  noun: 'onboarding',
  happyPath: HAPPY_PATH,
  commands: ONBOARDING_COMMANDS,
  relationsOf,
  checkAllowed,
  allowedActions: (record, actor) => allowedActions(record, actor) as OnboardingCommandName[],
  workflowIdOf: (record) => onboardingWorkflowId(record.onboarding_id),
  ...RECORDED_ANSWERS,
};

/** Who is invited: a client the firm has, or a new one created with the invitation. */
export type InviteInput =
  | { client_id: string; advisor_id?: undefined; client?: undefined }
  | {
      client: { name: string; email: string; client_type: ClientType; jurisdiction?: string };
      /** For administrators: the advisor of the new client (an advisor inviting is the advisor). */
      advisor_id?: string;
      client_id?: undefined;
    };

const TERMINAL = spec.states.filter((s) => 'terminal' in s && s.terminal).map((s) => s.id as string);

/**
 * Every onboarding command from every channel goes through the generic command service; this adds the
 * invitation (the client and their login made on the way) and the reads.
 */
export function createOnboardingService(deps: HubDeps) {
  const { sql, temporal } = deps;
  const commands = createProcessCommands(deps, onboardingKind);
  const { audited, load, view, withinCommandDeadline } = commands;

  /** The same key from the same person always names the same onboarding and new client: a retried POST is harmless. */
  function newId(prefix: 'onb' | 'cli' | 'usr', actor: Actor, idempotencyKey?: string): string {
    const seed = idempotencyKey
      ? createHash('sha256').update(`${prefix}\n${actor.user_id}\n${idempotencyKey}`).digest()
      : randomBytes(16);
    return `${prefix}_${seed.toString('base64url').replace(/[-_]/g, '').slice(0, 16).toLowerCase()}`;
  }

  /** The client to onboard, made now when new, with the advisor the policy lets the actor act for. */
  async function clientFor(actor: Actor, input: InviteInput, idempotencyKey?: string) {
    if (input.client_id !== undefined) {
      const client = await getClientRecord(sql, input.client_id);
      if (!client)
        throw new HubError('VALIDATION_FAILED', `client_id: no client ${input.client_id}`, { field: 'client_id' });
      return client;
    }
    const advisorId = actor.role === 'advisor' ? actor.user_id : input.advisor_id;
    if (!advisorId)
      throw new HubError('VALIDATION_FAILED', 'advisor_id: name the new client’s advisor', { field: 'advisor_id' });
    const advisor = await getUser(sql, advisorId);
    if (!advisor || advisor.role !== 'advisor')
      throw new HubError('VALIDATION_FAILED', `advisor_id: ${advisorId} is not an active advisor`, {
        field: 'advisor_id',
      });
    const id = newId('cli', actor, idempotencyKey);
    const made = idempotencyKey ? await getClientRecord(sql, id) : undefined;
    if (made) return made;
    const email = input.client.email.toLowerCase();
    if (await findAnyUserByEmail(sql, email))
      throw new HubError('EMAIL_TAKEN', `client.email: ${email} already has an account`, { field: 'client.email' });
    // The client and their login together: a crash between the two leaves neither.
    await sql.begin(async (tx) => {
      await insertClient(tx, id, {
        name: input.client.name,
        email,
        kyc_status: 'pending',
        politically_exposed: false,
        advisor_id: advisorId,
        client_type: input.client.client_type,
        jurisdiction: input.client.jurisdiction ?? null,
        birth_or_incorporation_date: null,
      });
      const userId = newId('usr', actor, idempotencyKey);
      await insertUser(tx, { id: userId, email, name: input.client.name, role: 'client' });
      await linkClientUser(tx, id, userId);
    });
    return (await getClientRecord(sql, id))!;
  }

  return {
    /**
     * The advisor invites a client: a client login if they have none (with a one-time set-password link to
     * send them), and the onboarding workflow started in `invited`.
     */
    async invite(actor: Actor, input: InviteInput, publicUrl: string, idempotencyKey?: string) {
      return audited(actor, 'invite_client', null, async () => {
        const client = await clientFor(actor, input, idempotencyKey);
        if (!mayRun(spec, 'invite_client', actor, { client_user_id: client.user_id, advisor_id: client.advisor_id }))
          throw new HubError('FORBIDDEN', 'You may invite only your own clients to onboarding');
        const onboardingId = newId('onb', actor, idempotencyKey);
        const open = await openProcessesOfClient(sql, client.id, spec.processType, TERMINAL);
        if (open.some((id) => id !== onboardingId))
          throw new HubError('ONBOARDING_IN_PROGRESS', `Client ${client.id} is being onboarded already (${open[0]})`);
        let userId = client.user_id;
        let link: { link: string; expires_at: string } | null = null;
        if (!userId) {
          userId = `usr_${randomBytes(8).toString('hex')}`;
          await sql.begin(async (tx) => {
            await insertUser(tx, { id: userId!, email: client.email, name: client.name, role: 'client' });
            await linkClientUser(tx, client.id, userId!);
          });
        }
        // A client who never chose a password (new, or invited before) gets a link to choose one.
        if (!(await getPasswordHash(sql, userId))) {
          const token = await issueUserToken(sql, userId, 'set_password', INVITE_LINK_HOURS * 60, actor.user_id);
          link = { link: setPasswordLink(publicUrl, token.token), expires_at: token.expires_at };
        }
        const workflowInput: OnboardingInput = {
          onboarding_id: onboardingId,
          client: {
            id: client.id,
            name: client.name,
            advisor_id: client.advisor_id,
            user_id: userId,
            client_type: client.client_type,
            politically_exposed: client.politically_exposed,
          },
          invited_by: actor,
          kyc_review_years: await getKycReviewYears(sql),
          expires_after_days: await getSetting<number>(sql, 'onboarding_expiry_days', 30),
        };
        try {
          const result = await withinCommandDeadline(() =>
            temporal.workflow.executeUpdateWithStart(startOnboardingUpdate, {
              args: [],
              startWorkflowOperation: new WithStartWorkflowOperation(CLIENT_ONBOARDING_WORKFLOW_TYPE, {
                workflowId: onboardingWorkflowId(onboardingId),
                taskQueue: deps.taskQueue,
                args: [workflowInput],
                workflowIdConflictPolicy: idempotencyKey ? 'USE_EXISTING' : 'FAIL',
                workflowIdReusePolicy: 'REJECT_DUPLICATE',
              }),
            }),
          );
          return { onboarding: await view(result, actor), client_user_id: userId, invitation: link };
        } catch (error) {
          if (idempotencyKey && error instanceof WorkflowExecutionAlreadyStartedError) {
            const row = await load(onboardingId);
            return {
              onboarding: await view({ record: row.detail, sla: row.sla }, actor),
              client_user_id: userId,
              invitation: link,
            };
          }
          throw error;
        }
      });
    },

    runCommand(actor: Actor, onboardingId: string, command: OnboardingCommandName, input: object, key?: string) {
      return commands.run(actor, onboardingId, command, input, { idempotencyKey: key });
    },

    async get(actor: Actor, onboardingId: string): Promise<OnboardingView> {
      const row = await commands.requireVisible(actor, onboardingId, 'get_onboarding');
      return view({ record: row.detail, sla: row.sla }, actor);
    },

    async requireVisible(actor: Actor, onboardingId: string, action = 'get_onboarding') {
      return (await commands.requireVisible(actor, onboardingId, action)).detail;
    },

    async list(actor: Actor, filters: Omit<ProcessFilters, 'process_type'>) {
      const rows = await listProcesses(sql, visibilityFilter(spec, actor), {
        ...filters,
        process_type: spec.processType,
      });
      return commands.views(rows, actor);
    },
  };
}

export type OnboardingService = ReturnType<typeof createOnboardingService>;

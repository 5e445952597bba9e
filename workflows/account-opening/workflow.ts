import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { HubActivities } from '../../workers/activities/index.js';
import { createBusinessClock } from '../business-clock.js';
import { SYSTEM_ACTOR, type ProcessCard, type SlaSnapshot } from '../process-records.js';
import { isTerminal } from '../process-spec.js';
import { createProcessRecorder, namedPerson, processActivities, recordedResult } from '../process-recorder.js';
import { registerCommandHandlers } from '../process-kit.js';
import {
  APPLICATION_COMMANDS,
  applicationStateQuery,
  slaPauseSignal,
  startApplicationUpdate,
  type AccountOpeningInput,
  type ApplicationRecord,
} from './definitions.js';
import {
  accountCreated,
  accountCreationFailed,
  applyCommand,
  beginReview,
  checkAllowed,
  checkInput,
  newApplicationRecord,
  startOutcome,
  type Outcome,
} from './rules.js';
import { accountOpeningSpec } from './spec.js';

const { assignComplianceOfficer } = processActivities;

function projectCard(record: ApplicationRecord, sla: SlaSnapshot | null): ProcessCard {
  return {
    title: record.client_name,
    client_id: record.client_id,
    client_user_id: record.client_user_id,
    advisor_id: record.advisor_id,
    assigned_user_id: record.assigned_officer_id,
    amount: record.initial_investment_amount,
    currency: record.currency,
    status: record.status,
    status_entered_at: record.status_entered_at,
    flags: [
      record.edd_required ? 'edd' : null,
      record.politically_exposed ? 'pep' : null,
      record.suitability_warnings.length ? 'suitability_warning' : null,
      record.crm_failure ? 'crm_failure' : null,
    ].filter((f): f is string => f !== null),
    sla,
  };
}

/**
 * One application, from draft to a terminal state. Commands arrive as Updates: the validator refuses an
 * illegal one with the blueprint's code before anything happens; the handler applies it and answers only
 * once the read model, audit trail and events are written.
 */
export async function accountOpeningWorkflow(input: AccountOpeningInput): Promise<ApplicationRecord> {
  const { createCrmAccount } = proxyActivities<HubActivities>({
    startToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: input.crm_retry.initial_interval_ms,
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: input.crm_retry.maximum_attempts,
    },
  });

  const clock = createBusinessClock(input.occurred_at);
  const now = clock.now;
  let record = newApplicationRecord(input, now());
  const process = createProcessRecorder<ApplicationRecord>({
    processType: accountOpeningSpec.processType,
    get: () => record,
    set: (next) => {
      record = next;
    },
    processIdOf: (r) => r.application_id,
    titleOf: (r) => r.client_name,
    projectCard,
    namedRecipient: namedPerson,
    nowMs: clock.nowMs,
  });
  const record$ = (outcome: Outcome) => process.commit(outcome);
  const started = record$(startOutcome(record, input.opened_by));

  setHandler(slaPauseSignal, ({ key, active, reason, sequence }) =>
    process.sla.setPause(key, active, reason, sequence),
  );

  setHandler(applicationStateQuery, () => record);
  const resultOf = recordedResult<ApplicationRecord>;
  setHandler(startApplicationUpdate, async () => resultOf(await started));

  registerCommandHandlers(APPLICATION_COMMANDS, {
    errors: accountOpeningSpec.errors,
    allowed: (command, { actor, occurred_at }) =>
      checkAllowed(record, command, actor) ?? clock.refusal(occurred_at, record.updated_at),
    inputRefusal: (command, { input: commandInput }) => checkInput(record, input, command, commandInput),
    run: async (command, cmd) => {
      if (clock.set(cmd.occurred_at)) process.sla.clockMoved();
      return resultOf(await record$(applyCommand(record, input, command, cmd.input, cmd.actor, now())));
    },
  });

  await started;
  const systemStepDue = () =>
    isTerminal(accountOpeningSpec, record.status) ||
    record.status === 'submitted' ||
    (record.status === 'approved' && !record.crm_failure);

  while (!isTerminal(accountOpeningSpec, record.status)) {
    await condition(systemStepDue);
    if (record.status === 'submitted') {
      const officer = await assignComplianceOfficer({ process_id: record.application_id, client_id: record.client_id });
      // An administrator may have moved the application while the officer was being chosen.
      if (record.status === 'submitted') await record$(beginReview(record, officer, SYSTEM_ACTOR, now()));
    } else if (record.status === 'approved' && !record.crm_failure) {
      try {
        const { account_number } = await createCrmAccount({
          application_id: record.application_id,
          client_id: record.client_id,
          client_name: record.client_name,
          account_type: record.account_type,
          currency: record.currency,
          initial_investment_amount: record.initial_investment_amount,
        });
        await record$(accountCreated(record, account_number, SYSTEM_ACTOR, now()));
      } catch (error) {
        if (!(error instanceof ActivityFailure)) throw error;
        const cause = error.cause instanceof Error ? error.cause.message : 'the CRM did not answer';
        // The activity names its attempt in each failure, so a refusal on the first call says 1, not the limit.
        const attempt =
          error.cause instanceof ApplicationFailure
            ? Number((error.cause.details?.[0] as { attempt?: number })?.attempt)
            : NaN;
        await record$(
          accountCreationFailed(
            record,
            cause,
            Number.isFinite(attempt) ? attempt : input.crm_retry.maximum_attempts,
            SYSTEM_ACTOR,
            now(),
          ),
        );
      }
    }
  }
  await process.drained();
  await condition(allHandlersFinished);
  return record;
}

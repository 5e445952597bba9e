import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import { slaPauseSignal } from '../account-opening/definitions.js';
import { SYSTEM_ACTOR, type ProcessCard, type SlaSnapshot } from '../process-records.js';
import { isTerminal } from '../process-spec.js';
import { createProcessRecorder, namedPerson, processActivities, recordedResult } from '../process-recorder.js';
import { registerCommandHandlers } from '../process-kit.js';
import {
  ONBOARDING_COMMANDS,
  onboardingStateQuery,
  startOnboardingUpdate,
  type ClearHitInput,
  type OnboardingInput,
  type OnboardingRecord,
} from './definitions.js';
import {
  applyCommand,
  checkAllowed,
  checkClearance,
  checkInput,
  expired,
  invitedOutcome,
  kycCompleted,
  kycExpiry,
  newOnboardingRecord,
  reviewStarted,
  screened,
  type Outcome,
} from './rules.js';
import { CLIENT_STATES, clientOnboardingSpec as spec } from './spec.js';

const { assignComplianceOfficer, screenNames, completeClientKyc } = processActivities;

const now = () => new Date().toISOString();

function projectCard(record: OnboardingRecord, sla: SlaSnapshot | null): ProcessCard {
  const openHits = (record.screening?.hits ?? []).filter((h) => h.status === 'open').length;
  return {
    title: record.client_name,
    client_id: record.client_id,
    client_user_id: record.client_user_id,
    advisor_id: record.advisor_id,
    assigned_user_id: record.assigned_officer_id,
    amount: null,
    currency: null,
    status: record.status,
    status_entered_at: record.status_entered_at,
    flags: [
      record.risk ? `risk_${record.risk.rating}` : null,
      record.edd_required ? 'edd' : null,
      record.politically_exposed ? 'pep' : null,
      openHits ? 'screening_hit' : null,
      record.review_of_kyc_expiring ? 'kyc_review_due' : null,
    ].filter((f): f is string => f !== null),
    sla,
  };
}

/** The names screened: the client's, the legal name given, and an entity's beneficial owners. */
function namesToScreen(record: OnboardingRecord): string[] {
  const identity = record.profile.identity;
  const names = [record.client_name, identity?.legal_name, ...(identity?.beneficial_owners ?? []).map((o) => o.name)];
  return [...new Set(names.filter((n): n is string => Boolean(n)))];
}

/**
 * One onboarding, from invitation to KYC complete (or rejected, cancelled, expired). Commands are Updates
 * whose validators refuse with the spec's codes; the system screens the names when the documents are in,
 * assigns an officer when review starts, and writes the client's KYC once approved.
 */
export async function clientOnboardingWorkflow(input: OnboardingInput): Promise<OnboardingRecord> {
  let record = newOnboardingRecord(input, now());
  const process = createProcessRecorder<OnboardingRecord>({
    processType: spec.processType,
    get: () => record,
    set: (next) => {
      record = next;
    },
    processIdOf: (r) => r.onboarding_id,
    titleOf: (r) => r.client_name,
    projectCard,
    namedRecipient: namedPerson,
  });
  const record$ = (outcome: Outcome) => process.commit(outcome);
  const started = record$(invitedOutcome(record, input.invited_by));

  setHandler(slaPauseSignal, ({ key, active, reason, sequence }) =>
    process.sla.setPause(key, active, reason, sequence),
  );
  setHandler(onboardingStateQuery, () => record);
  const resultOf = recordedResult<OnboardingRecord>;
  setHandler(startOnboardingUpdate, async () => resultOf(await started));

  registerCommandHandlers(ONBOARDING_COMMANDS, {
    errors: spec.errors,
    allowed: (command, { actor }) => checkAllowed(record, command, actor),
    inputRefusal: (command, { actor, input: given }) =>
      checkInput(record, command, given) ??
      (command === 'clear_screening_hit' ? checkClearance(record, given as ClearHitInput, actor) : null),
    run: async (command, message) =>
      resultOf(await record$(applyCommand(record, command, message.input, message.actor, now()))),
  });

  await started;
  const due = () =>
    isTerminal(spec, record.status) ||
    (record.status === 'screening' && !record.screening) ||
    (record.status === 'compliance_review' && !record.review_started_at);
  const inClientPart = () => (CLIENT_STATES as readonly string[]).includes(record.status);
  while (!isTerminal(spec, record.status)) {
    if (inClientPart()) {
      const left = Math.max(1, Date.parse(record.expires_at) - Date.now());
      if (!(await condition(() => !inClientPart(), left))) await record$(expired(record, SYSTEM_ACTOR, now()));
      continue;
    }
    await condition(due);
    if (record.status === 'screening' && !record.screening) {
      const names = namesToScreen(record);
      const result = await screenNames({ onboarding_id: record.onboarding_id, names });
      // An administrator may have cancelled it while the lists were read.
      if (record.status === 'screening') await record$(screened(record, { ...result, names }, SYSTEM_ACTOR, now()));
    } else if (record.status === 'compliance_review' && !record.review_started_at) {
      const officer = await assignComplianceOfficer({ process_id: record.onboarding_id, client_id: record.client_id });
      if (record.status === 'compliance_review') await record$(reviewStarted(record, officer, SYSTEM_ACTOR, now()));
    }
  }
  if (record.status === 'approved') {
    const expiresAt = kycExpiry(record, input, record.decided_at ?? now());
    await completeClientKyc({
      client_id: record.client_id,
      onboarding_id: record.onboarding_id,
      risk_rating: record.risk?.rating ?? 'high',
      politically_exposed: record.politically_exposed,
      kyc_expires_at: expiresAt,
    });
    await record$(kycCompleted(record, expiresAt, SYSTEM_ACTOR, now()));
  }
  await process.drained();
  await condition(allHandlersFinished);
  return record;
}

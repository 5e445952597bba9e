import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { HubActivities } from '../../workers/activities/index.js';
import { SYSTEM_ACTOR } from '../process-records.js';
import { onboardingWorkflowId, type KycReviewResult, type OnboardingInput } from './definitions.js';
import { clientOnboardingWorkflow } from './workflow.js';

const { listKycReviewsDue } = proxyActivities<HubActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * What the KYC review Schedule runs: a review onboarding for every client whose KYC falls due within the
 * notice period. The onboarding id names the client and the due date, so a second run the same day opens none.
 */
export async function kycReviewWorkflow(): Promise<KycReviewResult> {
  const { due, kyc_review_years, expires_after_days } = await listKycReviewsDue();
  const result: KycReviewResult = { started: [], already_open: [] };
  for (const client of due) {
    const onboardingId = `onb_review_${client.id.replace(/^cli_/, '')}_${client.kyc_expires_at.slice(0, 10).replace(/-/g, '')}`;
    const input: OnboardingInput = {
      onboarding_id: onboardingId,
      client: {
        id: client.id,
        name: client.name,
        advisor_id: client.advisor_id,
        user_id: client.user_id,
        client_type: client.client_type,
        politically_exposed: client.politically_exposed,
      },
      invited_by: SYSTEM_ACTOR,
      kyc_review_years,
      expires_after_days,
      review_of_kyc_expiring: client.kyc_expires_at,
    };
    try {
      // Abandoned on purpose: the review waits weeks for the client, long after this run has finished.
      await startChild(clientOnboardingWorkflow, {
        workflowId: onboardingWorkflowId(onboardingId),
        taskQueue: workflowInfo().taskQueue,
        args: [input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      result.started.push({ client_id: client.id, onboarding_id: onboardingId });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      result.already_open.push(client.id);
    }
  }
  return result;
}

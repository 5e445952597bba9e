import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import type { HubActivities } from '../../workers/activities/index.js';
import { SYSTEM_ACTOR } from '../process-records.js';
import {
  rebalanceWorkflowId,
  type DriftCheckInput,
  type DriftCheckResult,
  type RebalancingInput,
} from './definitions.js';
import { rebalancingWorkflow } from './workflow.js';

const { listPortfoliosOutOfBand, recordDriftCheck } = proxyActivities<HubActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

function newRebalanceId(seed: string): string {
  return `rb_${seed.replace(/-/g, '').slice(0, 16)}`;
}

/**
 * What the Schedule runs: every portfolio's drift at current prices, and a rebalance for each one outside
 * its bands. A portfolio whose rebalance is still running keeps it (one workflow id per portfolio).
 */
export async function driftCheckWorkflow(input: DriftCheckInput): Promise<DriftCheckResult> {
  const { checked, out_of_band } = await listPortfoliosOutOfBand();
  const result: DriftCheckResult = { checked, out_of_band, started: [], already_running: [] };
  for (const portfolioId of out_of_band) {
    const rebalanceInput: RebalancingInput = {
      rebalance_id: newRebalanceId(uuid4()),
      portfolio_id: portfolioId,
      trigger: 'schedule',
      started_by: SYSTEM_ACTOR,
      order_retry: input.order_retry,
    };
    try {
      // Abandoned on purpose: a rebalance waits days for people, long after this check has finished.
      await startChild(rebalancingWorkflow, {
        workflowId: rebalanceWorkflowId(workflowInfo().taskQueue, portfolioId),
        args: [rebalanceInput],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      result.started.push({ portfolio_id: portfolioId, rebalance_id: rebalanceInput.rebalance_id });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      result.already_running.push(portfolioId);
    }
  }
  await recordDriftCheck(result);
  return result;
}

import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { HubActivities } from '../../workers/activities/index.js';
import { SYSTEM_ACTOR } from '../process-records.js';
import { isTerminal } from '../process-spec.js';
import { createProcessRecorder, namedPerson, processActivities } from '../process-recorder.js';
import { refusalFailure, registerCommandHandlers } from '../process-kit.js';
import {
  REBALANCE_COMMANDS,
  rebalanceStateQuery,
  startRebalanceUpdate,
  type ProposalRecord,
  type RebalanceCommandMessage,
  type RebalanceContext,
  type RebalanceFailure,
  type RebalanceRecord,
  type RebalancingInput,
  type RebalancingResult,
} from './definitions.js';
import {
  applyCommand,
  checkAllowed,
  checkInput,
  executionFailed,
  executionStarted,
  newRebalanceRecord,
  orderFilled,
  projectCard,
  proposedOutcome,
  verificationStarted,
  verified,
  type Outcome,
} from './rules.js';
import { proposeFor, type Refusal } from './proposal-record.js';
import { rebalancingSpec, type RebalanceCommand } from './spec.js';

const { prepareRebalance, verifyRebalance } = proxyActivities<HubActivities>({
  // Short: an attempt lost with a stopped worker is retried after this long.
  startToCloseTimeout: '10 seconds',
  // Reads of the portfolio and its prices: retried until the database answers.
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
const { assignComplianceOfficer } = processActivities;

const now = () => new Date().toISOString();

const failure = (refusal: Refusal) => refusalFailure(refusal, rebalancingSpec.errors);

/** The cause an activity failed with: its error type when it is one of ours, and its message. */
function causeOf(error: ActivityFailure): { type: string | undefined; message: string } {
  const cause = error.cause;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? undefined, message: cause.message };
  return { type: undefined, message: cause instanceof Error ? cause.message : 'the activity failed' };
}

/**
 * One rebalance of one portfolio: proposal, the advisor's decision (and compliance's above the threshold),
 * orders one by one through the custodian, then verification. Commands arrive as Updates whose validators
 * refuse an illegal one before anything happens; every change goes through `record$`, in order.
 */
export async function rebalancingWorkflow(input: RebalancingInput): Promise<RebalancingResult> {
  const { placeOrder } = proxyActivities<HubActivities>({
    startToCloseTimeout: '1 minute',
    retry: {
      initialInterval: input.order_retry.initial_interval_ms,
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: input.order_retry.maximum_attempts,
      nonRetryableErrorTypes: ['ORDER_REJECTED'],
    },
  });

  let record: RebalanceRecord | null = null;
  let context: RebalanceContext | null = null;
  let notStarted: Refusal | null = null;
  /** The one place the rebalance changes: every state entered or left passes here, in order, with its SLA clock. */
  const process = createProcessRecorder<RebalanceRecord>({
    processType: rebalancingSpec.processType,
    get: () => record!,
    set: (next) => {
      record = next;
    },
    processIdOf: (r) => r.rebalance_id,
    titleOf: (r) => `${r.client_name} · ${r.account_number}`,
    projectCard,
    namedRecipient: namedPerson,
  });
  const record$ = (outcome: Outcome) => process.commit(outcome);

  setHandler(rebalanceStateQuery, () => record);
  let proposed: Promise<unknown> | null = null;
  setHandler(startRebalanceUpdate, async () => {
    await condition(() => proposed !== null || notStarted !== null);
    if (notStarted) throw failure(notStarted);
    await proposed;
    return record!;
  });

  registerCommandHandlers<RebalanceCommand, RebalanceRecord, RebalanceCommandMessage>(REBALANCE_COMMANDS, {
    errors: rebalancingSpec.errors,
    allowed: (command, message: RebalanceCommandMessage) => {
      if (!record || !context)
        return { code: 'REBALANCE_NOT_FOUND', message: 'The proposal is still being computed; try again in a moment' };
      if (message.rebalance_id !== record.rebalance_id) {
        return {
          code: 'INVALID_STATUS_TRANSITION',
          message: `Rebalance ${message.rebalance_id} has finished; nothing more can be done to it`,
        };
      }
      return checkAllowed(record, command, message.actor);
    },
    inputRefusal: (command, message) => checkInput(context!, command, message.input),
    run: async (command, message, recheck) => {
      let officer: string | null = null;
      if (command === 'approve' && record!.needs_compliance) {
        officer = await assignComplianceOfficer({ process_id: record!.rebalance_id, client_id: record!.client_id });
        recheck();
      }
      await record$(applyCommand(record!, context!, command, message.input, message.actor, now(), officer));
      return record!;
    },
  });

  const finish = async (result: RebalancingResult) => {
    await process.drained();
    await condition(allHandlersFinished);
    return result;
  };

  try {
    context = await prepareRebalance({ portfolio_id: input.portfolio_id });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const cause = causeOf(error);
    notStarted = {
      code:
        cause.type === 'PRICE_NOT_AVAILABLE' || cause.type === 'PORTFOLIO_NOT_FOUND'
          ? cause.type
          : 'SERVICE_UNAVAILABLE',
      message: cause.message,
    };
    return finish({ rebalance_id: input.rebalance_id, outcome: 'not_started', message: cause.message });
  }
  let proposal: ProposalRecord;
  try {
    proposal = proposeFor(context);
  } catch (error) {
    // The math refuses inconsistent data (a model whose weights do not add up, say): a data problem, not a bug to retry.
    const message = error instanceof Error ? error.message : String(error);
    notStarted = { code: 'PROPOSAL_NOT_POSSIBLE', message: `No proposal can be made for this portfolio: ${message}` };
    return finish({ rebalance_id: input.rebalance_id, outcome: 'not_started', message });
  }
  if (proposal.trades.length === 0) {
    notStarted = { code: 'REBALANCE_NOT_NEEDED' };
    return finish({ rebalance_id: input.rebalance_id, outcome: 'not_needed' });
  }
  const first = newRebalanceRecord(input, context, proposal, now());
  proposed = record$(proposedOutcome(first, input.started_by));
  await proposed;

  const current = () => record!;
  await condition(() => current().status === 'approved' || isTerminal(rebalancingSpec, current().status));
  if (isTerminal(rebalancingSpec, current().status))
    return finish({ rebalance_id: input.rebalance_id, outcome: current().status });

  await record$(executionStarted(current(), SYSTEM_ACTOR, now()));
  for (const order of current().orders) {
    const trade = current().proposal.trades[order.n - 1];
    try {
      const fill = await placeOrder({
        idempotency_key: order.idempotency_key,
        rebalance_id: input.rebalance_id,
        portfolio_id: input.portfolio_id,
        security_id: order.security_id,
        side: order.side,
        quantity: order.quantity,
        lots: trade.lots.map((lot) => ({ lot_id: lot.lot_id, quantity: lot.quantity })),
      });
      await record$(orderFilled(current(), order.n, fill, SYSTEM_ACTOR, now()));
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      const cause = causeOf(error);
      const rejected = cause.type === 'ORDER_REJECTED';
      const orderFailure: RebalanceFailure = {
        code: rejected ? 'ORDER_REJECTED' : 'CUSTODIAN_UNAVAILABLE',
        message: `Order ${order.n} (${order.side} ${order.quantity} ${order.symbol}) ${rejected ? 'was rejected' : 'failed after all retries'}: ${cause.message}`,
        at: now(),
        order_n: order.n,
      };
      await record$(executionFailed(current(), orderFailure, SYSTEM_ACTOR));
      return finish({ rebalance_id: input.rebalance_id, outcome: 'failed', message: orderFailure.message });
    }
  }

  await record$(verificationStarted(current(), SYSTEM_ACTOR, now()));
  const verification = await verifyRebalance({ portfolio_id: input.portfolio_id, model_id: current().model_id });
  await record$(verified(current(), verification, SYSTEM_ACTOR));
  return finish({ rebalance_id: input.rebalance_id, outcome: current().status });
}

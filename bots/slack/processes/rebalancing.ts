import {
  rebalanceStateQuery,
  rebalanceWorkflowId,
  type RebalanceRecord,
} from '../../../workflows/rebalancing/definitions.js';
import { checkAllowed } from '../../../workflows/rebalancing/rules.js';
import { rebalancingSpec, type RebalanceCommand } from '../../../workflows/rebalancing/spec.js';
import { slackButtonsOf, type SlackProcess } from '../slack-process.js';
import {
  alreadyDecidedText,
  declineHeading,
  rebalanceConfirmation,
  rebalanceMessage,
  rebalancePendingLine,
  rebalanceStatus,
} from './rebalance-blocks.js';

/**
 * Rebalancing in Slack: the proposal goes to the portfolio's advisor by direct message (Approve, Decline),
 * and a proposal above the compliance threshold, once the advisor approved it, to the compliance channel
 * (Compliance approve, Decline). Editing trades needs the board's form.
 */
export const rebalancingSlack: SlackProcess<RebalanceRecord> = {
  spec: rebalancingSpec,
  noun: 'rebalance',
  pendingTitle: 'Rebalances',
  nothingPending: 'No rebalances await your approval.',
  decisions: ['approve', 'compliance_approve'],
  buttons: slackButtonsOf(rebalancingSpec),
  messages: [
    {
      audience: 'advisor',
      to: 'advisor',
      opensIn: 'awaiting_advisor',
      commands: ['approve', 'decline'],
      deliveryKey: (processId) => `rebalance-proposal:${processId}`,
      render: rebalanceMessage('advisor'),
    },
    {
      audience: 'compliance',
      to: 'compliance_channel',
      opensIn: 'awaiting_compliance',
      commands: ['compliance_approve', 'decline'],
      deliveryKey: (processId) => `rebalance-compliance:${processId}`,
      render: rebalanceMessage('compliance'),
    },
  ],
  namesIn(record) {
    return [
      record.advisor_id,
      record.assigned_officer_id,
      record.started_by,
      record.advisor_approval?.approved_by,
      record.compliance_approval?.approved_by,
      record.decline?.declined_by,
      ...record.edits.map((edit) => edit.edited_by),
    ];
  },

  async view(ctx, actor, processId) {
    const rebalance = await ctx.rebalancing.getRebalance(actor, processId);
    return { processId: rebalance.rebalance_id, record: rebalance, allowed: rebalance.allowed_actions };
  },
  async awaitingDecision(ctx, actor) {
    const pending = await ctx.rebalancing.listRebalances(actor, {
      status: ['awaiting_advisor', 'awaiting_compliance'],
      limit: 200,
    });
    return pending.map((rebalance) => ({
      processId: rebalance.rebalance_id,
      record: rebalance,
      allowed: rebalance.allowed_actions,
    }));
  },
  runCommand(ctx, actor, processId, command, input, idempotencyKey) {
    return ctx.rebalancing.runCommand(actor, processId, command as RebalanceCommand, input, idempotencyKey);
  },
  checkAllowed(record, command, actor) {
    return checkAllowed(record, command as RebalanceCommand, actor);
  },
  async workflowRecord(ctx, record) {
    // One workflow id per portfolio: what it holds now may be a later rebalance.
    const current = await ctx.deps.temporal.workflow
      .getHandle(rebalanceWorkflowId(ctx.deps.taskQueue, record.portfolio_id))
      .query(rebalanceStateQuery);
    return current?.rebalance_id === record.rebalance_id ? current : undefined;
  },

  confirmation: rebalanceConfirmation,
  alreadyDecided: alreadyDecidedText,
  modalHeading: declineHeading,
  status: rebalanceStatus,
  pendingLine: rebalancePendingLine,
};

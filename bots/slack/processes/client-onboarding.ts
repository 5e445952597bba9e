import {
  onboardingStateQuery,
  onboardingWorkflowId,
  type OnboardingCommandName,
  type OnboardingRecord,
} from '../../../workflows/client-onboarding/definitions.js';
import { checkAllowed } from '../../../workflows/client-onboarding/rules.js';
import { clientOnboardingSpec, type OnboardingCommand } from '../../../workflows/client-onboarding/spec.js';
import { esc } from '../blocks.js';
import { complianceReviewMessage, slackButtonsOf, type SlackProcess } from '../slack-process.js';
import {
  alreadyDecidedText,
  onboardingConfirmation,
  onboardingMessage,
  onboardingPendingLine,
  onboardingStatus,
} from './onboarding-blocks.js';

/**
 * Client onboarding in Slack: the compliance channel's review message, with the screening result and the risk
 * factors, and Approve and Reject (a modal asks for the reason).
 */
export const clientOnboardingSlack: SlackProcess<OnboardingRecord> = {
  spec: clientOnboardingSpec,
  noun: 'onboarding',
  pendingTitle: 'Client onboardings',
  nothingPending: 'No onboardings await your approval.',
  decisions: ['compliance_approve'],
  buttons: slackButtonsOf(clientOnboardingSpec),
  messages: [complianceReviewMessage('onboarding', onboardingMessage)],
  namesIn(record) {
    return [record.advisor_id, record.assigned_officer_id, record.decided_by, record.invited_by];
  },

  async view(ctx, actor, processId) {
    const onboarding = await ctx.onboarding.get(actor, processId);
    return { processId: onboarding.onboarding_id, record: onboarding, allowed: onboarding.allowed_actions };
  },
  async awaitingDecision(ctx, actor) {
    const inReview = await ctx.onboarding.list(actor, { status: ['compliance_review'], limit: 200 });
    return inReview.map((o) => ({ processId: o.onboarding_id, record: o, allowed: o.allowed_actions }));
  },
  runCommand(ctx, actor, processId, command, input, idempotencyKey) {
    return ctx.onboarding.runCommand(actor, processId, command as OnboardingCommandName, input, idempotencyKey);
  },
  checkAllowed(record, command, actor) {
    return checkAllowed(record, command as OnboardingCommand, actor);
  },
  workflowRecord(ctx, record) {
    return ctx.deps.temporal.workflow.getHandle(onboardingWorkflowId(record.onboarding_id)).query(onboardingStateQuery);
  },

  confirmation: onboardingConfirmation,
  alreadyDecided: alreadyDecidedText,
  modalHeading(record) {
    return `Reject the onboarding of *${esc(record.client_name)}* (${esc(record.onboarding_id)}).`;
  },
  status: onboardingStatus,
  pendingLine: onboardingPendingLine,
};

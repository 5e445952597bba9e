import {
  applicationStateQuery,
  applicationWorkflowId,
  type ApplicationRecord,
} from '../../../workflows/account-opening/definitions.js';
import { checkAllowed } from '../../../workflows/account-opening/rules.js';
import { accountOpeningSpec, type AccountOpeningCommand } from '../../../workflows/account-opening/spec.js';
import type { ApplicationCommand } from '../../../hub/account-opening.js';
import { esc, formatAmount } from '../blocks.js';
import { complianceReviewMessage, slackButtonsOf, type SlackProcess } from '../slack-process.js';
import {
  alreadyDecidedText,
  applicationConfirmation,
  applicationMessage,
  applicationPendingLine,
  applicationStatus,
} from './application-blocks.js';

/**
 * Account opening in Slack: the compliance channel's approval message for an application in compliance
 * review, with Approve and Reject (a modal asks for the required reason).
 */
export const accountOpeningSlack: SlackProcess<ApplicationRecord> = {
  spec: accountOpeningSpec,
  noun: 'application',
  pendingTitle: 'Account applications',
  nothingPending: 'No applications await your approval.',
  decisions: ['compliance_approve'],
  buttons: slackButtonsOf(accountOpeningSpec),
  messages: [complianceReviewMessage('application', applicationMessage)],
  namesIn(record) {
    return [
      record.advisor_id,
      record.assigned_officer_id,
      record.decided_by,
      record.opened_by,
      ...record.approvals.map((a) => a.approved_by),
    ];
  },

  async view(ctx, actor, processId) {
    // The same read as GET /api/applications/:id: visibility checked, the view recorded.
    const application = await ctx.accountOpening.get(actor, processId);
    return { processId: application.application_id, record: application, allowed: application.allowed_actions };
  },
  async awaitingDecision(ctx, actor) {
    const inReview = await ctx.accountOpening.list(actor, { status: ['compliance_review'], limit: 200 });
    return inReview.map((application) => ({
      processId: application.application_id,
      record: application,
      allowed: application.allowed_actions,
    }));
  },
  runCommand(ctx, actor, processId, command, input, idempotencyKey) {
    return ctx.accountOpening.runCommand(actor, processId, command as ApplicationCommand, input, idempotencyKey);
  },
  checkAllowed(record, command, actor) {
    return checkAllowed(record, command as AccountOpeningCommand, actor);
  },
  workflowRecord(ctx, record) {
    return ctx.deps.temporal.workflow
      .getHandle(applicationWorkflowId(record.application_id))
      .query(applicationStateQuery);
  },

  confirmation: applicationConfirmation,
  alreadyDecided: alreadyDecidedText,
  modalHeading(record) {
    return `Reject the application of *${esc(record.client_name)}* for ${formatAmount(record.initial_investment_amount, record.currency)} (${esc(record.application_id)}).`;
  },
  status: applicationStatus,
  pendingLine: applicationPendingLine,
};

import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { checkAllowed } from '../../../workflows/account-opening/rules.js';
import { HubError } from '../../../workflows/errors.js';
import { loadApplicationSummary } from '../application-summary.js';
import { ACTIONS, esc, REJECT_MODAL, rejectModal } from '../blocks.js';
import { publishHome } from './home.js';
import { actorForSlackUser, answering, ApplicationIdSchema, refusalText, tellUser, type BotContext } from './bot-context.js';

const RejectMetadataSchema = z.object({ application_id: ApplicationIdSchema, channel: z.string().max(40).optional() });
const RejectionReasonSchema = z.string().trim().min(1, 'A rejection needs a reason.').max(2000, 'Keep the reason under 2,000 characters.');

/**
 * Approve and Reject, wherever their buttons are (the compliance channel, `/hub queue`, App Home). Both run
 * as the linked hub user through the same service, policy and Temporal Update as the API; the message itself
 * is brought up to date by the worker, from the recorded change, like any other channel's decision.
 */
export function registerApprovalListeners(app: App, ctx: BotContext): void {
  app.action<BlockAction<ButtonAction>>(ACTIONS.openInBoard, async ({ ack }) => {
    await ack();
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.approve, async ({ ack, body, action, client }) => {
    await ack();
    const where = { user: body.user.id, channel: body.channel?.id };
    await answering(ctx, client, where, async () => {
      const applicationId = ApplicationIdSchema.parse(action.value);
      const identity = await actorForSlackUser(ctx, client, body.user.id);
      if ('refusal' in identity) return tellUser(client, where, identity.refusal);
      try {
        // The click's own timestamp names the Update, so a redelivered click changes nothing twice.
        const application = await ctx.accountOpening.runCommand(identity.actor, applicationId, 'compliance_approve', {}, `slack:${action.action_ts}`);
        const text =
          application.status === 'compliance_review'
            ? `Your approval of ${esc(application.client_name)}'s application is recorded: ${application.approvals.length} of ${application.approvals_required}. A different compliance officer gives the next one.`
            : `You approved ${esc(application.client_name)}'s application.`;
        await tellUser(client, where, text);
      } catch (error) {
        await tellUser(client, where, await refusalText(ctx, applicationId, error));
      }
      if (body.view?.type === 'home') await publishHome(ctx, client, body.user.id);
    });
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.reject, async ({ ack, body, action, client }) => {
    await ack();
    const where = { user: body.user.id, channel: body.channel?.id };
    await answering(ctx, client, where, async () => {
      const applicationId = ApplicationIdSchema.parse(action.value);
      const identity = await actorForSlackUser(ctx, client, body.user.id);
      if ('refusal' in identity) return tellUser(client, where, identity.refusal);
      const summary = await loadApplicationSummary(ctx.deps.sql, applicationId, ctx.deps.config.publicUrl);
      if (!summary) return tellUser(client, where, `No application ${applicationId}.`);
      // Asked now so nobody writes a reason for a decision they may not make; the Update asks again on submit.
      const refusal = checkAllowed(summary.record, 'compliance_reject', identity.actor);
      if (refusal) return tellUser(client, where, await refusalText(ctx, applicationId, new HubError(refusal.code, refusal.message, refusal.details)));
      const metadata = JSON.stringify({ application_id: applicationId, ...(where.channel ? { channel: where.channel } : {}) });
      await client.views.open({ trigger_id: body.trigger_id, view: rejectModal(summary.record, metadata) });
    });
  });

  app.view(REJECT_MODAL.callbackId, async ({ ack, body, view, client }) => {
    const reason = RejectionReasonSchema.safeParse(view.state.values[REJECT_MODAL.block]?.[REJECT_MODAL.input]?.value ?? '');
    if (!reason.success) {
      await ack({ response_action: 'errors', errors: { [REJECT_MODAL.block]: reason.error.issues[0].message } });
      return;
    }
    await ack();
    const metadata = RejectMetadataSchema.safeParse(safeJson(view.private_metadata));
    const where = { user: body.user.id, channel: metadata.success ? metadata.data.channel : undefined };
    await answering(ctx, client, where, async () => {
      if (!metadata.success) return tellUser(client, where, 'This form is not one the hub opened; nothing changed.');
      const applicationId = metadata.data.application_id;
      const identity = await actorForSlackUser(ctx, client, body.user.id);
      if ('refusal' in identity) return tellUser(client, where, identity.refusal);
      try {
        const application = await ctx.accountOpening.runCommand(
          identity.actor,
          applicationId,
          'compliance_reject',
          { rejection_reason: reason.data },
          `slack:${view.id}`,
        );
        await tellUser(client, where, `You rejected ${esc(application.client_name)}'s application.`);
      } catch (error) {
        await tellUser(client, where, await refusalText(ctx, applicationId, error));
      }
    });
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

import type { App, RespondArguments } from '@slack/bolt';
import { toHubError } from '../../../server/errors.js';
import { loadApplicationSummary } from '../application-summary.js';
import { esc, queueMessage, statusMessage, type SlackMessage } from '../blocks.js';
import { pendingApprovals } from '../pending-work.js';
import { actorForSlackUser, ApplicationIdSchema, type BotContext } from './bot-context.js';

const USAGE = 'Usage: `/hub status APPLICATION-ID` (state, SLA and next step) or `/hub queue` (your pending approvals).';

const ephemeral = (message: string | SlackMessage): RespondArguments =>
  typeof message === 'string' ? { response_type: 'ephemeral', text: message } : { response_type: 'ephemeral', ...message };

/** `/hub status <application>` and `/hub queue`, answered to the caller only, as their hub user sees things. */
export function registerCommandListeners(app: App, ctx: BotContext): void {
  app.command('/hub', async ({ ack, command, client }) => {
    const [subcommand = '', argument, ...extra] = command.text.trim().split(/\s+/);
    if (!['status', 'queue'].includes(subcommand.toLowerCase())) return ack(ephemeral(USAGE));
    try {
      const identity = await actorForSlackUser(ctx, client, command.user_id);
      if ('refusal' in identity) return ack(ephemeral(identity.refusal));
      if (subcommand.toLowerCase() === 'queue') return ack(ephemeral(queueMessage(await pendingApprovals(ctx, identity.actor))));

      const applicationId = ApplicationIdSchema.safeParse(argument ?? '');
      if (!applicationId.success || extra.length) return ack(ephemeral(USAGE));
      // The same read as GET /api/applications/:id: visibility checked, the view recorded.
      const application = await ctx.accountOpening.get(identity.actor, applicationId.data);
      const summary = await loadApplicationSummary(ctx.deps.sql, application.application_id, ctx.deps.config.publicUrl);
      if (!summary) return ack(ephemeral(`No application ${application.application_id}.`));
      return ack(ephemeral(statusMessage(summary, application.allowed_actions.includes('compliance_approve'))));
    } catch (error) {
      const hubError = toHubError(error);
      if (hubError.status >= 500) ctx.deps.log.error({ err: error }, 'a /hub command failed');
      return ack(ephemeral(esc(hubError.message)));
    }
  });
}

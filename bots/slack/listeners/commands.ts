import type { App, RespondArguments } from '@slack/bolt';
import { getProcess } from '../../../db/processes.js';
import { HubError } from '../../../workflows/errors.js';
import type { Actor } from '../../../workflows/process-records.js';
import { toHubError } from '../../../hub/errors.js';
import { commandButton, esc, queueMessage, statusMessage, type SlackMessage } from '../blocks.js';
import { pendingWork } from '../pending-work.js';
import { SLACK_PROCESSES, slackProcessFor } from '../processes/index.js';
import { loadSummaries, ProcessIdSchema } from '../slack-process.js';
import { actorForSlackUser, type BotContext } from './bot-context.js';

const NOUNS = SLACK_PROCESSES.map((type) => type.noun)
  .join(', ')
  .replace(/, ([^,]*)$/, ' or $1');
const USAGE = `Usage: \`/hub status ID\` (an ${NOUNS}: state, SLA and next step) or \`/hub queue\` (your pending approvals).`;

const ephemeral = (message: string | SlackMessage): RespondArguments =>
  typeof message === 'string'
    ? { response_type: 'ephemeral', text: message }
    : { response_type: 'ephemeral', ...message };

/** `/hub status <id>` and `/hub queue`, answered to the caller only, as their hub user sees things. */
export function registerCommandListeners(app: App, ctx: BotContext): void {
  app.command('/hub', async ({ ack, command, client }) => {
    const [subcommand = '', argument, ...extra] = command.text.trim().split(/\s+/);
    if (!['status', 'queue'].includes(subcommand.toLowerCase())) return ack(ephemeral(USAGE));
    try {
      const identity = await actorForSlackUser(ctx, client, command.user_id);
      if ('refusal' in identity) return ack(ephemeral(identity.refusal));
      if (subcommand.toLowerCase() === 'queue')
        return ack(ephemeral(queueMessage(await pendingWork(ctx, identity.actor))));

      const processId = ProcessIdSchema.safeParse(argument ?? '');
      if (!processId.success || extra.length) return ack(ephemeral(USAGE));
      return ack(ephemeral(await processStatus(ctx, identity.actor, processId.data)));
    } catch (error) {
      const hubError = toHubError(error);
      if (hubError.status >= 500) ctx.deps.log.error({ err: error }, 'a /hub command failed');
      return ack(ephemeral(esc(hubError.message)));
    }
  });
}

/** State, SLA, next step and the caller's buttons, through the same read as the API's GET of that process type. */
async function processStatus(ctx: BotContext, actor: Actor, processId: string): Promise<SlackMessage> {
  const row = await getProcess(ctx.deps.sql, processId);
  const type = row && slackProcessFor(row.process_type);
  if (!type) throw new HubError('NOT_FOUND', `No ${NOUNS} has the id ${processId}.`);
  const view = await type.view(ctx, actor, processId);
  const [summary] = await loadSummaries(ctx.deps.sql, type, [processId], ctx.deps.config.publicUrl);
  const buttons = type.buttons
    .filter((button) => view.allowed.includes(button.command))
    .map((button) => commandButton(button, processId));
  return statusMessage({ ...type.status(summary), buttons, boardUrl: summary.boardUrl });
}

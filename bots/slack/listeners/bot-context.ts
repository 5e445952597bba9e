import { z } from 'zod';
import { applicationStateQuery, applicationWorkflowId, type ApplicationRecord } from '../../../workflows/account-opening/definitions.js';
import { HubError } from '../../../workflows/errors.js';
import type { Actor } from '../../../workflows/process-records.js';
import { actorFor, type HubDeps } from '../../../server/context.js';
import { toHubError } from '../../../server/errors.js';
import type { AccountOpeningService } from '../../../server/services/account-opening.js';
import { loadApplicationSummary, userNames, summaryNames } from '../application-summary.js';
import { alreadyDecidedText, esc, type Block } from '../blocks.js';
import { hubUserForSlackUser } from '../identity.js';
import { platformErrorOf, type WebClient } from '../web-client.js';

/** What every listener needs: the hub's services and a way to tell a Slack user something only they see. */
export interface BotContext {
  deps: HubDeps;
  accountOpening: AccountOpeningService;
}

/** Slack's own ids and values arrive as text; what the hub acts on is checked like any API input. */
export const ApplicationIdSchema = z.string().trim().regex(/^[A-Za-z0-9_-]{1,100}$/, 'not an application id');

/** The hub actor behind a Slack user, or the reason there is none, as mrkdwn to show them. */
export async function actorForSlackUser(ctx: BotContext, client: WebClient, slackUserId: string): Promise<{ actor: Actor } | { refusal: string }> {
  const identity = await hubUserForSlackUser(ctx.deps.sql, client, slackUserId);
  if ('refusal' in identity) {
    ctx.deps.log.info({ slackUserId, reason: identity.refusal }, 'refused a Slack user without a hub identity');
    return { refusal: esc(identity.refusal) };
  }
  return { actor: actorFor(identity.user, 'slack', slackUserId) };
}

/**
 * A message (mrkdwn) only this user sees: ephemeral in the channel they acted in, else (App Home, a channel the bot
 * is not in) a direct message.
 */
export async function tellUser(client: WebClient, where: { user: string; channel?: string }, text: string, blocks?: Block[]): Promise<void> {
  if (where.channel) {
    try {
      await client.chat.postEphemeral({ channel: where.channel, user: where.user, text, ...(blocks ? { blocks } : {}) });
      return;
    } catch (error) {
      if (!['channel_not_found', 'not_in_channel', 'user_not_in_channel'].includes(platformErrorOf(error) ?? '')) throw error;
    }
  }
  await client.chat.postMessage({ channel: where.user, text, ...(blocks ? { blocks } : {}) });
}

/**
 * Why a command was refused, in words for the person who tried. A decision someone else already made reads
 * "already approved by Carla at 10:02", from the read model (or the workflow, if the read model lags).
 */
export async function refusalText(ctx: BotContext, applicationId: string, error: unknown): Promise<string> {
  const hubError = toHubError(error);
  if (hubError.code === 'INVALID_STATUS_TRANSITION') {
    const record = await latestRecord(ctx, applicationId);
    if (record && record.status !== 'compliance_review') return alreadyDecidedText(record, await userNames(ctx.deps.sql, summaryNames(record)));
  }
  if (hubError.status >= 500) return `${esc(hubError.message)} (${hubError.code})`;
  return esc(hubError.message);
}

async function latestRecord(ctx: BotContext, applicationId: string): Promise<ApplicationRecord | undefined> {
  const summary = await loadApplicationSummary(ctx.deps.sql, applicationId, ctx.deps.config.publicUrl);
  if (summary && summary.record.status !== 'compliance_review') return summary.record;
  // The workflow refuses the second decision before the first one's recording has committed.
  try {
    return await ctx.deps.temporal.workflow.getHandle(applicationWorkflowId(applicationId)).query(applicationStateQuery);
  } catch {
    return summary?.record;
  }
}

/** Runs a listener's work; anything unexpected is logged and the user is told, never left without an answer. */
export async function answering(ctx: BotContext, client: WebClient, where: { user: string; channel?: string }, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const hubError = error instanceof HubError ? error : toHubError(error);
    if (hubError.status >= 500) ctx.deps.log.error({ err: error }, 'a Slack action failed');
    await tellUser(client, where, esc(hubError.message)).catch((tellError) => ctx.deps.log.error({ err: tellError }, 'could not tell a Slack user about a failure'));
  }
}

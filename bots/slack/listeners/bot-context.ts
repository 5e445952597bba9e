import { getProcess } from '../../../db/processes.js';
import type { Actor } from '../../../workflows/process-records.js';
import { actorFor } from '../../../hub/context.js';
import { toHubError } from '../../../hub/errors.js';
import type { BotContext } from '../bot-context.js';
import { esc, type Block } from '../blocks.js';
import { hubUserForSlackUser } from '../identity.js';
import { userNames, type ProcessRecordLike, type SlackProcess } from '../slack-process.js';
import { platformErrorOf, type WebClient } from '../web-client.js';

export type { BotContext };

/** Where a person acted: the channel to answer them in privately, if any. */
export interface Where {
  user: string;
  channel?: string;
}

/** The hub actor behind a Slack user, or the reason there is none, as mrkdwn to show them. */
export async function actorForSlackUser(
  ctx: BotContext,
  client: WebClient,
  slackUserId: string,
): Promise<{ actor: Actor } | { refusal: string }> {
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
export async function tellUser(client: WebClient, where: Where, text: string, blocks?: Block[]): Promise<void> {
  if (where.channel) {
    try {
      await client.chat.postEphemeral({
        channel: where.channel,
        user: where.user,
        text,
        ...(blocks ? { blocks } : {}),
      });
      return;
    } catch (error) {
      if (!['channel_not_found', 'not_in_channel', 'user_not_in_channel'].includes(platformErrorOf(error) ?? ''))
        throw error;
    }
  }
  await client.chat.postMessage({ channel: where.user, text, ...(blocks ? { blocks } : {}) });
}

/** May the command still be taken in this state? Once it may not, somebody decided first (or the process moved on). */
const openFor = (type: SlackProcess, command: string, status: string) =>
  (type.spec.commands[command]?.from ?? []).includes(status);

/**
 * Why a command was refused, in words for the person who tried: the API's message, or, for a decision someone
 * else already made, "already approved by Carla at 10:02" from the read model (or the workflow, if the read
 * model lags).
 */
export async function refusalText(
  ctx: BotContext,
  type: SlackProcess,
  processId: string,
  command: string,
  error: unknown,
): Promise<string> {
  const hubError = toHubError(error);
  if (hubError.code === 'INVALID_STATUS_TRANSITION') {
    const record = await latestRecord(ctx, type, processId, command);
    if (record && !openFor(type, command, record.status))
      return type.alreadyDecided(record, await userNames(ctx.deps.sql, type.namesIn(record)));
  }
  if (hubError.status >= 500) return `${esc(hubError.message)} (${hubError.code})`;
  return esc(hubError.message);
}

async function latestRecord(
  ctx: BotContext,
  type: SlackProcess,
  processId: string,
  command: string,
): Promise<ProcessRecordLike | undefined> {
  const row = await getProcess(ctx.deps.sql, processId);
  if (!row || row.process_type !== type.spec.processType) return undefined;
  const record = row.detail as unknown as ProcessRecordLike;
  if (!openFor(type, command, record.status)) return record;
  // The workflow refuses the second decision before the first one's recording has committed.
  try {
    return (await type.workflowRecord(ctx, record)) ?? record;
  } catch {
    return record;
  }
}

/** Runs a listener's work; anything unexpected is logged and the user is told, never left without an answer. */
export async function answering(
  ctx: BotContext,
  client: WebClient,
  where: Where,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    const hubError = toHubError(error);
    if (hubError.status >= 500) ctx.deps.log.error({ err: error }, 'a Slack action failed');
    await tellUser(client, where, esc(hubError.message)).catch((tellError) =>
      ctx.deps.log.error({ err: tellError }, 'could not tell a Slack user about a failure'),
    );
  }
}

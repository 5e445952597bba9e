import type PgBoss from 'pg-boss';
import { inTransaction, QUEUES } from '../../db/jobs.js';
import { getProcess } from '../../db/processes.js';
import {
  claimProcessMessage,
  getProcessMessages,
  hasProcessMessages,
  recordProcessMessage,
  type SlackProcessMessage,
} from '../../db/slack.js';
import type { TransitionFollowUp } from '../../db/transitions.js';
import { deliverOnce, withKeyLock } from './delivery.js';
import { directMessageChannel } from './identity.js';
import type { SlackJobContext } from './job-context.js';
import { slackProcessFor } from './processes/index.js';
import { buttonsIn, summarize } from './slack-process.js';
import { platformErrorOf } from './web-client.js';

/**
 * The messages the bot keeps for a process (the compliance channel's approval message, a rebalance's
 * proposal to its advisor): each posted once when the process first reaches its state, then edited in place
 * on every later change from any channel, so it always says who decided and when and never shows a stale
 * button. Written once for every process type; each type describes its messages (slack-process.ts).
 */

export interface ProcessMessagesJob {
  process_id: string;
  /** Something the messages show beside the record changed (its documents): render again at the same version. */
  refresh?: boolean;
}

/**
 * In the transaction of every recorded change: a process reaching a message's state gets that message
 * claimed (its channel, or the person to DM), and every change of a process with messages queues their sync.
 */
export function processMessagesFollowUp(channels: { compliance?: string }, boss: PgBoss): TransitionFollowUp {
  return async (tx, rec) => {
    const type = slackProcessFor(rec.process_type);
    if (!type) return;
    for (const message of type.messages) {
      if (rec.status_after !== message.opensIn) continue;
      const to =
        message.to === 'compliance_channel'
          ? channels.compliance && { channel: channels.compliance }
          : rec.card.advisor_id && { user_id: rec.card.advisor_id };
      // No compliance channel configured, or nobody advises the client: nobody to keep this message for.
      if (to) await claimProcessMessage(tx, rec.process_id, message.audience, to);
    }
    if (await hasProcessMessages(tx, rec.process_id)) {
      const job: ProcessMessagesJob = { process_id: rec.process_id };
      await boss.send(QUEUES.slackProcessMessages, job, { db: inTransaction(tx) });
    }
  };
}

/**
 * Brings every message of the process up to the read model's version: posts one the first time (exactly
 * once, see delivery.ts), edits it in place afterwards. Jobs for one process take turns on a lock and each
 * renders the latest state, so their order does not matter and a stale one changes nothing.
 */
export async function syncProcessMessages(ctx: SlackJobContext, processId: string, refresh = false): Promise<void> {
  await withKeyLock(ctx.sql, `slack-process-messages:${processId}`, async (db) => {
    const messages = await getProcessMessages(db, processId);
    if (messages.length === 0) return;
    const row = await getProcess(db, processId);
    const type = row && slackProcessFor(row.process_type);
    if (!row || !type) return;
    const [summary] = await summarize(db, type, [row], ctx.config.publicUrl);
    const version = summary.record.version;

    for (const message of messages) {
      if (!refresh && message.ts && message.rendered_version >= version) continue;
      const spec = type.messages.find((m) => m.audience === message.audience);
      if (!spec) continue;
      const rendered = spec.render(summary, buttonsIn(type, spec, summary.record.status));

      let target = message.ts && message.channel ? { channel: message.channel, ts: message.ts } : undefined;
      if (!target) {
        const channel = await channelOf(ctx, message);
        if (!channel) continue;
        const delivered = await deliverOnce(db, ctx.client, {
          key: spec.deliveryKey(processId),
          channel,
          message: rendered,
        });
        target = delivered;
        if (delivered.posted) {
          await recordProcessMessage(db, processId, message.audience, {
            channel: delivered.channel,
            ts: delivered.ts,
            rendered_version: version,
          });
          continue;
        }
      }
      try {
        await ctx.client.chat.update({
          channel: target.channel,
          ts: target.ts,
          text: rendered.text,
          blocks: rendered.blocks,
        });
      } catch (error) {
        // Someone deleted the message in Slack: that is their call, not something to retry.
        if (platformErrorOf(error) !== 'message_not_found') throw error;
        ctx.log.warn(
          { processId, audience: message.audience, channel: target.channel, ts: target.ts },
          'a kept message was deleted in Slack; not updating it',
        );
      }
      await recordProcessMessage(db, processId, message.audience, {
        channel: target.channel,
        ts: target.ts,
        rendered_version: version,
      });
    }
  });
}

/** Where a message not posted yet goes: its channel, or a DM with its person (none if they have no Slack account). */
async function channelOf(ctx: SlackJobContext, message: SlackProcessMessage): Promise<string | undefined> {
  if (message.channel) return message.channel;
  const channel = message.user_id ? await directMessageChannel(ctx.sql, ctx.client, message.user_id) : undefined;
  if (!channel)
    ctx.log.debug(
      { processId: message.process_id, userId: message.user_id },
      'no Slack account for this hub user; the message stays unsent',
    );
  return channel;
}

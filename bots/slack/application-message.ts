import type PgBoss from 'pg-boss';
import { inTransaction, QUEUES } from '../../db/jobs.js';
import { claimApplicationMessage, getApplicationMessage, recordApplicationMessage } from '../../db/slack.js';
import type { TransitionFollowUp } from '../../db/transitions.js';
import { accountOpeningSpec } from '../../workflows/account-opening/spec.js';
import { loadApplicationSummary } from './application-summary.js';
import { applicationMessage } from './blocks.js';
import { deliverOnce, withKeyLock } from './delivery.js';
import type { SlackJobContext } from './jobs.js';
import { platformErrorOf } from './web-client.js';

export interface ApplicationMessageJob {
  process_id: string;
}

/**
 * In the transaction of every recorded account-opening change: an application entering compliance review
 * gets a message in the compliance channel, and every later change of such an application queues an edit.
 */
export function applicationMessageFollowUp(complianceChannel: string, boss: PgBoss): TransitionFollowUp {
  return async (tx, rec) => {
    if (rec.process_type !== accountOpeningSpec.processType) return;
    if (rec.status_after === 'compliance_review' && rec.status_before !== 'compliance_review') {
      await claimApplicationMessage(tx, rec.process_id, complianceChannel);
    }
    if (await getApplicationMessage(tx, rec.process_id)) {
      const job: ApplicationMessageJob = { process_id: rec.process_id };
      await boss.send(QUEUES.slackApplicationMessage, job, { db: inTransaction(tx) });
    }
  };
}

/**
 * Brings the application's message up to the read model's version: posts it the first time (exactly once,
 * see delivery.ts), edits it in place afterwards. Jobs for one application take turns on a lock and each
 * renders the latest state, so their order does not matter and a stale one changes nothing.
 */
export async function syncApplicationMessage(ctx: SlackJobContext, processId: string): Promise<void> {
  await withKeyLock(ctx.sql, `slack-application-message:${processId}`, async (db) => {
    const message = await getApplicationMessage(db, processId);
    if (!message) return;
    const summary = await loadApplicationSummary(db, processId, ctx.config.publicUrl);
    if (!summary) return;
    const version = summary.record.version;
    if (message.ts && message.rendered_version >= version) return;
    const rendered = applicationMessage(summary);

    let target = message.ts ? { channel: message.channel, ts: message.ts } : undefined;
    if (!target) {
      const delivered = await deliverOnce(db, ctx.client, { key: `application-message:${processId}`, channel: message.channel, message: rendered });
      target = delivered;
      if (delivered.posted) {
        await recordApplicationMessage(db, processId, { channel: delivered.channel, ts: delivered.ts, rendered_version: version });
        return;
      }
    }
    try {
      await ctx.client.chat.update({ channel: target.channel, ts: target.ts, text: rendered.text, blocks: rendered.blocks });
    } catch (error) {
      // Someone deleted the message in Slack: that is their call, not something to retry.
      if (platformErrorOf(error) !== 'message_not_found') throw error;
      ctx.log.warn({ processId, channel: target.channel, ts: target.ts }, 'the approval message was deleted in Slack; not updating it');
    }
    await recordApplicationMessage(db, processId, { channel: target.channel, ts: target.ts, rendered_version: version });
  });
}

import { getCheckpoint, type StoredCheckpoint } from '../../db/audit-checkpoints.js';
import { esc, section, type SlackMessage } from './blocks.js';
import { deliverOnce, withKeyLock } from './delivery.js';
import type { SlackJobContext } from './job-context.js';

/**
 * The day's checkpoint of the audit chain, posted to the managers' channel: a copy of the chain head kept
 * outside the hub's database, which an auditor can hold the chain against (`npm run audit:verify`).
 */
export async function postAuditCheckpoint(ctx: SlackJobContext, checkpointId: number): Promise<void> {
  const channel = ctx.config.SLACK_MANAGERS_CHANNEL;
  if (!channel) {
    ctx.log.warn({ checkpointId }, 'SLACK_MANAGERS_CHANNEL is not set; the audit checkpoint stays in the hub');
    return;
  }
  const checkpoint = await getCheckpoint(ctx.sql, checkpointId);
  if (!checkpoint) throw new Error(`audit checkpoint ${checkpointId} does not exist`);
  const key = `audit-checkpoint:${checkpoint.id}`;
  await withKeyLock(ctx.sql, `slack-delivery:${key}`, (db) =>
    deliverOnce(db, ctx.client, { key, channel, message: checkpointMessage(checkpoint) }),
  );
}

export function checkpointMessage(checkpoint: StoredCheckpoint): SlackMessage {
  const day = checkpoint.period ?? checkpoint.at.slice(0, 10);
  const summary = `Audit trail checkpoint ${day}: ${checkpoint.row_count} rows, head row ${checkpoint.head_id}`;
  return {
    text: `${esc(summary)}, hash ${checkpoint.head_hash}`,
    blocks: [
      section(
        `:lock: *${esc(summary)}*\nHead hash \`${checkpoint.head_hash}\`\nSignature \`${checkpoint.signature}\`\n` +
          'Keep this message: `npm run audit:verify` holds the chain against the hub’s copy of it.',
      ),
    ],
  };
}

import { withKeyLock, type LockedConnection } from '../../db/key-locks.js';
import { metrics } from '../../runtime/metrics.js';
import { ensureDelivery, markDelivered, noteDeliveryAttempt, type SlackDelivery } from '../../db/slack.js';
import type { SlackMessage } from './blocks.js';
import type { WebClient } from './web-client.js';

/**
 * Posting a message exactly once, although Slack has no idempotency key for chat.postMessage.
 *
 * Each message has a dedupe key. Under a lock on that key, the attempt is counted (committed) before the
 * post, and the message carries the key in its metadata. If a worker dies after Slack accepted the post but
 * before the timestamp was recorded, or a response is lost, the next attempt sees a counted attempt without
 * a timestamp and reads the channel (or thread) back for a message with that key before posting again. If
 * Slack cannot be read, the job fails and is retried later rather than risking a second message.
 */

export const DELIVERY_METADATA_EVENT = 'ops_hub_delivery';

type Connection = LockedConnection;

export { withKeyLock };

export interface PostedMessage {
  channel: string;
  ts: string;
}

/** Posts the message unless the key was delivered before. The caller holds the key's lock (see withKeyLock). */
export async function deliverOnce(
  db: Connection,
  client: WebClient,
  delivery: { key: string; channel: string; threadTs?: string; message: SlackMessage },
): Promise<PostedMessage & { posted: boolean }> {
  const row = await ensureDelivery(db, delivery.key, delivery.channel, delivery.threadTs ?? null);
  if (row.ts) return { channel: row.channel, ts: row.ts, posted: false };
  if (row.attempts > 0) {
    const found = await findDelivered(client, row);
    if (found) {
      await markDelivered(db, row.dedupe_key, row.channel, found);
      metrics.slackDelivered('already_posted');
      return { channel: row.channel, ts: found, posted: false };
    }
    metrics.slackDelivered('retried');
  }
  await noteDeliveryAttempt(db, row.dedupe_key);
  const result = await client.chat.postMessage({
    channel: row.channel,
    ...(row.thread_ts ? { thread_ts: row.thread_ts } : {}),
    text: delivery.message.text,
    blocks: delivery.message.blocks,
    metadata: { event_type: DELIVERY_METADATA_EVENT, event_payload: { dedupe_key: row.dedupe_key } },
    unfurl_links: false,
    unfurl_media: false,
  });
  const channel = result.channel ?? row.channel;
  await markDelivered(db, row.dedupe_key, channel, result.ts!);
  metrics.slackDelivered('posted');
  return { channel, ts: result.ts!, posted: true };
}

/** The timestamp of an earlier attempt's message, found by its metadata, if Slack has it. */
async function findDelivered(client: WebClient, row: SlackDelivery): Promise<string | undefined> {
  // A minute of slack for clock skew between the database and Slack.
  const oldest = String(
    Math.floor(new Date(row.first_attempt_at ?? row.delivered_at ?? Date.now()).getTime() / 1000) - 60,
  );
  let cursor: string | undefined;
  do {
    const page = row.thread_ts
      ? await client.conversations.replies({
          channel: row.channel,
          ts: row.thread_ts,
          oldest,
          include_all_metadata: true,
          limit: 200,
          cursor,
        })
      : await client.conversations.history({
          channel: row.channel,
          oldest,
          include_all_metadata: true,
          limit: 200,
          cursor,
        });
    const match = page.messages?.find(
      (m) =>
        m.metadata?.event_type === DELIVERY_METADATA_EVENT &&
        (m.metadata.event_payload as { dedupe_key?: unknown } | undefined)?.dedupe_key === row.dedupe_key,
    );
    if (match?.ts) return match.ts;
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return undefined;
}

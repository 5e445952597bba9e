import type { Queryable } from './client.js';
import { SCOPE_COLUMNS, withScope, type HubUser } from './users.js';

/** The Slack side of the hub: who is who, which messages exist, which deliveries happened. */

export interface SlackUserLink {
  slack_user_id: string;
  user_id: string;
  source: 'admin' | 'email';
  updated_by: string | null;
  updated_at: string;
}

/** The active hub user a Slack user is linked to, and whether the link exists but the user is inactive. */
export async function findLinkedUser(
  db: Queryable,
  slackUserId: string,
): Promise<{ user: HubUser | null; linked: boolean }> {
  const [row] = await db`
    SELECT u.id, u.email, u.name, u.role, u.active, ${SCOPE_COLUMNS(db)}
    FROM slack_users s JOIN users u ON u.id = s.user_id
    WHERE s.slack_user_id = ${slackUserId}`;
  if (!row) return { user: null, linked: false };
  const { active, ...user } = withScope(row);
  return { user: active ? (user as HubUser) : null, linked: true };
}

export async function findSlackUserId(db: Queryable, userId: string): Promise<string | undefined> {
  const [row] = await db`SELECT slack_user_id FROM slack_users WHERE user_id = ${userId}`;
  return row?.slack_user_id as string | undefined;
}

/** Remembers a link found by e-mail; an existing link of either side wins. Returns whether it was stored. */
export async function rememberEmailLink(db: Queryable, slackUserId: string, userId: string): Promise<boolean> {
  const rows = await db`
    INSERT INTO slack_users (slack_user_id, user_id, source) VALUES (${slackUserId}, ${userId}, 'email')
    ON CONFLICT DO NOTHING
    RETURNING slack_user_id`;
  return rows.length > 0;
}

/** An administrator's link: replaces whatever either side was linked to. Returns the links it replaced. */
export async function setAdminLink(
  db: Queryable,
  slackUserId: string,
  userId: string,
  adminId: string,
): Promise<SlackUserLink[]> {
  const replaced = await db`
    DELETE FROM slack_users WHERE slack_user_id = ${slackUserId} OR user_id = ${userId}
    RETURNING slack_user_id, user_id, source, updated_by, updated_at`;
  await db`
    INSERT INTO slack_users (slack_user_id, user_id, source, updated_by, updated_at)
    VALUES (${slackUserId}, ${userId}, 'admin', ${adminId}, now())`;
  return replaced as unknown as SlackUserLink[];
}

export async function deleteLink(db: Queryable, slackUserId: string): Promise<SlackUserLink | undefined> {
  const [row] =
    await db`DELETE FROM slack_users WHERE slack_user_id = ${slackUserId} RETURNING slack_user_id, user_id, source, updated_by, updated_at`;
  return row as SlackUserLink | undefined;
}

export async function listLinks(db: Queryable): Promise<(SlackUserLink & { user_name: string; user_email: string })[]> {
  const rows = await db`
    SELECT s.slack_user_id, s.user_id, s.source, s.updated_by, s.updated_at, u.name AS user_name, u.email AS user_email
    FROM slack_users s JOIN users u ON u.id = s.user_id
    ORDER BY u.name`;
  return rows as unknown as (SlackUserLink & { user_name: string; user_email: string })[];
}

export interface SlackDelivery {
  dedupe_key: string;
  channel: string;
  thread_ts: string | null;
  ts: string | null;
  attempts: number;
  first_attempt_at: string | null;
  delivered_at: string | null;
}

/** The delivery row for a key, created on first sight. */
export async function ensureDelivery(
  db: Queryable,
  key: string,
  channel: string,
  threadTs: string | null,
): Promise<SlackDelivery> {
  await db`
    INSERT INTO slack_deliveries (dedupe_key, channel, thread_ts) VALUES (${key}, ${channel}, ${threadTs})
    ON CONFLICT (dedupe_key) DO NOTHING`;
  const [row] = await db`SELECT * FROM slack_deliveries WHERE dedupe_key = ${key}`;
  return row as SlackDelivery;
}

export async function noteDeliveryAttempt(db: Queryable, key: string): Promise<void> {
  await db`
    UPDATE slack_deliveries SET attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, now())
    WHERE dedupe_key = ${key}`;
}

export async function markDelivered(db: Queryable, key: string, channel: string, ts: string): Promise<void> {
  await db`UPDATE slack_deliveries SET channel = ${channel}, ts = ${ts}, delivered_at = now() WHERE dedupe_key = ${key}`;
}

/** A message the bot keeps up to date for a process: posted once, then edited in place up to the version it shows. */
export interface SlackProcessMessage {
  process_id: string;
  audience: string;
  /** Null for a direct message not posted yet: its channel is opened with its person then. */
  channel: string | null;
  user_id: string | null;
  ts: string | null;
  rendered_version: number;
}

/** Marks a process as one this audience hears about, in a channel or by DM to a person; a second call changes nothing. */
export async function claimProcessMessage(
  db: Queryable,
  processId: string,
  audience: string,
  to: { channel: string } | { user_id: string },
): Promise<void> {
  const channel = 'channel' in to ? to.channel : null;
  const userId = 'user_id' in to ? to.user_id : null;
  await db`
    INSERT INTO slack_process_messages (process_id, audience, channel, user_id) VALUES (${processId}, ${audience}, ${channel}, ${userId})
    ON CONFLICT DO NOTHING`;
}

export async function getProcessMessages(db: Queryable, processId: string): Promise<SlackProcessMessage[]> {
  const rows = await db`
    SELECT process_id, audience, channel, user_id, ts, rendered_version FROM slack_process_messages
    WHERE process_id = ${processId} ORDER BY created_at, audience`;
  return rows as unknown as SlackProcessMessage[];
}

export async function hasProcessMessages(db: Queryable, processId: string): Promise<boolean> {
  const [row] = await db`SELECT 1 FROM slack_process_messages WHERE process_id = ${processId} LIMIT 1`;
  return Boolean(row);
}

export async function recordProcessMessage(
  db: Queryable,
  processId: string,
  audience: string,
  fields: { channel: string; ts: string; rendered_version: number },
): Promise<void> {
  await db`
    UPDATE slack_process_messages
    SET channel = ${fields.channel}, ts = ${fields.ts}, rendered_version = ${fields.rendered_version}, updated_at = now()
    WHERE process_id = ${processId} AND audience = ${audience}`;
}

export async function getThread(
  db: Queryable,
  threadKey: string,
): Promise<{ channel: string; ts: string } | undefined> {
  const [row] = await db`SELECT channel, ts FROM slack_threads WHERE thread_key = ${threadKey}`;
  return row as { channel: string; ts: string } | undefined;
}

export async function recordThread(db: Queryable, threadKey: string, channel: string, ts: string): Promise<void> {
  await db`INSERT INTO slack_threads (thread_key, channel, ts) VALUES (${threadKey}, ${channel}, ${ts}) ON CONFLICT DO NOTHING`;
}

import type { NotificationChannel } from '../workflows/notification-policy.js';
import type { Queryable } from './client.js';

/**
 * Where a notification went beyond the bell. For e-mail the row is also the outbox entry the send job
 * works from: queued → sending (before connecting) → sent (just before the last byte) → delivered (the
 * server's answer recorded), or failed; held rows wait for the person's digest.
 */
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'skipped' | 'held' | 'digested';

export interface NewDelivery {
  notification_id: number | null;
  user_id: string;
  channel: NotificationChannel;
  dedupe_key: string;
  status: DeliveryStatus;
  address: string | null;
  detail: string | null;
}

export interface Delivery extends NewDelivery {
  id: number;
  message_id: string | null;
  attempts: number;
  digest_key: string | null;
  created_at: string;
  updated_at: string;
}

/** Inserts the deliveries not recorded before (by key); returns the new ones. */
export async function recordDeliveries(db: Queryable, rows: NewDelivery[]): Promise<Delivery[]> {
  if (rows.length === 0) return [];
  return (await db`
    INSERT INTO notification_deliveries
      ${db(rows, 'notification_id', 'user_id', 'channel', 'dedupe_key', 'status', 'address', 'detail')}
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING *`) as unknown as Delivery[];
}

export async function getDelivery(db: Queryable, id: number): Promise<Delivery | undefined> {
  const [row] = await db`SELECT * FROM notification_deliveries WHERE id = ${id}`;
  return row as Delivery | undefined;
}

export async function getDeliveryByKey(db: Queryable, key: string): Promise<Delivery | undefined> {
  const [row] = await db`SELECT * FROM notification_deliveries WHERE dedupe_key = ${key}`;
  return row as Delivery | undefined;
}

/** Committed before the connection opens: this attempt, and the Message-ID the message will carry. */
export async function markSending(db: Queryable, id: number, messageId: string) {
  await db`
    UPDATE notification_deliveries SET status = 'sending', message_id = ${messageId}, attempts = attempts + 1,
      updated_at = now()
    WHERE id = ${id}`;
}

export async function setDeliveryStatus(db: Queryable, id: number, status: DeliveryStatus, detail: string | null) {
  await db`UPDATE notification_deliveries SET status = ${status}, detail = ${detail}, updated_at = now() WHERE id = ${id}`;
}

/** A Slack message posted for a notification, recorded once under its key. */
export async function recordSlackDelivery(
  db: Queryable,
  notificationKey: string,
  delivery: { user_id: string; status: 'delivered' | 'skipped'; channel?: string; detail: string },
) {
  await db`
    INSERT INTO notification_deliveries (notification_id, user_id, channel, dedupe_key, status, address, detail)
    SELECT (SELECT id FROM notifications WHERE dedupe_key = ${notificationKey}), ${delivery.user_id}, 'slack',
           ${`${notificationKey}:slack`}, ${delivery.status}, ${delivery.channel ?? null}, ${delivery.detail}
    ON CONFLICT (dedupe_key) DO NOTHING`;
}

export async function listDeliveriesOf(db: Queryable, notificationId: number): Promise<Delivery[]> {
  return (await db`
    SELECT * FROM notification_deliveries WHERE notification_id = ${notificationId} ORDER BY id`) as unknown as Delivery[];
}

/** Everyone with held e-mail waiting for a digest. */
export async function usersWithHeldEmail(db: Queryable): Promise<string[]> {
  const rows =
    await db`SELECT DISTINCT user_id FROM notification_deliveries WHERE status = 'held' AND channel = 'email'`;
  return rows.map((r) => r.user_id as string);
}

/**
 * Gathers a person's held e-mail into one digest delivery, once per key: the digest row and the claim on
 * the held rows commit together, so a re-run finds the same digest with the same contents.
 */
export async function gatherDigest(
  db: Queryable,
  userId: string,
  digestKey: string,
  address: string,
): Promise<Delivery | undefined> {
  const [digest] = await db`
    INSERT INTO notification_deliveries (notification_id, user_id, channel, dedupe_key, status, address)
    SELECT NULL, ${userId}, 'email', ${digestKey}, 'queued', ${address}
    WHERE EXISTS (SELECT 1 FROM notification_deliveries
                  WHERE user_id = ${userId} AND status = 'held' AND channel = 'email' AND digest_key IS NULL)
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING *`;
  if (!digest) return undefined;
  await db`
    UPDATE notification_deliveries SET digest_key = ${digestKey}, updated_at = now()
    WHERE user_id = ${userId} AND status = 'held' AND channel = 'email' AND digest_key IS NULL`;
  return digest as Delivery;
}

/** What a digest carries: the notifications it gathered, oldest first. */
export async function digestContents(db: Queryable, digestKey: string) {
  return db`
    SELECT n.id, n.kind, n.title, n.body, n.process_type, n.process_id, n.created_at
    FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
    WHERE d.digest_key = ${digestKey} ORDER BY n.id`;
}

export async function markDigested(db: Queryable, digestKey: string) {
  await db`
    UPDATE notification_deliveries SET status = 'digested', updated_at = now()
    WHERE digest_key = ${digestKey} AND status = 'held'`;
}

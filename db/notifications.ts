import type { Queryable, Sql, Tx } from './client.js';

/** NOTIFY channel for the bell: every server node pushes new notifications to their person. */
export const NOTIFICATION_CREATED_CHANNEL = 'notification_created';
/** NOTIFY channel for a person's unread count changing by a read (in another tab, say). */
export const NOTIFICATIONS_READ_CHANNEL = 'notifications_read';

export interface NewNotification {
  user_id: string;
  kind: string;
  title: string;
  body: string;
  process_type: string | null;
  process_id: string | null;
  dedupe_key: string;
}

export interface StoredNotification {
  id: number;
  user_id: string;
  dedupe_key: string;
}

/**
 * Inserts what is new (by dedupe key) and announces each new row; returns the new rows. `alongside` runs in
 * the same transaction for the new rows only (their deliveries and jobs), so a re-run adds nothing twice.
 */
export async function storeNotifications(
  sql: Sql,
  rows: NewNotification[],
  alongside?: (tx: Tx, created: StoredNotification[]) => Promise<void>,
): Promise<StoredNotification[]> {
  if (rows.length === 0) return [];
  return sql.begin(async (tx) => {
    const created = (await tx`
      INSERT INTO notifications ${tx(rows, 'user_id', 'kind', 'title', 'body', 'process_type', 'process_id', 'dedupe_key')}
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id, user_id, dedupe_key`) as unknown as StoredNotification[];
    for (const row of created) {
      await tx`SELECT pg_notify(${NOTIFICATION_CREATED_CHANNEL}, ${JSON.stringify({ id: row.id, user_id: row.user_id })})`;
    }
    if (alongside && created.length) await alongside(tx, created);
    return created;
  });
}

export interface NotificationFilter {
  unreadOnly: boolean;
  limit: number;
  before?: number;
  /** Only these notification kinds (a topic's kinds, say). */
  kinds?: readonly string[];
}

export async function listNotifications(db: Queryable, userId: string, options: NotificationFilter) {
  return db`
    SELECT n.id, n.kind, n.title, n.body, n.process_type, n.process_id, n.created_at, n.read_at,
           coalesce((SELECT json_agg(json_build_object('channel', d.channel, 'status', d.status, 'detail', d.detail,
                                                        'updated_at', d.updated_at) ORDER BY d.id)
                     FROM notification_deliveries d WHERE d.notification_id = n.id), '[]') AS deliveries
    FROM notifications n
    WHERE n.user_id = ${userId}
      ${options.unreadOnly ? db`AND n.read_at IS NULL` : db``}
      ${options.before ? db`AND n.id < ${options.before}` : db``}
      ${options.kinds ? db`AND n.kind = ANY(${options.kinds as string[]})` : db``}
    ORDER BY n.id DESC
    LIMIT ${options.limit}`;
}

export async function getNotificationOwner(db: Queryable, id: number): Promise<string | undefined> {
  const [row] = await db`SELECT user_id FROM notifications WHERE id = ${id}`;
  return row?.user_id as string | undefined;
}

export async function countUnread(db: Queryable, userId: string): Promise<number> {
  const [row] = await db`SELECT count(*)::int AS n FROM notifications WHERE user_id = ${userId} AND read_at IS NULL`;
  return row.n as number;
}

/** Marks the given notifications (or all) of this user read; another person's ids are ignored. */
export async function markNotificationsRead(db: Queryable, userId: string, ids: number[] | 'all'): Promise<number> {
  const rows =
    ids === 'all'
      ? await db`UPDATE notifications SET read_at = now() WHERE user_id = ${userId} AND read_at IS NULL RETURNING id`
      : await db`UPDATE notifications SET read_at = now() WHERE user_id = ${userId} AND read_at IS NULL AND id = ANY(${ids}) RETURNING id`;
  if (rows.length) await db`SELECT pg_notify(${NOTIFICATIONS_READ_CHANNEL}, ${JSON.stringify({ user_id: userId })})`;
  return rows.length;
}

import type { Queryable, Sql } from './client.js';

/** NOTIFY channel for the bell: every server node pushes new notifications to their person. */
export const NOTIFICATION_CREATED_CHANNEL = 'notification_created';

export interface NewNotification {
  user_id: string;
  kind: string;
  title: string;
  body: string;
  process_type: string | null;
  process_id: string | null;
  dedupe_key: string;
}

/** Inserts what is new (by dedupe key) and announces each new row; returns how many were new. */
export async function storeNotifications(sql: Sql, rows: NewNotification[]): Promise<number> {
  if (rows.length === 0) return 0;
  return sql.begin(async (tx) => {
    const created = await tx`
      INSERT INTO notifications ${tx(rows, 'user_id', 'kind', 'title', 'body', 'process_type', 'process_id', 'dedupe_key')}
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id, user_id`;
    for (const row of created) {
      await tx`SELECT pg_notify(${NOTIFICATION_CREATED_CHANNEL}, ${JSON.stringify({ id: row.id, user_id: row.user_id })})`;
    }
    return created.length;
  });
}

export async function listNotifications(
  db: Queryable,
  userId: string,
  options: { unreadOnly: boolean; limit: number; before?: number },
) {
  return db`
    SELECT id, kind, title, body, process_type, process_id, created_at, read_at
    FROM notifications
    WHERE user_id = ${userId}
      ${options.unreadOnly ? db`AND read_at IS NULL` : db``}
      ${options.before ? db`AND id < ${options.before}` : db``}
    ORDER BY id DESC
    LIMIT ${options.limit}`;
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
  return rows.length;
}

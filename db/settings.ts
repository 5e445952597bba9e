import type { Actor } from '../workflows/process-records.js';
import { appendAudit } from './audit.js';
import type { Queryable, Sql } from './client.js';

export async function getSetting<T>(db: Queryable, key: string, fallback: T): Promise<T> {
  const [row] = await db`SELECT value FROM settings WHERE key = ${key}`;
  return row ? (row.value as T) : fallback;
}

/** Settings changes are audited like any other command. */
export async function putSetting(sql: Sql, key: string, value: unknown, actor: Actor): Promise<void> {
  await sql.begin(async (tx) => {
    const [before] = await tx`SELECT value FROM settings WHERE key = ${key}`;
    await tx`
      INSERT INTO settings (key, value, updated_by, updated_at) VALUES (${key}, ${tx.json(value as never)}, ${actor.user_id}, now())
      ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now()`;
    await appendAudit(tx, {
      process_type: 'settings',
      process_id: key,
      actor,
      action: 'update_setting',
      outcome: 'accepted',
      details: { before: before?.value ?? null, after: value },
    });
  });
}

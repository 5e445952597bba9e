import type { Actor } from '../workflows/process-records.js';
import { appendAudit } from './audit.js';
import type { Queryable } from './client.js';

export async function getSetting<T>(db: Queryable, key: string, fallback: T): Promise<T> {
  const [row] = await db`SELECT value FROM settings WHERE key = ${key}`;
  return row ? (row.value as T) : fallback;
}

/** Settings changes are audited like any other command; run it in the caller's transaction. */
export async function putSetting(tx: Queryable, key: string, value: unknown, actor: Actor): Promise<void> {
  const [before] = await tx`SELECT value FROM settings WHERE key = ${key} FOR UPDATE`;
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
}

export async function listSettings(
  db: Queryable,
): Promise<{ key: string; value: unknown; updated_by: string | null; updated_at: string }[]> {
  const rows = await db`SELECT key, value, updated_by, updated_at FROM settings ORDER BY key`;
  return rows.map((r) => ({
    key: r.key,
    value: r.value,
    updated_by: r.updated_by,
    updated_at: new Date(r.updated_at).toISOString(),
  }));
}

/** Years until a client's KYC is reviewed again, by risk rating (the kyc_review_years_* settings). */
export async function getKycReviewYears(db: Queryable): Promise<{ high: number; medium: number; low: number }> {
  return {
    high: await getSetting(db, 'kyc_review_years_high', 1),
    medium: await getSetting(db, 'kyc_review_years_medium', 2),
    low: await getSetting(db, 'kyc_review_years_low', 3),
  };
}

import { appendAudit } from './audit.js';
import { signCheckpoint, type CheckpointStatement } from './audit-chain.js';
import type { Queryable, Sql, Tx } from './client.js';
import { lockCommitOrder } from './commit-order.js';
import { SYSTEM_ACTOR } from '../workflows/process-records.js';

/** Signed statements about the audit chain: its head each day, and what retention removed. */

/** Broker-dealer records are kept six years (SEC 17a-4, FINRA 4511); administrators may keep them longer. */
export const AUDIT_RETENTION_SETTING = 'audit_retention_years';
export const DEFAULT_RETENTION_YEARS = 6;

export interface StoredCheckpoint extends CheckpointStatement {
  id: number;
  signature: string;
}

function toCheckpoint(row: Record<string, unknown>): StoredCheckpoint {
  return { ...(row as unknown as StoredCheckpoint), at: new Date(row.at as Date).toISOString() };
}

export async function listCheckpoints(db: Queryable): Promise<StoredCheckpoint[]> {
  const rows = await db`SELECT * FROM audit_checkpoints ORDER BY id`;
  return rows.map(toCheckpoint);
}

export async function getCheckpoint(db: Queryable, id: number): Promise<StoredCheckpoint | undefined> {
  const [row] = await db`SELECT * FROM audit_checkpoints WHERE id = ${id}`;
  return row ? toCheckpoint(row) : undefined;
}

/** The latest retention checkpoint: the first remaining row links to the hash it names. */
export async function latestRetention(db: Queryable): Promise<StoredCheckpoint | undefined> {
  const [row] = await db`SELECT * FROM audit_checkpoints WHERE kind = 'retention' ORDER BY id DESC LIMIT 1`;
  return row ? toCheckpoint(row) : undefined;
}

async function insertCheckpoint(
  tx: Tx,
  key: string,
  statement: CheckpointStatement,
): Promise<StoredCheckpoint | undefined> {
  const signature = signCheckpoint(key, statement);
  // `at` is now(), the transaction's start, which remove_expired_audit() recognises as this transaction.
  const [row] = await tx`
    INSERT INTO audit_checkpoints (kind, period, at, head_id, head_hash, row_count, details, signature)
    VALUES (${statement.kind}, ${statement.period}, now(), ${statement.head_id}, ${statement.head_hash}, ${statement.row_count},
            ${tx.json(statement.details as never)}, ${signature})
    ON CONFLICT (kind, period) DO NOTHING
    RETURNING *`;
  return row ? toCheckpoint(row) : undefined;
}

/** The transaction's start as the checkpoint will store it (millisecond ISO, as it reads back). */
async function transactionStart(tx: Tx): Promise<string> {
  const [{ now }] = await tx`SELECT now() AS now`;
  return new Date(now).toISOString();
}

/**
 * Records the chain's head for a day, once: a second run for the same day returns the first checkpoint.
 * `created` tells the caller whether this run wrote it (and so should announce it).
 */
export async function recordDailyCheckpoint(
  sql: Sql,
  key: string,
  period: string,
): Promise<{ checkpoint: StoredCheckpoint; created: boolean }> {
  return sql.begin(async (tx) => {
    await lockCommitOrder(tx);
    const [head] = await tx`SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`;
    const [{ count }] = await tx`SELECT count(*)::int AS count FROM audit_log`;
    const statement: CheckpointStatement = {
      kind: 'daily',
      period,
      at: await transactionStart(tx),
      head_id: head?.id ?? 0,
      head_hash: head?.hash ?? (await latestRetention(tx))?.head_hash ?? '',
      row_count: count,
      details: {},
    };
    const created = await insertCheckpoint(tx, key, statement);
    if (created) return { checkpoint: created, created: true };
    const [existing] = await tx`SELECT * FROM audit_checkpoints WHERE kind = 'daily' AND period = ${period}`;
    return { checkpoint: toCheckpoint(existing), created: false };
  });
}

/**
 * Removes the oldest rows of the trail, those recorded before `cutoff`: the longest prefix of the chain that
 * is all older, so the chain stays whole. First a signed checkpoint names the last removed row and its hash
 * (the link the first remaining row carries), then remove_expired_audit() deletes, then the removal itself
 * is audited.
 */
export async function applyRetention(
  sql: Sql,
  key: string,
  options: { cutoff: string; retention_years: number },
): Promise<{ removed: number; checkpoint: StoredCheckpoint | null }> {
  return sql.begin(async (tx) => {
    await lockCommitOrder(tx);
    const [range] = await tx`
      SELECT min(id) AS first_id, max(id) AS through_id, count(*)::int AS count FROM audit_log
      WHERE id < coalesce((SELECT min(id) FROM audit_log WHERE at >= ${options.cutoff}), 'Infinity'::numeric)`;
    if (!range || range.count === 0) return { removed: 0, checkpoint: null };
    const [last] = await tx`SELECT hash FROM audit_log WHERE id = ${range.through_id}`;
    const checkpoint = await insertCheckpoint(tx, key, {
      kind: 'retention',
      period: null,
      at: await transactionStart(tx),
      head_id: range.through_id,
      head_hash: last.hash,
      row_count: range.count,
      details: {
        first_removed_id: range.first_id,
        cutoff: new Date(options.cutoff).toISOString(),
        retention_years: options.retention_years,
      },
    });
    const [{ removed }] = await tx`SELECT remove_expired_audit(${range.through_id}) AS removed`;
    await appendAudit(tx, {
      process_type: 'audit',
      process_id: null,
      actor: SYSTEM_ACTOR,
      action: 'apply_retention',
      outcome: 'accepted',
      details: {
        removed,
        first_removed_id: range.first_id,
        through_id: range.through_id,
        checkpoint_id: checkpoint!.id,
      },
    });
    return { removed, checkpoint: checkpoint! };
  });
}

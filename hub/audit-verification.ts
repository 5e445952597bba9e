import { ChainVerifier, checkpointSignatureHolds, GENESIS_HASH, type ChainBreak } from '../db/audit-chain.js';
import { listCheckpoints, type StoredCheckpoint } from '../db/audit-checkpoints.js';
import { auditRowsInOrder } from '../db/audit.js';
import type { Queryable } from '../db/client.js';

export type VerificationReport =
  | { ok: true; rows: number; head: string; checkpoints: number; message: string }
  | { ok: false; rows: number; checkpoints: number; break: ChainBreak; message: string };

/**
 * Walks the whole trail in chain order and checks every row's hash and link, then holds the chain against
 * every signed checkpoint: a daily checkpoint names a row and the hash it had, so a chain rewritten from
 * some row on (every hash recomputed) still fails there. The first problem found is the report.
 */
export async function verifyAuditTrail(db: Queryable, key: string): Promise<VerificationReport> {
  const checkpoints = await listCheckpoints(db);
  for (const checkpoint of checkpoints) {
    if (!checkpointSignatureHolds(key, checkpoint, checkpoint.signature)) {
      return failure(0, checkpoints.length, {
        row_id: checkpoint.head_id,
        checkpoint_id: checkpoint.id,
        reason: 'checkpoint_signature',
        message: `checkpoint ${checkpoint.id} (${checkpoint.kind}, ${checkpoint.at}) does not carry a valid signature: it was altered or forged`,
      });
    }
  }
  const retention = checkpoints.filter((c) => c.kind === 'retention').at(-1);
  const removedThrough = retention?.head_id ?? 0;
  const expected = new Map<number, StoredCheckpoint>();
  for (const c of checkpoints) if (c.kind === 'daily' && c.head_id > removedThrough) expected.set(c.head_id, c);

  const verifier = new ChainVerifier(retention?.head_hash ?? GENESIS_HASH);
  for await (const rows of auditRowsInOrder(db)) {
    for (const row of rows) {
      const broken = verifier.check(row);
      if (broken) return failure(verifier.rows, checkpoints.length, broken);
      const id = Number(row.id);
      const checkpoint = expected.get(id);
      if (checkpoint && checkpoint.head_hash !== row.hash) {
        return failure(verifier.rows, checkpoints.length, {
          row_id: id,
          checkpoint_id: checkpoint.id,
          reason: 'checkpoint_mismatch',
          message:
            `row ${id} does not match checkpoint ${checkpoint.id} of ${checkpoint.at}: it was ${checkpoint.head_hash}, ` +
            `now ${String(row.hash)} (the chain was rewritten up to here)`,
        });
      }
      expected.delete(id);
    }
  }
  const missing = [...expected.values()][0];
  if (missing) {
    return failure(verifier.rows, checkpoints.length, {
      row_id: missing.head_id,
      checkpoint_id: missing.id,
      reason: 'checkpoint_row_missing',
      message: `row ${missing.head_id}, the head at checkpoint ${missing.id} of ${missing.at}, is missing (rows were deleted from the end)`,
    });
  }
  return {
    ok: true,
    rows: verifier.rows,
    head: verifier.head,
    checkpoints: checkpoints.length,
    message: `${verifier.rows} rows verified, head ${verifier.head}`,
  };
}

function failure(rows: number, checkpoints: number, broken: ChainBreak): VerificationReport {
  return { ok: false, rows, checkpoints, break: broken, message: broken.message };
}

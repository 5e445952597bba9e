import type { Tx } from './client.js';

/**
 * Held until commit by every writer of events and audit rows, so sequence and id order are commit order:
 * a reader paging by sequence never skips an event, and each audit row can link to the one committed before it.
 */
const COMMIT_ORDER_LOCK = 7_041_001;

export async function lockCommitOrder(tx: Tx): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(${COMMIT_ORDER_LOCK})`;
}

/**
 * Takes the lock and reads what the writer continues from (the heads of the trail and the feed) in one round
 * trip: the reads are sent behind the lock on the transaction's connection, and each starts, with its own
 * snapshot, only once the lock is held, so it sees every writer that committed before. The lock is held from
 * here to commit; the fewer round trips after it, the more writers commit per second.
 */
export async function lockCommitOrderAndRead<T extends readonly unknown[]>(
  tx: Tx,
  reads: () => { [K in keyof T]: PromiseLike<T[K]> },
): Promise<T> {
  // Executed before the reads exist, so the lock is sent first: a connection runs its queries in order.
  const lock = tx`SELECT pg_advisory_xact_lock(${COMMIT_ORDER_LOCK})`.execute();
  const [, ...results] = await Promise.all([lock, ...reads()]);
  return results as unknown as T;
}

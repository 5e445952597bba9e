import type { Tx } from './client.js';

/**
 * Held until commit by every writer of events and audit rows, so sequence and id order are commit order:
 * a reader paging by sequence never skips an event, and each audit row can link to the one committed before it.
 */
const COMMIT_ORDER_LOCK = 7_041_001;

export async function lockCommitOrder(tx: Tx): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(${COMMIT_ORDER_LOCK})`;
}

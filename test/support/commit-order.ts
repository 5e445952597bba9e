import { lockCommitOrder } from '../../db/commit-order.js';
import type { Tx } from '../../db/client.js';
import type { TestHub } from './hub.js';

/**
 * Holds the commit-order lock from a connection of the test, after `work` ran under it, until `release` is
 * called: the transaction then commits.
 */
export async function holdCommitOrder(
  hub: TestHub,
  work: (tx: Tx) => Promise<unknown> = async () => {},
): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = hub.sql.begin(async (tx) => {
    await lockCommitOrder(tx);
    await work(tx);
    locked();
    await released;
  });
  await Promise.race([isLocked, holder]);
  return {
    async release() {
      release();
      await holder;
    },
  };
}

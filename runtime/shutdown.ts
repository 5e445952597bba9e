/**
 * Graceful shutdown: every part of a stopping process shares one deadline (now + SHUTDOWN_GRACE_MS) and
 * finishes what it has in hand until then, then closes what is left.
 */

/** Resolves with the work's result, or with `timedOut` once the deadline passes first. */
export async function untilDeadline<T, D>(work: Promise<T>, deadline: number, timedOut: D): Promise<T | D> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<D>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A count of things in flight, and a promise for the moment it is next at zero. */
export function createInFlight() {
  let count = 0;
  const waiters: (() => void)[] = [];
  return {
    get count() {
      return count;
    },
    begin() {
      count += 1;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        count -= 1;
        if (count === 0) for (const wake of waiters.splice(0)) wake();
      };
    },
    idle(): Promise<void> {
      return count === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

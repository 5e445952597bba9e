import type { Sql } from '../db/client.js';
import { drainViewEvents, queueViewEvent } from '../db/view-events.js';
import type { Logger } from '../runtime/logger.js';
import type { EmittedEvent } from '../workflows/process-records.js';

/** A drain also runs this often, for views queued by a node that died before draining them. */
const SWEEP_MS = 1_000;

export interface ViewEvents {
  /** Stores the view (it is durable when this returns) and wakes the drainer; never waits on writers. */
  record(processType: string | null, processId: string | null, event: EmittedEvent): Promise<void>;
  /** Moves every view queued so far into the event feed. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Views reach the event feed off the read's path: a read queues its view and returns; one drain at a time
 * appends everything queued, in one transaction under the commit-order lock. Reads arriving during a drain
 * are taken by the next one, so a burst of reads costs a few drains, not one locked write each.
 */
export function startViewEvents(sql: Sql, log: Logger): ViewEvents {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  function drain(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          while ((await drainViewEvents(sql)) > 0);
        } while (again);
      } catch (error) {
        // The rows stay queued (their transaction rolled back); the next wake or sweep takes them.
        log.warn({ err: error }, 'draining view events failed; will retry');
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const sweep = setInterval(() => void drain(), SWEEP_MS);
  sweep.unref();

  return {
    async record(processType, processId, event) {
      await queueViewEvent(sql, processType, processId, event);
      if (!stopped) void drain();
    },
    async flush() {
      await running;
      await drain();
    },
    async stop() {
      stopped = true;
      clearInterval(sweep);
      await running;
      await drain();
    },
  };
}

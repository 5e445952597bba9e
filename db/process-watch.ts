import type { Sql } from './client.js';
import { getProcess, type ProcessRow } from './processes.js';
import { PROCESS_CHANGED_CHANNEL, type ProcessChangedNotice } from './transitions.js';

/**
 * Waits for processes to reach a status, woken by the NOTIFY every recorded change sends: one LISTEN for
 * however many processes are awaited at once.
 */
export async function watchProcesses(sql: Sql) {
  const waiters = new Map<string, Set<() => void>>();
  const subscription = await sql.listen(PROCESS_CHANGED_CHANNEL, (payload) => {
    const { process_id } = JSON.parse(payload) as ProcessChangedNotice;
    for (const wake of waiters.get(process_id) ?? []) wake();
  });
  return {
    /** The process's row once `reached` says so of it; throws after `timeoutMs`. */
    async until(
      processId: string,
      reached: (row: ProcessRow) => boolean,
      what: string,
      timeoutMs = 60_000,
    ): Promise<ProcessRow> {
      const deadline = Date.now() + timeoutMs;
      const mine = waiters.get(processId) ?? new Set();
      waiters.set(processId, mine);
      for (;;) {
        let wake = () => {};
        const woken = new Promise<void>((resolve) => (wake = resolve));
        mine.add(wake);
        try {
          const row = await getProcess(sql, processId);
          if (row && reached(row)) return row;
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`${processId} did not reach ${what} (it is ${row?.status ?? 'missing'})`);
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([woken, new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
          clearTimeout(timer);
        } finally {
          mine.delete(wake);
        }
      }
    },
    stop: () => subscription.unlisten(),
  };
}

export type ProcessWatch = Awaited<ReturnType<typeof watchProcesses>>;

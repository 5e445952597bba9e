import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Logger } from './logger.js';

/**
 * What a hub killed without its shutdown (kill -9, an OOM kill) leaves behind: its PostgreSQL, found by the
 * postmaster.pid in its data folder, and its Temporal dev server, found by the pid file the hub writes.
 * Both are stopped before a new start, so the next `npm start` comes up instead of finding its ports taken.
 */

const STOP_TIMEOUT_MS = 30_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a running process, to be sure a pid from a file still names what wrote it. */
function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    // Not Linux, or gone: without /proc, trust the pid file and the liveness check.
    return alive(pid) ? '' : '<gone>';
  }
}

async function waitForExit(pid: number): Promise<boolean> {
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

async function stopLeftover(
  what: string,
  pid: number,
  signal: NodeJS.Signals,
  group: boolean,
  log: Logger,
): Promise<void> {
  log.warn({ pid }, `${what} left running by a previous hub that did not shut down (pid ${pid}); stopping it`);
  try {
    process.kill(group ? -pid : pid, signal);
  } catch {
    process.kill(pid, signal);
  }
  if (!(await waitForExit(pid))) {
    process.kill(group ? -pid : pid, 'SIGKILL');
    await waitForExit(pid);
  }
  log.info({ pid }, `${what} from the previous run stopped`);
}

/** The pid of the PostgreSQL running on `dataDir`, from the first line of its postmaster.pid. */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
}

/** Stops the PostgreSQL whose postmaster.pid is in `dataDir`, if it still runs; SIGINT is its fast shutdown. */
export async function stopLeftoverPostgres(dataDir: string, log: Logger): Promise<void> {
  if (!existsSync(`${dataDir}/postmaster.pid`)) return;
  const pid = postmasterPid(dataDir);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  const command = commandOf(pid);
  if (command !== '' && !/postgres/.test(command)) return;
  await stopLeftover('PostgreSQL', pid, 'SIGINT', false, log);
}

/** The pid file of the Temporal dev server the hub starts, beside its db file. */
export const temporalPidFile = (dbFile: string) => `${dbFile}.pid`;

export function writeTemporalPid(dbFile: string, pid: number): void {
  writeFileSync(temporalPidFile(dbFile), `${pid}\n`);
}

export function removeTemporalPid(dbFile: string): void {
  rmSync(temporalPidFile(dbFile), { force: true });
}

/** Stops the Temporal dev server (its whole process group) a previous hub started on this db file. */
export async function stopLeftoverTemporal(dbFile: string, log: Logger): Promise<void> {
  const pidFile = temporalPidFile(dbFile);
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
    const command = commandOf(pid);
    if (command === '' || /temporal/.test(command))
      await stopLeftover('The Temporal dev server', pid, 'SIGTERM', true, log);
  }
  removeTemporalPid(dbFile);
}

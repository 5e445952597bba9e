import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from './logger.js';
import { removeTemporalPid, stopLeftoverTemporal, writeTemporalPid } from './leftovers.js';
import { assertPortFree } from './ports.js';
import { stopWithHub } from './watchdog.js';

export interface RunningTemporal {
  address: string;
  uiUrl: string | undefined;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

/**
 * `temporal server start-dev`, in its own process group so a Ctrl-C reaches it only through us,
 * after the worker has let go of it. With a db file, running workflows survive a restart.
 */
export async function startTemporalDevServer(options: {
  cliPath: string;
  port: number;
  uiPort?: number;
  dbFile?: string;
  namespace: string;
  log: Logger;
}): Promise<RunningTemporal> {
  if (options.dbFile) await stopLeftoverTemporal(path.resolve(options.dbFile), options.log);
  await assertPortFree(options.port, '127.0.0.1', 'TEMPORAL_DEV_PORT');
  if (options.uiPort) await assertPortFree(options.uiPort, '127.0.0.1', 'TEMPORAL_UI_PORT');
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-format', 'json'];
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  if (options.namespace !== 'default') args.push('--namespace', options.namespace);
  if (options.dbFile) {
    mkdirSync(path.dirname(path.resolve(options.dbFile)), { recursive: true });
    args.push('--db-filename', path.resolve(options.dbFile));
  }

  const child = spawn(options.cliPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // The next start finds the server by this file should this process die without stopping it.
  if (options.dbFile && child.pid !== undefined) writeTemporalPid(path.resolve(options.dbFile), child.pid);
  if (child.pid !== undefined) stopWithHub({ pid: child.pid, signal: 'SIGTERM', group: true, command: /temporal/ });
  child.once('exit', () => {
    if (options.dbFile) removeTemporalPid(path.resolve(options.dbFile));
  });
  const output: string[] = [];
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      output.push(line);
      if (output.length > 30) output.shift();
      options.log.debug({ temporal: line }, 'temporal');
    }
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  // Should this process die without running its shutdown, do not leave the server behind.
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.on('exit', killOnExit);

  const address = `127.0.0.1:${options.port}`;
  try {
    await waitUntilReachable(address, options.namespace, child, output);
  } catch (error) {
    killGroup(child, 'SIGKILL');
    process.off('exit', killOnExit);
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    stop: () => {
      stopping ??= stopChild(child).finally(() => process.off('exit', killOnExit));
      return stopping;
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

async function waitUntilReachable(
  address: string,
  namespace: string,
  child: ChildProcess,
  output: string[],
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`the Temporal dev server exited during start-up: ${output.slice(-5).join(' | ')}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`the Temporal dev server was not reachable at ${address} within ${READY_TIMEOUT_MS / 1000} s`, {
          cause: error,
        });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

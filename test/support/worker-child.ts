import { spawn, type ChildProcess } from 'node:child_process';
import { inject } from 'vitest';
import type { TestHub } from './hub.js';

export interface WorkerChild {
  child: ChildProcess;
  output: string[];
  exited: Promise<void>;
  /** SIGKILL: no shutdown, as when the machine or the OOM killer takes it. */
  kill(): Promise<void>;
}

/** Starts the hub's worker in its own process against the test hub's database and task queue. */
export async function startWorkerChild(hub: TestHub, env: Record<string, string> = {}): Promise<WorkerChild> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/worker-process.ts', inject('workflowBundlePath')],
    {
      env: {
        ...process.env,
        DATABASE_URL: hub.config.DATABASE_URL!,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: hub.taskQueue,
        HUB_DATA_DIR: hub.config.HUB_DATA_DIR,
        REBALANCE_SCHEDULE_PAUSED: 'true',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const take = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('worker process ready')) resolve();
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    void exited.then(() => reject(new Error(`the worker process exited:\n${output.join('')}`)));
  });
  return {
    child,
    output,
    exited,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

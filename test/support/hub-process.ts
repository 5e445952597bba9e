import { spawn } from 'node:child_process';

export interface HubProcess {
  /** Everything the process wrote, for a failing test's message. */
  output(): string;
  /** Resolves once the process has written a log line with this message. */
  logged(message: string, timeoutMs?: number): Promise<void>;
  /** Sends SIGTERM (once) and resolves with the exit code once the process has exited. */
  terminate(): Promise<number | null>;
}

const READY = { server: 'server listening', worker: 'worker running' } as const;

/**
 * `npm run server` or `npm run worker` as a real process of its own (tsx, as npm runs it), resolved once it
 * logs that it is ready. `env` is the whole configuration of the process.
 */
export async function startHubProcess(
  kind: 'server' | 'worker',
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<HubProcess> {
  const entry = kind === 'server' ? 'server/main.ts' : 'workers/main.ts';
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const wrote = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const check of wrote) check();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const logged = (message: string, waitMs = timeoutMs) =>
    new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        wrote.delete(check);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (output.includes(`"msg":${JSON.stringify(message)}`)) done();
      };
      const timer = setTimeout(() => done(new Error(`${kind} did not log "${message}":\n${output}`)), waitMs);
      wrote.add(check);
      void exited.then((code) => done(new Error(`${kind} exited with ${code} before "${message}":\n${output}`)));
      check();
    });

  await logged(READY[kind]);
  return {
    output: () => output,
    logged,
    async terminate() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

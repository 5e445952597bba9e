import { spawn, type ChildProcess } from 'node:child_process';

export interface ServerNode {
  port: number;
  /** Everything the process wrote, for a failing test's message. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code once the process has exited. */
  terminate(): Promise<number | null>;
}

/**
 * `npm run server` as a real process of its own (tsx, as npm runs it), resolved once it logs that it listens.
 * `env` is the whole configuration of the node.
 */
export async function startServerNode(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerNode> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server node did not listen in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"server listening"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server node exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    port: Number(env.PORT),
    output: () => output,
    async terminate() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

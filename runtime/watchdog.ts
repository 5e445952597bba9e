import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * Makes a server the hub started die with the hub, however the hub dies (kill -9 and OOM kills included):
 * a small node process holds a pipe from the hub and, when the pipe closes, stops the server. Linux's
 * prctl(PR_SET_PDEATHSIG) would do this in the kernel, but node does not expose it. runtime/leftovers.ts
 * still stops what a watchdog killed along with the hub could not.
 */
const WATCHDOG = `
const [pid, signal, scope, pattern] = process.argv.slice(1);
const target = Number(pid);
const alive = () => { try { process.kill(target, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const ours = () => {
  try { return new RegExp(pattern).test(require('node:fs').readFileSync('/proc/' + target + '/cmdline', 'utf8')); }
  catch { return alive(); }
};
const send = (s) => { try { process.kill(scope === 'group' ? -target : target, s); } catch {} };
// A Ctrl-C reaches the whole terminal group; stopping the server then is the hub's own shutdown.
process.on('SIGINT', () => {});
process.stdin.on('data', () => {});
let done = false;
const stop = () => {
  if (done) return;
  done = true;
  if (!alive() || !ours()) process.exit(0);
  send(signal);
  const deadline = Date.now() + 30000;
  setInterval(() => {
    if (!alive()) process.exit(0);
    if (Date.now() > deadline) { send('SIGKILL'); process.exit(0); }
  }, 100);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
`;

export interface WatchedServer {
  pid: number;
  /** What stops it cleanly (PostgreSQL: SIGINT, its fast shutdown). */
  signal: NodeJS.Signals;
  /** Signal its whole process group (a server started in a group of its own). */
  group?: boolean;
  /** Its command line, so a pid reused by another program is left alone. */
  command: RegExp;
}

/** Starts the watchdog of one server; it exits by itself once the server is gone after the hub. */
export function stopWithHub(server: WatchedServer): void {
  const watchdog = spawn(
    process.execPath,
    ['-e', WATCHDOG, String(server.pid), server.signal, server.group ? 'group' : 'pid', server.command.source],
    { stdio: ['pipe', 'ignore', 'ignore'] },
  );
  // The hub's own exit is what it waits for: it must not keep the hub's event loop alive.
  watchdog.unref();
  (watchdog.stdin as unknown as Socket).unref();
}

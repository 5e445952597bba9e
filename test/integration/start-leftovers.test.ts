import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';
import { findFreePort } from '../../runtime/ports.js';
import { findTemporalCli } from '../../runtime/temporal-cli.js';
import { eventually } from '../support/hub.js';

/** `npm start` as an operator runs it (runtime/start.ts in its own process), on a data folder of its own. */
interface StartedHub {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first output line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start after a crash and during start-up', () => {
  const dataDir = mkdtempSync(path.join(path.resolve('test-results'), 'hub-data-'));
  // PostgreSQL runs as its own system user when the tests run as root; it must reach the folder.
  chmodSync(dataDir, 0o755);
  const started: StartedHub[] = [];
  let ports: Record<string, string>;

  const start = (): StartedHub => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/start.ts'], {
      env: {
        ...process.env,
        ...ports,
        HUB_DATA_DIR: dataDir,
        TEMPORAL_CLI_PATH: findTemporalCli(loadConfig({}))!,
        SEED_DEMO_DATA: 'false',
        REBALANCE_SCHEDULE_PAUSED: 'true',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const waiters = new Set<() => void>();
    const take = (chunk: Buffer) => {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      waiters.forEach((w) => w());
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const hub: StartedHub = {
      child,
      lines,
      exited,
      waitFor: (pattern, timeoutMs = 180_000) =>
        new Promise((resolve, reject) => {
          const check = () => {
            const line = lines.find((l) => pattern.test(l));
            if (!line) return;
            waiters.delete(check);
            clearTimeout(timer);
            resolve(line);
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(
              new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${lines.slice(-20).join('\n')}`),
            );
          }, timeoutMs);
          waiters.add(check);
          child.once('exit', () =>
            setImmediate(
              () =>
                waiters.has(check) &&
                (clearTimeout(timer), reject(new Error(`exited before ${pattern}:\n${lines.slice(-10).join('\n')}`))),
            ),
          );
          check();
        }),
    };
    started.push(hub);
    return hub;
  };
  const postgresPid = () =>
    Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const temporalPid = () => Number(readFileSync(path.join(dataDir, 'temporal.db.pid'), 'utf8').trim());
  /** The watchdogs a hub started for its servers: its children running node with the watchdog's script. */
  const watchdogsOf = (pid: number) =>
    readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number)
      .filter((child) => readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('process.stdin'));
  const freshPorts = async () => ({
    PORT: String(await findFreePort()),
    EMBEDDED_POSTGRES_PORT: String(await findFreePort()),
    TEMPORAL_DEV_PORT: String(await findFreePort()),
    TEMPORAL_UI_PORT: String(await findFreePort()),
  });

  afterAll(async () => {
    for (const hub of started)
      if (hub.child.exitCode === null && hub.child.signalCode === null) hub.child.kill('SIGINT');
    await Promise.all(started.map((h) => h.exited));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'a hub killed with kill -9 takes its PostgreSQL and Temporal with it, and the next start comes up',
    { timeout: 400_000 },
    async () => {
      ports = await freshPorts();
      const first = start();
      await first.waitFor(/Ops hub ready/);
      const [pg, temporal] = [postgresPid(), temporalPid()];
      expect(watchdogsOf(first.child.pid!)).toHaveLength(2);
      first.child.kill('SIGKILL');
      await first.exited;
      await eventually(async () => !alive(pg) && !alive(temporal), {
        timeoutMs: 60_000,
        what: 'PostgreSQL and Temporal to stop after the hub died',
      });

      const second = start();
      await second.waitFor(/Ops hub ready/);
      expect(second.lines.some((l) => /left running by a previous hub/.test(l))).toBe(false);
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
    },
  );

  it(
    'stops the PostgreSQL and Temporal a killed hub left running, says so, and comes up',
    { timeout: 400_000 },
    async () => {
      const first = start();
      await first.waitFor(/Ops hub ready/);
      const [pg, temporal] = [postgresPid(), temporalPid()];
      // An OOM kill of the whole tree runs no shutdown: the watchdogs go too, both servers stay, holding their ports.
      for (const watchdog of watchdogsOf(first.child.pid!)) process.kill(watchdog, 'SIGKILL');
      first.child.kill('SIGKILL');
      await first.exited;
      expect(alive(pg)).toBe(true);
      expect(alive(temporal)).toBe(true);

      const second = start();
      await second.waitFor(
        new RegExp(`PostgreSQL left running by a previous hub that did not shut down \\(pid ${pg}\\)`),
      );
      await second.waitFor(
        new RegExp(`Temporal dev server left running by a previous hub that did not shut down \\(pid ${temporal}\\)`),
      );
      await second.waitFor(/Ops hub ready/);
      expect(alive(pg)).toBe(false);
      expect(alive(temporal)).toBe(false);

      const [pg2, temporal2] = [postgresPid(), temporalPid()];
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
      expect(alive(pg2)).toBe(false);
      expect(alive(temporal2)).toBe(false);
      expect(existsSync(path.join(dataDir, 'temporal.db.pid'))).toBe(false);
    },
  );

  it('stops everything started so far on Ctrl-C in the middle of start-up', { timeout: 400_000 }, async () => {
    const hub = start();
    // Both servers are up; migrations, the worker and the server are still to come.
    await hub.waitFor(/Temporal dev server running/);
    const [pg, temporal] = [postgresPid(), temporalPid()];
    hub.child.kill('SIGINT');
    expect(await hub.exited).toBe(0);
    expect(alive(pg)).toBe(false);
    expect(alive(temporal)).toBe(false);
    expect(hub.lines.some((l) => /Ops hub ready/.test(l))).toBe(false);
  });
});

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { HubConfig } from './config.js';

/** The newest official CLI release that `go install` accepts. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

type CliLookup = Pick<HubConfig, 'TEMPORAL_CLI_PATH' | 'HUB_CACHE_DIR'>;

export function cachedTemporalCliPath(config: Pick<HubConfig, 'HUB_CACHE_DIR'>): string {
  return path.join(config.HUB_CACHE_DIR, 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, command))) return path.join(dir, command);
  }
  return undefined;
}

/** TEMPORAL_CLI_PATH, then PATH, then the hub's own tools cache outside the clone. */
export function findTemporalCli(config: CliLookup): string | undefined {
  if (config.TEMPORAL_CLI_PATH) return isExecutable(config.TEMPORAL_CLI_PATH) ? config.TEMPORAL_CLI_PATH : undefined;
  return (
    findOnPath('temporal') ?? (isExecutable(cachedTemporalCliPath(config)) ? cachedTemporalCliPath(config) : undefined)
  );
}

export class TemporalCliMissingError extends Error {}

export const NO_GO_MESSAGE =
  `The Temporal CLI is missing and Go is not installed to build it. Either install Go (https://go.dev/dl) and run ` +
  `"npm run setup:temporal", or download the CLI from https://temporal.io/setup/install-temporal-cli and set ` +
  `TEMPORAL_CLI_PATH to it, or point the hub at a running server with TEMPORAL_ADDRESS.`;

/**
 * Returns the CLI, building the pinned release into the cache with `go install` when it is missing.
 * The build takes minutes the first time, so progress is printed while it runs.
 */
export async function ensureTemporalCli(
  config: CliLookup,
  print: (line: string) => void = console.log,
): Promise<string> {
  const found = findTemporalCli(config);
  if (found) return found;
  if (config.TEMPORAL_CLI_PATH) {
    throw new TemporalCliMissingError(`TEMPORAL_CLI_PATH=${config.TEMPORAL_CLI_PATH} is not an executable file`);
  }
  const go = findOnPath('go');
  if (!go || spawnSync(go, ['version']).status !== 0) throw new TemporalCliMissingError(NO_GO_MESSAGE);

  const target = cachedTemporalCliPath(config);
  const buildDir = `${path.dirname(target)}.building-${process.pid}`;
  mkdirSync(buildDir, { recursive: true });
  print(
    `Temporal CLI not found; building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} with Go into ${path.dirname(target)}`,
  );
  print('This happens once per machine and takes a few minutes.');
  const started = Date.now();
  const heartbeat = setInterval(() => {
    print(`  still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)} s)…`);
  }, 30_000);
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
        env: { ...process.env, GOBIN: buildDir },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (exitCode !== 0)
      throw new TemporalCliMissingError(
        `go install of the Temporal CLI failed (exit code ${exitCode}); see the output above`,
      );
    // Move into place only once complete, so an interrupted build is never mistaken for a binary.
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(path.join(buildDir, 'temporal'), target);
  } finally {
    clearInterval(heartbeat);
    rmSync(buildDir, { recursive: true, force: true });
  }
  print(`Temporal CLI ready: ${target} (${Math.round((Date.now() - started) / 1000)} s)`);
  return target;
}

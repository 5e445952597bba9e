import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { migrate } from '../../db/migrate.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../../runtime/embedded-postgres.js';
import { createLogger } from '../../runtime/logger.js';
import { findFreePort } from '../../runtime/ports.js';

export interface OwnPostgres {
  url: string;
  dataDir: string;
  port: number;
  /** Stops the server as an operator or a fail-over would (fast shutdown: open connections are cut). */
  stop(): Promise<void>;
  /** Starts it again on the same data folder and port. */
  start(): Promise<void>;
}

/** A real PostgreSQL of one test file's own, for faults the shared server must not suffer: stopping it, say. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const log = createLogger({ LOG_LEVEL: 'warn' }, 'own-postgres');
  const dataDir = path.resolve('test-results', `postgres-${randomBytes(4).toString('hex')}`);
  const port = await findFreePort();
  let running: RunningPostgres | undefined;
  const start = async () => {
    running = await startEmbeddedPostgres({ dataDir, port, database: 'hub', log });
  };
  await start();
  await migrate(running!.url, log);
  return {
    url: running!.url,
    dataDir,
    port,
    start,
    async stop() {
      await running?.stop();
      running = undefined;
    },
  };
}

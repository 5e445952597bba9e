import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../runtime/logger.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Applies pending migrations (node-pg-migrate, plain SQL files). Safe to run twice and from several
 * processes at once: the library takes an advisory lock and waits for it.
 */
export async function migrate(databaseUrl: string, log: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'schema_migrations',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    logger: {
      debug: (m) => log.trace({ migration: m }, 'migration'),
      info: (m) => log.debug({ migration: m }, 'migration'),
      warn: (m) => log.warn({ migration: m }, 'migration'),
      error: (m) => log.error({ migration: m }, 'migration'),
    },
  });
  const names = applied.map((m) => m.name);
  if (names.length) log.info({ migrations: names }, 'database migrated');
  return names;
}

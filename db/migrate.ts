import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../runtime/logger.js';
import { PROCESS_SPECS } from '../workflows/specs.js';
import { chainUnchainedAudit } from './audit.js';
import { createSql } from './client.js';
import { ensureDefaultSlaPolicies } from './sla.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Applies pending migrations (node-pg-migrate, plain SQL files), then gives each SLA the process specs
 * declare its default policy and chains audit rows older than the hash chain.
 * Safe to run twice and from several processes at once: both take an
 * advisory lock and wait for it.
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
  const sql = createSql(databaseUrl, { max: 1, applicationName: 'ops-hub-migrate' });
  try {
    const policies = await ensureDefaultSlaPolicies(sql, PROCESS_SPECS);
    if (policies.length) log.info({ policies }, 'default SLA policies created from the process specs');
    const chained = await chainUnchainedAudit(sql);
    if (chained) log.info({ rows: chained }, 'audit rows written before the hash chain are now chained');
  } finally {
    await sql.end();
  }
  return names;
}

import { copyFileSync, cpSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { countHubRows, loadHubTables } from '../db/backup.js';
import { createSql } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { BackupInvalidError, readVerifiedManifest } from './backup-files.js';
import { loadConfigOrExit } from './config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { createLogger } from './logger.js';

/**
 * `npm run restore <backup folder>`: brings a fresh HUB_DATA_DIR back from a backup. It checks every file
 * against its checksum, starts the embedded PostgreSQL on a new cluster, migrates it, loads the rows,
 * puts the Temporal db file back, and says what it restored. It never writes over an existing hub.
 */
const config = loadConfigOrExit();
const log = createLogger({ LOG_LEVEL: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }, 'restore');
const source = process.argv[2];
if (!source) {
  console.error('usage: npm run restore <backup folder>   (into HUB_DATA_DIR, which must be new or empty)');
  process.exit(2);
}
const dataDir = path.resolve(config.HUB_DATA_DIR);
if (config.DATABASE_URL) {
  console.error(
    'DATABASE_URL is set: restore a managed database with its own tools (see README, "Backup and restore")',
  );
  process.exit(2);
}
if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
  console.error(`${dataDir} is not empty; restore into a fresh HUB_DATA_DIR`);
  process.exit(2);
}

try {
  const dir = path.resolve(source);
  const manifest = await readVerifiedManifest(dir);
  const postgres = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, 'postgres'),
    port: config.EMBEDDED_POSTGRES_PORT,
    database: 'hub',
    log,
  });
  try {
    await migrate(postgres.url, log);
    const sql = createSql(postgres.url, { max: 1, applicationName: 'ops-hub-restore' });
    try {
      const [{ names }] = await sql`SELECT array_agg(name ORDER BY run_on, id) AS names FROM schema_migrations`;
      const unknown = manifest.migrations.filter((m) => !(names as string[]).includes(m));
      if (unknown.length)
        throw new BackupInvalidError(
          `the backup comes from a newer hub (migrations ${unknown.join(', ')}); restore with that version`,
        );
      await loadHubTables(sql, dir, manifest.tables);
      const counts = await countHubRows(sql);
      if (manifest.temporal_db) copyFileSync(path.join(dir, manifest.temporal_db), path.join(dataDir, 'temporal.db'));
      if (manifest.documents) cpSync(path.join(dir, manifest.documents), config.DOCUMENTS_DIR, { recursive: true });
      const said = [
        'processes',
        'audit_log',
        'process_queries',
        'query_entries',
        'yjs_documents',
        'events',
        'users',
        'clients',
      ]
        .filter((t) => t in counts)
        .map((t) => `${t} ${counts[t]}`)
        .join(', ');
      console.log(
        `restored the backup of ${manifest.created_at} into ${dataDir}: ${said}${manifest.temporal_db ? '; the Temporal dev server db' : ''}${manifest.documents ? '; the document files' : ''}`,
      );
    } finally {
      await sql.end({ timeout: 5 });
    }
  } finally {
    await postgres.stop();
  }
} catch (error) {
  console.error(`restore failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

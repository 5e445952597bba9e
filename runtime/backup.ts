import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { appliedMigrations, dumpHubTables } from '../db/backup.js';
import { createSql } from '../db/client.js';
import { databaseUrlOf } from './addresses.js';
import { sha256Of, writeManifest } from './backup-files.js';
import { loadConfigOrExit } from './config.js';

/**
 * `npm run backup [folder]`: the hub's database in one consistent snapshot and, with the embedded
 * defaults, the Temporal dev server's db file, each with a sha256 in manifest.json. Run it beside a
 * running hub (it reads the database the hub uses).
 */
const config = loadConfigOrExit();
const dir = path.resolve(
  process.argv[2] ?? path.join(config.HUB_DATA_DIR, '..', 'backups', new Date().toISOString().replace(/[:.]/g, '-')),
);
if (existsSync(dir) && readdirSync(dir).length > 0) {
  console.error(`${dir} is not empty; choose a new folder for the backup`);
  process.exit(2);
}
mkdirSync(dir, { recursive: true });

const sql = createSql(databaseUrlOf(config), { max: 1, applicationName: 'ops-hub-backup' });
try {
  const migrations = await appliedMigrations(sql);
  const tables = await dumpHubTables(sql, dir);
  let temporalDb: string | null = null;
  const temporalFile = path.join(config.HUB_DATA_DIR, 'temporal.db');
  if (!config.TEMPORAL_ADDRESS && existsSync(temporalFile)) {
    // The dev server writes SQLite with a journal; a copy taken between its writes is what it reopens.
    copyFileSync(temporalFile, path.join(dir, 'temporal.db'));
    temporalDb = 'temporal.db';
  }
  // Document bytes live in a folder unless they go to S3 (which keeps its own versions).
  const documents: string[] = [];
  if (!config.DOCUMENTS_S3_BUCKET && existsSync(config.DOCUMENTS_DIR)) {
    cpSync(config.DOCUMENTS_DIR, path.join(dir, 'documents'), { recursive: true });
    for (const entry of readdirSync(path.join(dir, 'documents'), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) documents.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
    }
  }
  const checksums: Record<string, string> = {};
  for (const file of [...tables.map((t) => t.file), ...(temporalDb ? [temporalDb] : []), ...documents]) {
    checksums[file] = await sha256Of(path.join(dir, file));
  }
  writeManifest(dir, {
    format: 'ops-hub-backup/1',
    created_at: new Date().toISOString(),
    migrations,
    tables,
    temporal_db: temporalDb,
    documents: documents.length > 0 ? 'documents' : null,
    checksums,
  });
  const rows = tables.reduce((sum, t) => sum + t.rows, 0);
  console.log(
    `backup written to ${dir}: ${tables.length} tables, ${rows} rows${temporalDb ? ', the Temporal dev server db' : ''}${documents.length ? `, ${documents.length} document files` : ''}; checksums in manifest.json`,
  );
} catch (error) {
  console.error(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await sql.end({ timeout: 5 });
}

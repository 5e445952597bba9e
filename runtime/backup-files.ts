import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What a backup folder holds, written last: a folder without it is an interrupted backup. */
export interface BackupManifest {
  format: 'ops-hub-backup/1';
  created_at: string;
  migrations: string[];
  /** Each table's COPY file and row count. */
  tables: { table: string; rows: number; file: string }[];
  /** The Temporal dev server's db file, when the backup was taken with the embedded defaults. */
  temporal_db: string | null;
  /** The document folder, when documents are kept in a folder (not S3). */
  documents?: string | null;
  /** sha256 of every file, by its path inside the folder. */
  checksums: Record<string, string>;
}

export const MANIFEST = 'manifest.json';

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function writeManifest(dir: string, manifest: BackupManifest): void {
  writeFileSync(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

export class BackupInvalidError extends Error {}

/** Reads the manifest and checks every file against its checksum; refuses a folder that does not match. */
export async function readVerifiedManifest(dir: string): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')) as BackupManifest;
  } catch {
    throw new BackupInvalidError(`${dir} is not a complete backup: ${MANIFEST} is missing or unreadable`);
  }
  if (manifest.format !== 'ops-hub-backup/1')
    throw new BackupInvalidError(`${dir}: unknown backup format ${String(manifest.format)}`);
  for (const [file, expected] of Object.entries(manifest.checksums)) {
    const actual = await sha256Of(path.join(dir, file)).catch(() => 'missing');
    if (actual !== expected)
      throw new BackupInvalidError(
        `${dir}/${file} does not match its checksum (${actual === 'missing' ? 'missing' : 'changed'})`,
      );
  }
  return manifest;
}

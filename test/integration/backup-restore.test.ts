import { verifyAuditTrail } from '../../hub/audit-verification.js';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countHubRows } from '../../db/backup.js';
import { createSql } from '../../db/client.js';
import { startEmbeddedPostgres } from '../../runtime/embedded-postgres.js';
import { createLogger } from '../../runtime/logger.js';
import { findFreePort } from '../../runtime/ports.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { openNotesPeer } from '../support/notes-peer.js';
import { ALEX, CARLA } from '../support/realtime-client.js';
import { applicationInReview } from '../support/account-opening.js';

/** Runs one of the hub's npm scripts as an operator would, and returns its exit code and output. */
function run(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('backup and restore', () => {
  let hub: TestHub;
  const scratch = mkdtempSync(path.join(path.resolve('test-results'), 'backup-'));
  // PostgreSQL runs as its own system user when the tests run as root; it must reach the folders.
  chmodSync(scratch, 0o755);

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it(
    'restores a backup into a fresh data folder with every application, thread, note and audit row',
    { timeout: 180_000 },
    async () => {
      const [advisor, compliance] = [await hub.login(ALEX), await hub.login(CARLA)];
      const applicationId = await applicationInReview(hub, { advisor: advisor });
      const query = await hub.api(compliance, 'POST', `/processes/${applicationId}/queries`, {
        title: 'Source of funds',
        kind: 'question_to_advisor',
        body: 'Where do the savings come from?',
      });
      expect(query.status, JSON.stringify(query.body)).toBe(201);
      const notes = await openNotesPeer(hub.url, compliance, applicationId);
      notes.text.insert(0, 'Checked the bank statement.');
      await eventually(async () => (await hub.sql`SELECT count(*)::int AS n FROM yjs_updates`)[0].n > 0, {
        what: 'the note to be stored',
      });
      notes.close();
      const before = await countHubRows(hub.sql);
      for (const table of ['processes', 'audit_log', 'process_queries', 'query_entries'])
        expect(before[table], table).toBeGreaterThan(0);
      // The note lives as updates until the server folds them into its document.
      expect(before.yjs_documents + before.yjs_updates).toBeGreaterThan(0);

      const backupDir = path.join(scratch, 'backup');
      const backup = await run('runtime/backup.ts', [backupDir], {
        DATABASE_URL: hub.config.DATABASE_URL!,
        TEMPORAL_ADDRESS: hub.config.TEMPORAL_ADDRESS!,
      });
      expect(backup.code, backup.output).toBe(0);
      expect(backup.output).toMatch(/backup written to .*checksums in manifest.json/);

      // Work in the background (jobs, the audit trail) may add rows while the backup runs: it holds at least these.
      const manifest = JSON.parse(readFileSync(path.join(backupDir, 'manifest.json'), 'utf8')) as {
        tables: { table: string; rows: number }[];
      };
      const backedUp = Object.fromEntries(manifest.tables.map((t) => [t.table, t.rows]));
      for (const [table, rows] of Object.entries(before)) expect(backedUp[table], table).toBeGreaterThanOrEqual(rows);

      const dataDir = path.join(scratch, 'restored');
      const port = String(await findFreePort());
      const restore = await run('runtime/restore.ts', [backupDir], {
        HUB_DATA_DIR: dataDir,
        EMBEDDED_POSTGRES_PORT: port,
        DATABASE_URL: '',
      });
      expect(restore.code, restore.output).toBe(0);
      expect(restore.output).toMatch(
        new RegExp(`restored the backup of .* processes ${backedUp.processes}, audit_log ${backedUp.audit_log}`),
      );

      // The restored folder is a hub's data folder: its PostgreSQL starts and holds every row.
      const pg = await startEmbeddedPostgres({
        dataDir: path.join(dataDir, 'postgres'),
        port: Number(port),
        database: 'hub',
        log: createLogger({ LOG_LEVEL: 'warn' }),
      });
      const restored = createSql(pg.url, { max: 1 });
      try {
        expect(await countHubRows(restored)).toEqual(backedUp);
        const [original] = await hub.sql`SELECT status, detail FROM processes WHERE process_id = ${applicationId}`;
        expect((await restored`SELECT status, detail FROM processes WHERE process_id = ${applicationId}`)[0]).toEqual(
          original,
        );
        // The restored trail is still one unbroken hash chain.
        const verification = await verifyAuditTrail(restored, hub.config.auditCheckpointKey);
        expect(verification.ok, verification.message).toBe(true);
        expect(verification.rows).toBe(backedUp.audit_log);
        // New rows continue after the restored ones.
        const [{ max }] = await restored`SELECT max(sequence) AS max FROM events`;
        const [{ next }] = await restored`SELECT max(id) + 0 AS next FROM audit_log`;
        expect(max).toBeGreaterThan(0);
        expect(next).toBeGreaterThan(0);
      } finally {
        await restored.end();
        await pg.stop();
      }
    },
  );

  it('refuses a backup whose files do not match their checksums', { timeout: 180_000 }, async () => {
    const backupDir = path.join(scratch, 'tampered');
    expect(
      (await run('runtime/backup.ts', [backupDir], { DATABASE_URL: hub.config.DATABASE_URL!, TEMPORAL_ADDRESS: 'x:1' }))
        .code,
    ).toBe(0);
    const { appendFileSync } = await import('node:fs');
    appendFileSync(path.join(backupDir, 'audit_log.ndjson'), '');
    appendFileSync(path.join(backupDir, 'processes.ndjson'), 'x');
    const restore = await run('runtime/restore.ts', [backupDir], {
      HUB_DATA_DIR: path.join(scratch, 'never'),
      EMBEDDED_POSTGRES_PORT: String(await findFreePort()),
      DATABASE_URL: '',
    });
    expect(restore.code).toBe(1);
    expect(restore.output).toMatch(/processes.ndjson does not match its checksum \(changed\)/);
  });
});

import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createSql } from '../db/client.js';
import { verifyAuditTrail } from '../hub/audit-verification.js';
import { verifyAuditExport } from '../hub/verify-audit-export.js';
import { databaseUrlOf } from './addresses.js';
import { loadConfigOrExit } from './config.js';

/**
 * `npm run audit:verify`: walks the hub's audit trail and its signed checkpoints.
 * `npm run audit:verify -- --file export.ndjson`: checks an export offline, without the database.
 * Prints "N rows verified, head <hash>" and exits 0, or names the first row that does not match and exits 1.
 */

const USAGE = `usage: npm run audit:verify                          the hub's trail (DATABASE_URL, AUDIT_CHECKPOINT_KEY)
       npm run audit:verify -- --file export.ndjson   an export from GET /api/audit/export?format=ndjson`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const fileAt = args.indexOf('--file');
const file = fileAt >= 0 ? args[fileAt + 1] : undefined;
if ((fileAt >= 0 && !file) || args.length > (fileAt >= 0 ? 2 : 0)) {
  console.error(USAGE);
  process.exit(2);
}

let exitCode: number;
if (file) {
  if (!existsSync(file)) {
    console.error(`${file}: no such file`);
    process.exit(2);
  }
  const report = await verifyAuditExport(
    createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity }),
  );
  console.log(report.ok ? report.message : `${file}: ${report.message}`);
  exitCode = report.ok ? 0 : 1;
} else {
  const config = loadConfigOrExit();
  const databaseUrl = databaseUrlOf(config);
  const sql = createSql(databaseUrl, { max: 2, applicationName: 'ops-hub-audit-verify' });
  try {
    const report = await verifyAuditTrail(sql, config.auditCheckpointKey);
    console.log(report.message);
    exitCode = report.ok ? 0 : 1;
  } catch (error) {
    exitCode = 2;
    if ((error as { code?: string }).code === 'ECONNREFUSED') {
      console.error(
        `cannot reach PostgreSQL at ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}: start the hub first (npm start), or set DATABASE_URL`,
      );
    } else {
      console.error(error);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
process.exit(exitCode);

import { appendAudit, auditRowsInOrder } from '../db/audit.js';
import { verifyAuditTrail } from '../hub/audit-verification.js';
import { verifyAuditExport } from '../hub/verify-audit-export.js';
import { loadConfig } from '../runtime/config.js';
import { SYSTEM_ACTOR } from '../workflows/process-records.js';
import type { Benchmark } from './support/benchmark.js';

const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 4000);
const CONCURRENCY = 8;

async function inParallel(count: number, work: (n: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

const entry = (n: number) => ({
  process_type: 'bench',
  process_id: `bench-${n % 50}`,
  actor: SYSTEM_ACTOR,
  action: 'bench_audit',
  outcome: 'accepted' as const,
  details: { n, amount: 1250.5, note: 'a row of ordinary size' },
});

const benchmark: Benchmark = {
  name: 'audit-trail',
  description:
    `${ROWS} audit rows written by ${CONCURRENCY} writers at once through the chained writer (commit-order lock, link, SHA-256), against ` +
    'the same rows inserted into an unchained copy of the table; then the whole trail verified, exported as NDJSON over HTTP and the ' +
    'export verified offline, against reading the rows alone.',
  async run({ hub: startHub }) {
    const hub = await startHub();
    const key = loadConfig({ ...process.env, DATABASE_URL: '' }).auditCheckpointKey;
    await hub.sql`CREATE TABLE IF NOT EXISTS bench_audit_plain (LIKE audit_log INCLUDING DEFAULTS)`;
    try {
      let started = performance.now();
      await inParallel(ROWS, async (n) => {
        const e = entry(n);
        await hub.sql`
          INSERT INTO bench_audit_plain (process_type, process_id, actor_id, actor_role, actor_name, channel, action, outcome, details)
          VALUES (${e.process_type}, ${e.process_id}, ${e.actor.user_id}, ${e.actor.role}, ${e.actor.name}, ${e.actor.channel}, ${e.action},
                  ${e.outcome}, ${hub.sql.json(e.details)})`;
      });
      const plainSeconds = (performance.now() - started) / 1000;

      started = performance.now();
      await inParallel(ROWS, (n) => appendAudit(hub.sql, entry(n)));
      const chainedSeconds = (performance.now() - started) / 1000;

      const [{ total }] = await hub.sql`SELECT count(*)::int AS total FROM audit_log`;
      started = performance.now();
      let read = 0;
      for await (const rows of auditRowsInOrder(hub.sql)) read += rows.length;
      const readSeconds = (performance.now() - started) / 1000;

      started = performance.now();
      const report = await verifyAuditTrail(hub.sql, key);
      const verifySeconds = (performance.now() - started) / 1000;
      if (!report.ok) throw new Error(report.message);

      const token = await hub.login('carla.compliance@hub.example');
      const from = new Date(Date.now() - 86_400_000).toISOString();
      const to = new Date(Date.now() + 86_400_000).toISOString();
      started = performance.now();
      const response = await fetch(`${hub.url}/api/audit/export?from=${from}&to=${to}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const text = await response.text();
      const exportSeconds = (performance.now() - started) / 1000;
      const lines = text.split('\n');

      started = performance.now();
      const offline = await verifyAuditExport(
        (async function* () {
          yield* lines;
        })(),
      );
      const offlineSeconds = (performance.now() - started) / 1000;
      if (!offline.ok) throw new Error(offline.message);

      return {
        columns: ['path', 'rows', 'rows / s', 'seconds'],
        rows: [
          ['unchained insert (baseline)', ROWS, Math.round(ROWS / plainSeconds), plainSeconds.toFixed(2)],
          ['chained append', ROWS, Math.round(ROWS / chainedSeconds), chainedSeconds.toFixed(2)],
          ['read the trail (baseline)', read, Math.round(read / readSeconds), readSeconds.toFixed(2)],
          ['verify the trail', total, Math.round(report.rows / verifySeconds), verifySeconds.toFixed(2)],
          ['export NDJSON over HTTP', offline.rows, Math.round(offline.rows / exportSeconds), exportSeconds.toFixed(2)],
          [
            'verify the export offline',
            offline.rows,
            Math.round(offline.rows / offlineSeconds),
            offlineSeconds.toFixed(2),
          ],
        ],
        notes: [`Export size ${(text.length / 1024 / 1024).toFixed(1)} MB.`],
      };
    } finally {
      await hub.sql`DROP TABLE IF EXISTS bench_audit_plain`;
    }
  },
};

export default benchmark;

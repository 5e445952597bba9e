import type PgBoss from 'pg-boss';
import { DateTime } from 'luxon';
import {
  applyRetention,
  AUDIT_RETENTION_SETTING,
  DEFAULT_RETENTION_YEARS,
  recordDailyCheckpoint,
} from '../../db/audit-checkpoints.js';
import type { Sql } from '../../db/client.js';
import { QUEUES, workQueue } from '../../db/jobs.js';
import { getSetting } from '../../db/settings.js';
import type { Logger } from '../../runtime/logger.js';

export interface AuditCheckpointJob {
  checkpoint_id: number;
}

/**
 * The audit trail's two daily jobs, on pg-boss's cron (one run per schedule however many workers): the
 * chain head's signed checkpoint, announced in Slack when `announce` (a re-run finds the day's checkpoint
 * and announces that one, which Slack delivery posts once), and retention.
 */
export async function registerAuditTrailJobs(
  boss: PgBoss,
  sql: Sql,
  options: { key: string; checkpointCron: string; retentionCron: string; announce: boolean; log: Logger },
): Promise<void> {
  await workQueue(boss, QUEUES.auditCheckpoint, { batchSize: 1, pollingIntervalSeconds: 2 }, async () => {
    const { checkpoint, created } = await recordDailyCheckpoint(
      sql,
      options.key,
      new Date().toISOString().slice(0, 10),
    );
    if (created)
      options.log.info(
        { checkpoint: checkpoint.id, head: checkpoint.head_hash, rows: checkpoint.row_count },
        'audit checkpoint recorded',
      );
    if (options.announce)
      await boss.send(QUEUES.slackAuditCheckpoint, { checkpoint_id: checkpoint.id } satisfies AuditCheckpointJob);
  });
  await workQueue(boss, QUEUES.auditRetention, { batchSize: 1, pollingIntervalSeconds: 2 }, async () => {
    const { removed, checkpoint } = await enforceAuditRetention(sql, options.key);
    if (removed)
      options.log.info({ removed, checkpoint: checkpoint?.id }, 'audit rows past the retention period removed');
  });
  await boss.schedule(QUEUES.auditCheckpoint, options.checkpointCron, {}, { tz: 'UTC' });
  await boss.schedule(QUEUES.auditRetention, options.retentionCron, {}, { tz: 'UTC' });
}

/** Removes what is older than the retention period setting, leaving a signed checkpoint of it. */
export async function enforceAuditRetention(sql: Sql, key: string, now = new Date()) {
  const years = await getSetting(sql, AUDIT_RETENTION_SETTING, DEFAULT_RETENTION_YEARS);
  const cutoff = DateTime.fromJSDate(now, { zone: 'utc' }).minus({ years }).toISO()!;
  return applyRetention(sql, key, { cutoff, retention_years: years });
}

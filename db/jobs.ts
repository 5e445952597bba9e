import PgBoss from 'pg-boss';
import type { Logger } from '../runtime/logger.js';
import { metrics, registerGauge } from '../runtime/metrics.js';
import type { Tx } from './client.js';

/** Every pg-boss queue the hub uses, with its retry policy. Jobs are sent inside the transaction that causes them. */
export const QUEUES = {
  /** Turns a recorded change's notification intents into notifications for people (in-app, Slack). */
  deliverNotifications: 'deliver-notifications',
  /** Tells a process's workflow to pause or resume its SLA clock; sent in the transaction that decided it. */
  signalSlaPause: 'signal-sla-pause',
  /** Posts the messages the Slack bot keeps for a process (approval messages, proposals) once, then keeps them up to date. */
  slackProcessMessages: 'slack-process-messages',
  /** Sends a change's notifications that belong in Slack: SLA alerts to managers, DMs to people. */
  slackNotify: 'slack-notify',
  /** Sends one notification e-mail (or digest) from its outbox entry, at most once (workers/email/email-jobs.ts). */
  emailNotify: 'email-notify',
  /** Gathers held e-mail into each person's daily digest (cron, hourly; each person's own morning). */
  emailDigest: 'email-digest',
  /** Opens the portfolio of an account that account opening created. */
  openPortfolio: 'open-portfolio',
  /** Records the audit chain's head once a day (cron, AUDIT_CHECKPOINT_CRON). */
  auditCheckpoint: 'audit-checkpoint',
  /** Removes audit rows older than the retention period (cron, AUDIT_RETENTION_CRON). */
  auditRetention: 'audit-retention',
  /** Posts a recorded checkpoint to the managers' Slack channel. */
  slackAuditCheckpoint: 'slack-audit-checkpoint',
  /** Posts an error-rate alert (a window's refusals past 5 %) to the managers' Slack channel. */
  slackErrorRateAlert: 'slack-error-rate-alert',
} as const;

const QUEUE_POLICIES: Record<string, Omit<PgBoss.Queue, 'name'>> = {
  [QUEUES.deliverNotifications]: { retryLimit: 10, retryDelay: 2, retryBackoff: true },
  [QUEUES.signalSlaPause]: { retryLimit: 50, retryDelay: 1, retryBackoff: true },
  [QUEUES.slackProcessMessages]: { retryLimit: 10, retryDelay: 2, retryBackoff: true },
  [QUEUES.slackNotify]: { retryLimit: 10, retryDelay: 2, retryBackoff: true },
  // An attempt ends well within the expiry (its SMTP timeouts), so a job outlives only a worker that died.
  [QUEUES.emailNotify]: { retryLimit: 10, retryDelay: 5, retryBackoff: true, expireInSeconds: 40 },
  [QUEUES.emailDigest]: { retryLimit: 5, retryDelay: 60, retryBackoff: true },
  [QUEUES.openPortfolio]: { retryLimit: 10, retryDelay: 2, retryBackoff: true },
  [QUEUES.auditCheckpoint]: { retryLimit: 10, retryDelay: 30, retryBackoff: true },
  [QUEUES.auditRetention]: { retryLimit: 10, retryDelay: 30, retryBackoff: true },
  [QUEUES.slackAuditCheckpoint]: { retryLimit: 10, retryDelay: 2, retryBackoff: true },
  [QUEUES.slackErrorRateAlert]: { retryLimit: 10, retryDelay: 2, retryBackoff: true },
};

/** Events that start a job when they are recorded: the job carries the event and exists only if the change commits. */
export const EVENT_QUEUES: Readonly<Record<string, string>> = {
  'account.created': QUEUES.openPortfolio,
};

export type Boss = PgBoss;

export async function startBoss(
  databaseUrl: string,
  log: Logger,
  options: { supervise: boolean; maintenanceIntervalSeconds?: number },
): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: 'pgboss',
    max: 4,
    application_name: 'ops-hub-jobs',
    // Only workers run maintenance and cron; the API only sends.
    supervise: options.supervise,
    schedule: options.supervise,
    // How often expired jobs (of a worker that died) are put back for retry; pg-boss's default is 120 s.
    ...(options.maintenanceIntervalSeconds ? { maintenanceIntervalSeconds: options.maintenanceIntervalSeconds } : {}),
  });
  boss.on('error', (error: Error & { code?: string }) => {
    // 57P01: the database is shutting down (a Ctrl-C reaches it too); not worth an alarm.
    if (error.code === '57P01') log.debug({ err: error }, 'pg-boss lost its connection during shutdown');
    else log.error({ err: error }, 'pg-boss');
  });
  await boss.start();
  for (const [name, policy] of Object.entries(QUEUE_POLICIES)) await boss.createQueue(name, { name, ...policy });
  registerGauge('ops_hub_queue_depth', 'pg-boss jobs waiting to run (new or to retry), by queue', ['queue'], () =>
    Promise.all(
      Object.values(QUEUES).map(async (queue) => ({ labels: { queue }, value: await boss.getQueueSize(queue) })),
    ),
  );
  return boss;
}

/** Lets pg-boss insert a job through our transaction, so the job exists if and only if the change commits. */
export function inTransaction(tx: Tx): PgBoss.Db {
  // pg-boss passes undefined for unset options, which node-postgres treats as NULL and postgres.js refuses.
  return {
    executeSql: async (text, values) => ({
      rows: await tx.unsafe(
        text,
        values.map((v) => (v === undefined ? null : v)),
      ),
    }),
  };
}

/**
 * Registers a handler for a queue. pg-boss waits its polling interval after every fetch, even a full one;
 * a worker that finds a full batch asks for the next at once, so a backlog drains at the database's pace
 * instead of one batch per interval.
 */
export async function workQueue<T>(
  boss: PgBoss,
  queue: string,
  options: { batchSize: number; pollingIntervalSeconds?: number },
  handler: (jobs: PgBoss.Job<T>[]) => Promise<void>,
): Promise<string> {
  let workerId = '';
  workerId = await boss.work<T>(
    queue,
    { batchSize: options.batchSize, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 },
    async (jobs) => {
      await handler(jobs).catch((error: unknown) => {
        metrics.jobFailed(queue);
        throw error;
      });
      if (jobs.length === options.batchSize) boss.notifyWorker(workerId);
    },
  );
  return workerId;
}

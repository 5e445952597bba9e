import { fileURLToPath } from 'node:url';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type PgBoss from 'pg-boss';
import { createSlackWorkerParts } from '../bots/slack/jobs.js';
import type { Sql } from '../db/client.js';
import { QUEUES } from '../db/jobs.js';
import type { HubConfig } from '../runtime/config.js';
import type { Logger } from '../runtime/logger.js';
import { registerGauge } from '../runtime/metrics.js';
import { connectTemporalClient, temporalConnectionOptions } from '../runtime/temporal-connection.js';
import { createActivities } from './activities/index.js';
import { createBuiltinCrm } from './crm/builtin-crm.js';
import type { CrmAdapter } from './crm/crm.js';
import { createHttpCrm } from './crm/http-crm.js';
import type { Custodian } from './custodian/custodian.js';
import { createPaperCustodian } from './custodian/paper-custodian.js';
import { registerAuditTrailJobs } from './jobs/audit-trail.js';
import { registerNotificationJobs } from './jobs/deliver-notifications.js';
import { registerSlaPauseJobs } from './jobs/signal-sla-pause.js';
import { registerPortfolioJobs } from './jobs/open-portfolio.js';
import { registerEmailJobs } from './email/email-jobs.js';
import { createMailer } from './email/mailer.js';
import { createPostgresPriceSource } from '../db/price-source.js';
import { ensureDriftCheckSchedule } from './rebalancing/drift-schedule.js';
import { ensureSchedule } from './schedules.js';
import { KYC_REVIEW_WORKFLOW_TYPE, kycReviewScheduleId } from '../workflows/client-onboarding/definitions.js';
import { pinoTemporalLogger } from './temporal-logger.js';
import { temporalWorkerTelemetry } from '../runtime/telemetry.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export function createCrm(config: Pick<HubConfig, 'CRM_ADAPTER' | 'CRM_URL' | 'CRM_API_KEY'>, sql: Sql): CrmAdapter {
  return config.CRM_ADAPTER === 'http'
    ? createHttpCrm({ url: config.CRM_URL!, apiKey: config.CRM_API_KEY })
    : createBuiltinCrm(sql);
}

let runtimeInstalled = false;

export interface HubWorker {
  /** Takes no new activity or job, and lets those in flight finish within SHUTDOWN_GRACE_MS. */
  stop(): Promise<void>;
  /** Settles when the worker stops, by request or by failure. */
  done: Promise<void>;
}

/**
 * The Temporal worker on the hub's task queue, plus the pg-boss job handlers. `workflowBundle` lets tests
 * bundle the workflows once for many workers.
 */
export async function startHubWorker(options: {
  config: HubConfig;
  temporalAddress: string;
  sql: Sql;
  boss: PgBoss;
  log: Logger;
  crm?: CrmAdapter;
  custodian?: Custodian;
  taskQueue?: string;
  workflowBundle?: WorkerOptions['workflowBundle'];
}): Promise<HubWorker> {
  const { config, log } = options;
  if (!runtimeInstalled) {
    Runtime.install({ logger: pinoTemporalLogger(log.child({ component: 'temporal' })) });
    runtimeInstalled = true;
  }
  const slack = createSlackWorkerParts({ config, sql: options.sql, boss: options.boss, log });
  const taskQueue = options.taskQueue ?? config.TEMPORAL_TASK_QUEUE;
  const temporal = await connectTemporalClient(options.temporalAddress, config);
  await ensureDriftCheckSchedule(
    temporal,
    {
      taskQueue,
      cron: config.REBALANCE_SCHEDULE_CRON,
      timeZone: config.REBALANCE_TIME_ZONE,
      paused: config.REBALANCE_SCHEDULE_PAUSED,
      orderRetry: {
        maximum_attempts: config.REBALANCE_ORDER_MAX_ATTEMPTS,
        initial_interval_ms: config.REBALANCE_ORDER_RETRY_INITIAL_MS,
      },
    },
    log,
  );
  await ensureSchedule(
    temporal,
    {
      scheduleId: kycReviewScheduleId(taskQueue),
      workflowType: KYC_REVIEW_WORKFLOW_TYPE,
      args: [],
      taskQueue,
      cron: config.KYC_REVIEW_SCHEDULE_CRON,
      timeZone: config.REBALANCE_TIME_ZONE,
      paused: config.KYC_REVIEW_SCHEDULE_PAUSED,
      pausedBy: 'KYC_REVIEW_SCHEDULE_PAUSED',
    },
    log,
  );
  const connection = await NativeConnection.connect(temporalConnectionOptions(options.temporalAddress, config));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    // On shutdown, activities in flight get this long to finish before they are cancelled (and retried elsewhere).
    shutdownGraceTime: config.SHUTDOWN_GRACE_MS,
    ...(await temporalWorkerTelemetry(config, 'ops-hub-worker')),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({
      sql: options.sql,
      boss: options.boss,
      crm: options.crm ?? createCrm(config, options.sql),
      followUps: slack?.followUps,
      rebalancing: {
        custodian: options.custodian ?? createPaperCustodian(options.sql, { timeZone: config.REBALANCE_TIME_ZONE }),
        priceSource: createPostgresPriceSource(options.sql),
        timeZone: config.REBALANCE_TIME_ZONE,
      },
    }),
  });
  // What the SDK tells of its slots: the tasks in flight now (the slot limits are the worker's options).
  registerGauge('ops_hub_temporal_worker_in_flight', 'Temporal tasks this worker runs now, by kind', ['kind'], () => {
    const status = worker.getStatus();
    return [
      { labels: { kind: 'workflow_activation' }, value: status.numInFlightWorkflowActivations },
      { labels: { kind: 'activity' }, value: status.numInFlightNonLocalActivities },
      { labels: { kind: 'local_activity' }, value: status.numInFlightLocalActivities },
    ];
  });
  const mailer = createMailer(config);
  if (!mailer) log.warn('SMTP_URL is not set: e-mail is off, notifications reach the hub and Slack only');
  await registerNotificationJobs(
    options.boss,
    options.sql,
    slack?.forwarders,
    mailer ? { boss: options.boss } : undefined,
  );
  if (mailer)
    await registerEmailJobs(options.boss, {
      sql: options.sql,
      mailer,
      publicUrl: config.publicUrl,
      log: log.child({ component: 'email' }),
    });
  await slack?.register();
  await registerPortfolioJobs(options.boss, options.sql);
  await registerSlaPauseJobs(options.boss, temporal);
  await registerAuditTrailJobs(options.boss, options.sql, {
    key: config.auditCheckpointKey,
    checkpointCron: config.AUDIT_CHECKPOINT_CRON,
    retentionCron: config.AUDIT_RETENTION_CRON,
    announce: Boolean(slack && config.SLACK_MANAGERS_CHANNEL),
    log,
  });
  const done = worker.run().finally(() => Promise.allSettled([connection.close(), temporal.connection.close()]));
  log.info({ taskQueue }, 'worker running');
  return {
    done,
    async stop() {
      await Promise.all(Object.values(QUEUES).map((queue) => options.boss.offWork(queue)));
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
      mailer?.close();
    },
  };
}

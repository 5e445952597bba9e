import type PgBoss from 'pg-boss';
import type { Sql } from '../../db/client.js';
import { QUEUES, workQueue } from '../../db/jobs.js';
import type { NotificationJob, TransitionFollowUp } from '../../db/transitions.js';
import type { AuditCheckpointJob } from '../../workers/jobs/audit-trail.js';
import type { HubConfig } from '../../runtime/config.js';
import type { Logger } from '../../runtime/logger.js';
import type { NotificationForwarder } from '../../workers/jobs/deliver-notifications.js';
import { postAuditCheckpoint } from './audit-checkpoints.js';
import type { ErrorRateAlert } from '../../db/success-metrics.js';
import { postErrorRateAlert } from './error-rate-alerts.js';
import { processMessagesFollowUp, syncProcessMessages, type ProcessMessagesJob } from './kept-messages.js';
import { belongsInSlack, deliverSlackNotifications } from './notifications.js';
import type { SlackJobContext } from './job-context.js';
import { createWebClient, type WebClient } from './web-client.js';

const HANDLERS_PER_QUEUE = 2;

/** The worker's half of the bot: what it writes with each change, and the jobs that talk to Slack. */
export interface SlackWorkerParts {
  followUps: TransitionFollowUp[];
  forwarders: NotificationForwarder[];
  register(): Promise<void>;
}

export function createSlackWorkerParts(options: {
  config: HubConfig;
  sql: Sql;
  boss: PgBoss;
  log: Logger;
  client?: WebClient;
}): SlackWorkerParts | null {
  const { config, sql, boss } = options;
  if (!config.slackMode) return null;
  const log = options.log.child({ component: 'slack' });
  const ctx: SlackJobContext = { config, sql, log, client: options.client ?? createWebClient(config, log) };
  if (!config.SLACK_COMPLIANCE_CHANNEL)
    log.warn('SLACK_COMPLIANCE_CHANNEL is not set: compliance approval messages are not posted to Slack');

  return {
    followUps: [processMessagesFollowUp({ compliance: config.SLACK_COMPLIANCE_CHANNEL }, boss)],
    forwarders: [
      async (job: NotificationJob) => {
        if (belongsInSlack(job)) await boss.send(QUEUES.slackNotify, job);
      },
    ],
    async register() {
      // One job at a time per handler, so a failing job retries alone; a few handlers, so one waiting out a rate limit blocks no other.
      for (let i = 0; i < HANDLERS_PER_QUEUE; i++) {
        await workQueue<ProcessMessagesJob>(boss, QUEUES.slackProcessMessages, { batchSize: 1 }, async ([job]) => {
          await syncProcessMessages(ctx, job.data.process_id, job.data.refresh === true);
        });
        await workQueue<NotificationJob>(boss, QUEUES.slackNotify, { batchSize: 1 }, async ([job]) => {
          await deliverSlackNotifications(ctx, job.data);
        });
      }
      await workQueue<AuditCheckpointJob>(boss, QUEUES.slackAuditCheckpoint, { batchSize: 1 }, async ([job]) => {
        await postAuditCheckpoint(ctx, job.data.checkpoint_id);
      });
      await workQueue<ErrorRateAlert>(boss, QUEUES.slackErrorRateAlert, { batchSize: 1 }, async ([job]) => {
        await postErrorRateAlert(ctx, job.data);
      });
    },
  };
}

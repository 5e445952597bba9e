import type PgBoss from 'pg-boss';
import type { Sql } from '../../db/client.js';
import { usersOfRoleCovering } from '../../db/hierarchy.js';
import { QUEUES, workQueue } from '../../db/jobs.js';
import { addresseesFor } from '../../db/notification-preferences.js';
import { storeNotifications } from '../../db/notifications.js';
import type { NotificationJob } from '../../db/transitions.js';
import { topicOf } from '../../workflows/notification-policy.js';
import type { Recipient } from '../../workflows/process-records.js';
import { queueNotificationEmails } from '../email/email-jobs.js';

/** Another way people hear about a change (Slack), handed each job after its in-app notifications are stored. */
export type NotificationForwarder = (job: NotificationJob) => Promise<void>;

/**
 * The active people an intent names, directly or by role; by role only those whose scope covers the process
 * (a London ops user hears nothing of a New York process).
 */
export async function recipientUserIds(
  sql: Sql,
  to: Recipient[],
  except: string[] = [],
  processId: string | null = null,
): Promise<string[]> {
  const userIds = new Set<string>();
  for (const recipient of to) {
    if ('user_id' in recipient) userIds.add(recipient.user_id);
    else for (const id of await usersOfRoleCovering(sql, recipient.role, processId)) userIds.add(id);
  }
  return [...userIds].filter((id) => !except.includes(id));
}

/** Where e-mail comes from: without one (no SMTP_URL), notifications stay in the hub and Slack. */
export interface EmailQueue {
  boss: PgBoss;
}

/**
 * Turns a change's notification intents into one notification per person, and with each the e-mail the
 * person's preferences ask for. Re-running the job (a retry, a crash after insert) stores nothing twice:
 * each row has a key made of its cause and its person, and its e-mail is queued in the same transaction.
 */
export async function deliverNotifications(sql: Sql, job: NotificationJob, email?: EmailQueue): Promise<number> {
  let delivered = 0;
  const at = new Date();
  for (const [index, intent] of job.notifications.entries()) {
    const userIds = await recipientUserIds(sql, intent.to, intent.except, job.process_id);
    const topic = topicOf(intent.kind);
    const addressees = email ? new Map((await addresseesFor(sql, userIds, topic)).map((a) => [a.user_id, a])) : null;
    const created = await storeNotifications(
      sql,
      userIds.map((user_id) => ({
        user_id,
        kind: intent.kind,
        title: intent.title,
        body: intent.body,
        process_type: job.process_type,
        process_id: job.process_id,
        dedupe_key: `${job.cause ?? `${job.process_id}:${job.version}`}:${index}:${user_id}`,
      })),
      email && addressees
        ? (tx, stored) => queueNotificationEmails(tx, email.boss, stored, addressees, topic, at)
        : undefined,
    );
    delivered += created.length;
  }
  return delivered;
}

export async function registerNotificationJobs(
  boss: PgBoss,
  sql: Sql,
  forwarders: readonly NotificationForwarder[] = [],
  email?: EmailQueue,
): Promise<void> {
  // Each job is idempotent on its own, so a batch is delivered in parallel.
  await workQueue<NotificationJob>(boss, QUEUES.deliverNotifications, { batchSize: 20 }, async (jobs) => {
    await Promise.all(
      jobs.map(async (job) => {
        await deliverNotifications(sql, job.data, email);
        for (const forward of forwarders) await forward(job.data);
      }),
    );
  });
}

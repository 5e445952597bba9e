import { recordSlackDelivery } from '../../db/notification-deliveries.js';
import { addresseesFor } from '../../db/notification-preferences.js';
import { getProcess } from '../../db/processes.js';
import { getThread, recordThread } from '../../db/slack.js';
import type { NotificationJob } from '../../db/transitions.js';
import { decideChannel, topicOf } from '../../workflows/notification-policy.js';
import type { NotificationIntent } from '../../workflows/process-records.js';
import { recipientUserIds } from '../../workers/jobs/deliver-notifications.js';
import { boardUrlFor, notificationMessage } from './blocks.js';
import { deliverOnce, withKeyLock } from './delivery.js';
import { directMessageChannel } from './identity.js';
import type { SlackJobContext } from './job-context.js';

/**
 * Which notifications reach Slack, and where: SLA warnings to the person the process waits for (the
 * assigned officer, a rebalance's advisor), breaches and escalations to the managers' channel in one thread
 * per process, personal ones by DM. A rebalance's proposal is not among them: its advisor gets the proposal
 * itself, with its buttons (kept-messages.ts). Others stay in-app.
 */
const SLACK_ROUTES = {
  sla_warning: 'assigned_person',
  sla_breached: 'managers_thread',
  sla_escalated: 'managers_thread',
  mention: 'recipients',
  query_assigned: 'recipients',
  assignment: 'recipients',
  rebalance_compliance_needed: 'recipients',
  rebalance_approved: 'recipients',
  rebalance_declined: 'recipients',
  rebalance_edited: 'recipients',
  rebalance_completed: 'recipients',
  rebalance_failed: 'recipients',
} as const satisfies Record<string, 'assigned_person' | 'managers_thread' | 'recipients'>;

export function belongsInSlack(job: NotificationJob): boolean {
  return job.notifications.some((n) => n.kind in SLACK_ROUTES);
}

interface ProcessContext {
  processId: string;
  title: string | null;
  assignedUserId: string | null;
  boardUrl: string;
}

export async function deliverSlackNotifications(ctx: SlackJobContext, job: NotificationJob): Promise<void> {
  const row = await getProcess(ctx.sql, job.process_id);
  const process: ProcessContext = {
    processId: job.process_id,
    title: row?.title ?? null,
    assignedUserId: row?.assigned_user_id ?? null,
    boardUrl: boardUrlFor(ctx.config.publicUrl, job.process_id),
  };
  for (const [index, intent] of job.notifications.entries()) {
    const route = SLACK_ROUTES[intent.kind as keyof typeof SLACK_ROUTES];
    if (!route) continue;
    // The same cause as the in-app notification's key, so a re-run job finds what it already sent.
    const key = `${job.cause ?? `${job.process_id}:${job.version}`}:${index}`;
    if (route === 'managers_thread') {
      await postToManagersThread(ctx, process, intent, key);
    } else {
      const userIds =
        route === 'assigned_person' && process.assignedUserId
          ? [process.assignedUserId]
          : await recipientUserIds(ctx.sql, intent.to, intent.except, job.process_id);
      for (const userId of await wantSlack(ctx, await firmUsers(ctx, userIds), intent, key))
        await sendDirectMessage(ctx, process, intent, `${key}:dm:${userId}`, userId, `${key}:${userId}`);
    }
  }
}

/** Slack is the firm's workspace: clients hear from the hub in the app, never there. */
async function firmUsers(ctx: SlackJobContext, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const clients = await ctx.sql`SELECT id FROM users WHERE id = ANY(${userIds}) AND role = 'client'`;
  const excluded = new Set(clients.map((c) => c.id as string));
  return userIds.filter((id) => !excluded.has(id));
}

/**
 * The people whose preferences send this notification to Slack now. Whoever's quiet hours keep it back
 * has that recorded as the notification's Slack delivery.
 */
async function wantSlack(ctx: SlackJobContext, userIds: string[], intent: NotificationIntent, key: string) {
  const topic = topicOf(intent.kind);
  const at = new Date();
  const wanted: string[] = [];
  for (const person of await addresseesFor(ctx.sql, userIds, topic)) {
    const outcome = decideChannel({ ...person, digest: false }, topic, 'slack', at);
    if (outcome?.action === 'send') wanted.push(person.user_id);
    else if (outcome?.action === 'skip')
      await recordSlackDelivery(ctx.sql, `${key}:${person.user_id}`, {
        user_id: person.user_id,
        status: 'skipped',
        detail: outcome.reason,
      });
  }
  return wanted;
}

async function postToManagersThread(
  ctx: SlackJobContext,
  process: ProcessContext,
  intent: NotificationIntent,
  key: string,
): Promise<void> {
  const channel = ctx.config.SLACK_MANAGERS_CHANNEL;
  if (!channel) {
    ctx.log.warn(
      { processId: process.processId, kind: intent.kind },
      'SLACK_MANAGERS_CHANNEL is not set; the SLA alert stays in the hub',
    );
    return;
  }
  const threadKey = `sla:${process.processId}`;
  // One lock for the whole thread: the first alert becomes its root, and no two alerts can both think they are first.
  await withKeyLock(ctx.sql, `slack-thread:${threadKey}`, async (db) => {
    const thread = await getThread(db, threadKey);
    const posted = await deliverOnce(db, ctx.client, {
      key: `${key}:managers`,
      channel: thread?.channel ?? channel,
      threadTs: thread?.ts,
      message: notificationMessage(intent, process.title, process.boardUrl),
    });
    if (!thread) await recordThread(db, threadKey, posted.channel, posted.ts);
  });
}

async function sendDirectMessage(
  ctx: SlackJobContext,
  process: ProcessContext,
  intent: NotificationIntent,
  key: string,
  userId: string,
  notificationKey: string,
): Promise<void> {
  const channel = await directMessageChannel(ctx.sql, ctx.client, userId);
  if (!channel) {
    ctx.log.debug(
      { userId, kind: intent.kind },
      'no Slack account for this hub user; the notification stays in the hub',
    );
    return;
  }
  const posted = await withKeyLock(ctx.sql, `slack-delivery:${key}`, (db) =>
    deliverOnce(db, ctx.client, {
      key,
      channel,
      message: notificationMessage(intent, process.title, process.boardUrl),
    }),
  );
  await recordSlackDelivery(ctx.sql, notificationKey, {
    user_id: userId,
    status: 'delivered',
    channel: posted.channel,
    detail: `message ${posted.ts}`,
  });
}

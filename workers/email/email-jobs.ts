import { DateTime } from 'luxon';
import type PgBoss from 'pg-boss';
import type { Sql, Tx } from '../../db/client.js';
import { inTransaction, QUEUES, workQueue } from '../../db/jobs.js';
import { withKeyLock } from '../../db/key-locks.js';
import {
  digestContents,
  gatherDigest,
  getDelivery,
  markDigested,
  markSending,
  recordDeliveries,
  setDeliveryStatus,
  usersWithHeldEmail,
  type Delivery,
  type NewDelivery,
} from '../../db/notification-deliveries.js';
import { getNotificationProfile, type Addressee } from '../../db/notification-preferences.js';
import type { StoredNotification } from '../../db/notifications.js';
import { getProcess } from '../../db/processes.js';
import { boardUrlFor } from '../../runtime/addresses.js';
import type { Logger } from '../../runtime/logger.js';
import { decideChannel, type NotificationTopic } from '../../workflows/notification-policy.js';
import { renderDigestEmail, renderNotificationEmail, type EmailContent, type EmailFacts } from './email-templates.js';
import { messageIdFor, type Mailer } from './mailer.js';

export interface EmailJob {
  delivery_id: number;
}

export interface EmailContext {
  sql: Sql;
  mailer: Mailer;
  publicUrl: string;
  log: Logger;
}

/** Attempts before a message that keeps failing for a passing reason is given up (the queue retries as often). */
export const EMAIL_ATTEMPTS = 8;
/** Digests go out at this local hour (or the first hourly run after it), once a day. */
const DIGEST_HOUR = 8;

/**
 * Records the e-mail each new notification gets, in the transaction that stores the notifications, and
 * queues a send job for each one to go now: a notification exists with its outbox entry and job, or not at all.
 */
export async function queueNotificationEmails(
  tx: Tx,
  boss: PgBoss,
  created: StoredNotification[],
  addressees: Map<string, Addressee>,
  topic: NotificationTopic,
  at: Date,
): Promise<void> {
  const rows: NewDelivery[] = [];
  for (const notification of created) {
    const person = addressees.get(notification.user_id);
    const outcome = person && decideChannel(person, topic, 'email', at);
    if (!outcome) continue;
    rows.push({
      notification_id: notification.id,
      user_id: notification.user_id,
      channel: 'email',
      dedupe_key: `${notification.dedupe_key}:email`,
      status: outcome.action === 'send' ? 'queued' : outcome.action === 'hold' ? 'held' : 'skipped',
      address: person.email,
      detail: outcome.action === 'skip' ? outcome.reason : null,
    });
  }
  for (const delivery of await recordDeliveries(tx, rows)) {
    if (delivery.status === 'queued')
      await boss.send(QUEUES.emailNotify, { delivery_id: delivery.id } satisfies EmailJob, { db: inTransaction(tx) });
  }
}

/**
 * Sends one outbox entry at most once. Under a lock on the entry: `sending` and the Message-ID are committed
 * before connecting; `sent` is committed before the message's last line, so a worker that dies after the
 * server could have accepted it leaves `sent`, and a retry sends nothing. An entry still `sending` died
 * before that line: the server discarded the unfinished transaction, and the retry sends it again.
 */
export async function sendQueuedEmail(ctx: EmailContext, deliveryId: number): Promise<void> {
  await withKeyLock(ctx.sql, `email-delivery:${deliveryId}`, async (db) => {
    const delivery = await getDelivery(db, deliveryId);
    if (!delivery || (delivery.status !== 'queued' && delivery.status !== 'sending')) return;
    const content = await contentOf(ctx, delivery);
    const messageId = delivery.message_id ?? messageIdFor(delivery.dedupe_key, ctx.mailer.from);
    await markSending(db, delivery.id, messageId);
    let handedOver = false;
    try {
      const { response } = await ctx.mailer.send({ to: delivery.address!, messageId, content }, async () => {
        await setDeliveryStatus(db, delivery.id, 'sent', null);
        handedOver = true;
      });
      await setDeliveryStatus(db, delivery.id, 'delivered', response);
      if (delivery.notification_id === null) await markDigested(db, delivery.dedupe_key);
    } catch (error) {
      const reason = describeSmtpError(error);
      if (handedOver) {
        // The server may hold it: never send it again; say the answer was lost.
        await setDeliveryStatus(db, delivery.id, 'sent', `handed to the server, its answer lost: ${reason}`);
        return;
      }
      const permanent = smtpCodeOf(error) >= 500 || delivery.attempts + 1 >= EMAIL_ATTEMPTS;
      await setDeliveryStatus(db, delivery.id, permanent ? 'failed' : 'sending', reason);
      if (!permanent) throw error;
      ctx.log.warn({ deliveryId, reason }, 'e-mail not delivered');
    }
  });
}

async function contentOf(ctx: EmailContext, delivery: Delivery): Promise<EmailContent> {
  const profile = await getNotificationProfile(ctx.sql, delivery.user_id);
  const [person] = await ctx.sql`SELECT name FROM users WHERE id = ${delivery.user_id}`;
  const name = (person?.name as string | undefined) ?? '';
  if (delivery.notification_id === null) {
    const items = await digestContents(ctx.sql, delivery.dedupe_key);
    const facts = await Promise.all(items.map((n) => factsOf(ctx, n as NotificationText, name)));
    return renderDigestEmail(name, facts, profile.language);
  }
  const [notification] = await ctx.sql`
    SELECT kind, title, body, process_type, process_id FROM notifications WHERE id = ${delivery.notification_id}`;
  return renderNotificationEmail(await factsOf(ctx, notification as NotificationText, name), profile.language);
}

interface NotificationText {
  kind: string;
  title: string;
  body: string;
  process_id: string | null;
}

async function factsOf(ctx: EmailContext, n: NotificationText, name: string): Promise<EmailFacts> {
  const process = n.process_id ? await getProcess(ctx.sql, n.process_id) : undefined;
  return {
    kind: n.kind,
    title: n.title,
    body: n.body,
    recipient_name: name,
    process_title: process?.title ?? null,
    process: (process?.detail as Record<string, unknown> | undefined) ?? {},
    board_url: n.process_id ? boardUrlFor(ctx.publicUrl, n.process_id) : null,
  };
}

function smtpCodeOf(error: unknown): number {
  return Number((error as { responseCode?: number }).responseCode ?? 0);
}

function describeSmtpError(error: unknown): string {
  const e = error as { response?: string; message?: string };
  return (e.response ?? e.message ?? String(error)).slice(0, 500);
}

/**
 * The hourly digest run: each person with held e-mail whose local clock has passed the digest hour gets
 * one digest for their day, keyed by it, whatever number of workers or re-runs.
 */
export async function gatherDigests(sql: Sql, boss: PgBoss, at: Date): Promise<number> {
  let queued = 0;
  for (const userId of await usersWithHeldEmail(sql)) {
    const profile = await getNotificationProfile(sql, userId);
    const local = DateTime.fromJSDate(at, { zone: profile.time_zone });
    if (local.hour < DIGEST_HOUR) continue;
    const [person] = await sql`SELECT email FROM users WHERE id = ${userId} AND active`;
    if (!person) continue;
    await sql.begin(async (tx) => {
      const digest = await gatherDigest(tx, userId, `digest:${userId}:${local.toISODate()}`, person.email);
      if (!digest) return;
      await boss.send(QUEUES.emailNotify, { delivery_id: digest.id } satisfies EmailJob, { db: inTransaction(tx) });
      queued += 1;
    });
  }
  return queued;
}

export async function registerEmailJobs(boss: PgBoss, ctx: EmailContext): Promise<void> {
  // One message at a time per handler, so a slow server delays no other handler's message.
  for (let i = 0; i < 2; i++) {
    await workQueue<EmailJob>(boss, QUEUES.emailNotify, { batchSize: 1 }, async ([job]) => {
      await sendQueuedEmail(ctx, job.data.delivery_id);
    });
  }
  await workQueue(boss, QUEUES.emailDigest, { batchSize: 1 }, async () => {
    await gatherDigests(ctx.sql, boss, new Date());
  });
  await boss.schedule(QUEUES.emailDigest, '0 * * * *', {}, { tz: 'UTC' });
}

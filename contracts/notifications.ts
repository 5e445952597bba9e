import { z } from '@hono/zod-openapi';
import { NOTIFICATION_CHANNELS, NOTIFICATION_TOPIC_KEYS } from '../workflows/notification-policy.js';

/** A bell notification as the gateway pushes it (`notification:new`) and the API lists it. */

export const DELIVERY_STATUSES = [
  'queued',
  'sending',
  'sent',
  'delivered',
  'failed',
  'skipped',
  'held',
  'digested',
] as const;

export const DeliverySummarySchema = z.object({
  channel: z.enum(NOTIFICATION_CHANNELS),
  status: z.enum(DELIVERY_STATUSES),
  detail: z.string().nullable(),
  updated_at: z.string(),
});

/** What a push carries. */
const PUSHED_FIELDS = {
  id: z.number(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  process_type: z.string().nullable(),
  process_id: z.string().nullable(),
  created_at: z.string(),
  read_at: z.string().nullable(),
};

/** As the API lists it: with the preferences topic, and where it went beyond the bell. */
export const NotificationSchema = z
  .object({
    ...PUSHED_FIELDS,
    topic: z.enum(NOTIFICATION_TOPIC_KEYS),
    deliveries: z.array(DeliverySummarySchema).openapi({ description: 'Where it went beyond the bell' }),
  })
  .openapi('Notification');

/** A push has no topic or deliveries; the API's list has both. */
export const BellNotificationSchema = NotificationSchema.partial({ topic: true, deliveries: true });
export type BellNotification = z.infer<typeof BellNotificationSchema>;

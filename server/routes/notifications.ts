import { z } from '@hono/zod-openapi';
import { IANAZone } from 'luxon';
import type { Sql } from '../../db/client.js';
import { countUnread, listNotifications, markNotificationsRead } from '../../db/notifications.js';
import { actorOf } from '../../hub/context.js';
import { createNotificationPreferences } from '../../hub/notification-preferences.js';
import {
  NOTIFICATION_CHANNELS,
  NOTIFICATION_TOPIC_KEYS,
  NOTIFICATION_TOPICS,
  topicOf,
} from '../../workflows/notification-policy.js';
import { ROLES } from '../../workflows/process-spec.js';
import { DELIVERY_STATUSES, NotificationSchema } from '../../contracts/notifications.js';
import { createRouter, hubRoute, jsonBody, jsonResponse } from './openapi.js';

const DeliverySchema = z
  .object({
    channel: z.enum(NOTIFICATION_CHANNELS),
    status: z.enum(DELIVERY_STATUSES),
    address: z.string().nullable(),
    message_id: z.string().nullable(),
    detail: z
      .string()
      .nullable()
      .openapi({ description: "Slack: the message. E-mail: the server's answer, or why it failed or was skipped" }),
    attempts: z.number(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('NotificationDelivery');

const channels = z
  .array(z.enum(NOTIFICATION_CHANNELS))
  .max(2)
  .refine((list) => new Set(list).size === list.length, 'each channel once');
const clock = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'expected a time such as 22:00');

const ProfileSchema = z.object({
  time_zone: z.string(),
  quiet_hours: z.object({ start: z.string(), end: z.string() }).nullable(),
  digest: z.boolean(),
  language: z.enum(['en', 'fr']),
});

const PreferencesSchema = z
  .object({
    profile: ProfileSchema,
    topics: z.array(
      z.object({
        topic: z.enum(NOTIFICATION_TOPIC_KEYS),
        channels: z.array(z.enum(NOTIFICATION_CHANNELS)),
        default_channels: z.array(z.enum(NOTIFICATION_CHANNELS)),
        locked: z.boolean(),
        chosen: z.boolean(),
      }),
    ),
  })
  .openapi('NotificationPreferences');

const PreferencesChange = z
  .object({
    time_zone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), 'expected an IANA time zone such as Europe/Paris')
      .optional(),
    quiet_hours: z.object({ start: clock, end: clock }).strict().nullable().optional(),
    digest: z.boolean().optional(),
    language: z.enum(['en', 'fr']).optional(),
    topics: z.partialRecord(z.enum(NOTIFICATION_TOPIC_KEYS), channels).optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one preference' });

const RoleDefaultSchema = z
  .object({
    role: z.enum(ROLES),
    topic: z.enum(NOTIFICATION_TOPIC_KEYS),
    channels,
    locked: z.boolean(),
  })
  .strict()
  .openapi('NotificationRoleDefault');

export function notificationRoutes(sql: Sql) {
  const preferences = createNotificationPreferences(sql);
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/notifications',
        tags: ['Notifications'],
        summary: "The caller's notifications, newest first, with where each went",
        request: {
          query: z.object({
            unread: z
              .enum(['true', 'false'])
              .optional()
              .transform((v) => v === 'true'),
            topic: z
              .enum(NOTIFICATION_TOPIC_KEYS)
              .optional()
              .openapi({ description: 'Only this kind of notification (a topic of the preferences)' }),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            before: z.coerce
              .number()
              .int()
              .min(1)
              .optional()
              .openapi({ description: 'Only notifications with a smaller id (paging)' }),
          }),
        },
        responses: {
          200: jsonResponse(
            z.object({ notifications: z.array(NotificationSchema), unread_count: z.number() }),
            'Notifications',
          ),
        },
      }),
      async (c) => {
        const { unread, limit, before, topic } = c.req.valid('query');
        const userId = c.get('user').id;
        const rows = await listNotifications(sql, userId, {
          unreadOnly: unread,
          limit,
          before,
          kinds: topic ? NOTIFICATION_TOPICS[topic].kinds : undefined,
        });
        const notifications = rows.map((n) => ({
          ...n,
          topic: topicOf(n.kind),
          deliveries: (n.deliveries as { updated_at: string }[]).map((d) => ({
            ...d,
            updated_at: new Date(d.updated_at).toISOString(),
          })),
        }));
        return c.json(
          {
            notifications: notifications as unknown as z.infer<typeof NotificationSchema>[],
            unread_count: await countUnread(sql, userId),
          },
          200,
        );
      },
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/notifications/read',
        tags: ['Notifications'],
        summary: 'Mark notifications read: the given ids, or all',
        request: {
          body: jsonBody(
            z.union([
              z.object({ ids: z.array(z.number().int().positive()).min(1).max(500) }).strict(),
              z.object({ all: z.literal(true) }).strict(),
            ]),
          ),
        },
        responses: {
          200: jsonResponse(z.object({ marked: z.number(), unread_count: z.number() }), 'How many were marked'),
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const userId = c.get('user').id;
        const marked = await markNotificationsRead(sql, userId, 'all' in body ? 'all' : body.ids);
        return c.json({ marked, unread_count: await countUnread(sql, userId) }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/notifications/{id}/deliveries',
        tags: ['Notifications'],
        summary: 'Where one notification went and whether it arrived (its person, or an administrator)',
        request: { params: z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }) },
        responses: {
          200: jsonResponse(z.object({ deliveries: z.array(DeliverySchema) }), 'Deliveries'),
        },
      }),
      async (c) => c.json({ deliveries: await preferences.deliveries(actorOf(c), c.req.valid('param').id) }, 200),
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/notifications/preferences',
        tags: ['Notifications'],
        summary: "The caller's channels per topic, quiet hours, digest and language",
        responses: { 200: jsonResponse(PreferencesSchema, 'Preferences') },
      }),
      async (c) => c.json(await preferences.describe(actorOf(c)), 200),
    )
    .openapi(
      hubRoute({
        method: 'patch',
        path: '/notifications/preferences',
        tags: ['Notifications'],
        summary: 'Change preferences (audited); a topic the firm locked is refused',
        request: { body: jsonBody(PreferencesChange) },
        responses: { 200: jsonResponse(PreferencesSchema, 'Preferences now') },
      }),
      async (c) => c.json(await preferences.update(actorOf(c), c.req.valid('json')), 200),
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/admin/notification-defaults',
        tags: ['Administration'],
        summary: "The firm's notification defaults per role and topic, and which are locked",
        responses: {
          200: jsonResponse(z.object({ defaults: z.array(RoleDefaultSchema) }), 'Defaults'),
        },
      }),
      async (c) => c.json({ defaults: await preferences.listDefaults(actorOf(c)) }, 200),
    )
    .openapi(
      hubRoute({
        method: 'put',
        path: '/admin/notification-defaults',
        tags: ['Administration'],
        summary: 'Set defaults for roles and topics (audited); breach alerts stay locked on for managers',
        request: { body: jsonBody(z.object({ defaults: z.array(RoleDefaultSchema).min(1).max(100) }).strict()) },
        responses: {
          200: jsonResponse(z.object({ defaults: z.array(RoleDefaultSchema) }), 'Defaults now'),
        },
      }),
      async (c) =>
        c.json({ defaults: await preferences.updateDefaults(actorOf(c), c.req.valid('json').defaults) }, 200),
    );
}

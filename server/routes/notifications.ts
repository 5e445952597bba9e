import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { countUnread, listNotifications, markNotificationsRead } from '../../db/notifications.js';
import { createRouter, hubRoute, jsonBody, jsonResponse } from './openapi.js';

const NotificationSchema = z
  .object({
    id: z.number(),
    kind: z.string(),
    title: z.string(),
    body: z.string(),
    process_type: z.string().nullable(),
    process_id: z.string().nullable(),
    created_at: z.string(),
    read_at: z.string().nullable(),
  })
  .openapi('Notification');

export function notificationRoutes(sql: Sql) {
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/notifications',
        tags: ['Notifications'],
        summary: "The caller's notifications, newest first",
        request: {
          query: z.object({
            unread: z
              .enum(['true', 'false'])
              .optional()
              .transform((v) => v === 'true'),
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
        const { unread, limit, before } = c.req.valid('query');
        const userId = c.get('user').id;
        const notifications = await listNotifications(sql, userId, { unreadOnly: unread, limit, before });
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
    );
}

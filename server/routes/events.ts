import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { listEvents } from '../../db/events.js';
import { accountOpeningSpec } from '../../workflows/account-opening/spec.js';
import { visibilityFilter } from '../../workflows/policy.js';
import { actorFor } from '../../hub/context.js';
import { createRouter, hubRoute, jsonResponse } from './openapi.js';

const EventSchema = z
  .object({
    sequence: z.number(),
    type: z.string().openapi({ example: 'account.submitted' }),
    process_type: z.string().nullable(),
    process_id: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .openapi('Event');

export function eventRoutes(sql: Sql) {
  return createRouter().openapi(
    hubRoute({
      method: 'get',
      path: '/events',
      tags: ['Events'],
      summary: 'Events in commit order after a sequence number, only of processes the caller may see',
      request: {
        query: z.object({
          after: z.coerce
            .number()
            .int()
            .min(0)
            .default(0)
            .openapi({ description: 'Return events with a larger sequence' }),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({ events: z.array(EventSchema), last_sequence: z.number() }),
          'Oldest first; pass last_sequence as `after` for the next page',
        ),
      },
    }),
    async (c) => {
      const { after, limit } = c.req.valid('query');
      const visibility = visibilityFilter(accountOpeningSpec, actorFor(c.get('user'), c.get('channel')));
      const events = await listEvents(sql, { after, limit, visibility });
      return c.json(
        { events: events as z.infer<typeof EventSchema>[], last_sequence: events.at(-1)?.sequence ?? after },
        200,
      );
    },
  );
}

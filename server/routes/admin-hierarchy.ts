import { z } from '@hono/zod-openapi';
import { IANAZone } from 'luxon';
import type { Sql } from '../../db/client.js';
import { createAdminHierarchy } from '../../hub/admin-hierarchy.js';
import { actorOf } from '../../hub/context.js';
import { CONFLICT_RESPONSE, createRouter, hubRoute, IdParams, jsonBody, jsonResponse } from './openapi.js';

const id = z.string().trim().min(1).max(100);

const OfficeSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    time_zone: z.string(),
    calendar_id: z.string().nullable(),
    manager_id: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Office');

const TeamSchema = z
  .object({
    id: z.string(),
    office_id: z.string(),
    name: z.string(),
    manager_id: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Team');

const OfficeFields = z
  .object({
    name: z.string().trim().min(1).max(200),
    time_zone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), 'expected an IANA time zone such as Europe/London')
      .openapi({ example: 'Europe/London' }),
    calendar_id: id.nullable().openapi({ description: "The business calendar the office's SLAs run on" }),
    manager_id: id.nullable().openapi({ description: 'The office manager: escalations to office_manager reach them' }),
  })
  .strict();

const TeamFields = z
  .object({
    office_id: id,
    name: z.string().trim().min(1).max(200),
    manager_id: id.nullable().openapi({ description: 'The team manager: escalations to team_manager reach them' }),
  })
  .strict();

const UserPlace = z
  .object({
    team_id: id.nullable().default(null),
    office_id: id.nullable().default(null),
  })
  .strict()
  .refine((p) => p.team_id === null || p.office_id === null, {
    message: 'give team_id or office_id, not both (a team is in its office already)',
    path: ['office_id'],
  });

export function adminHierarchyRoutes(sql: Sql) {
  const hierarchy = createAdminHierarchy({ sql });
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/hierarchy',
        tags: ['Administration'],
        summary: "The firm's offices and their teams (any member of staff)",
        responses: {
          200: jsonResponse(z.object({ offices: z.array(OfficeSchema), teams: z.array(TeamSchema) }), 'By name'),
        },
      }),
      async (c) => c.json(await hierarchy.overview(actorOf(c)), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/admin/offices',
        tags: ['Administration'],
        summary: 'Open an office: its time zone, business calendar and manager',
        request: { body: jsonBody(OfficeFields.partial({ calendar_id: true, manager_id: true })) },
        responses: { 201: jsonResponse(OfficeSchema, 'Created'), 409: CONFLICT_RESPONSE },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const fields = { calendar_id: null, manager_id: null, ...body };
        return c.json(await hierarchy.createOffice(actorOf(c), fields), 201);
      },
    )
    .openapi(
      hubRoute({
        method: 'patch',
        path: '/admin/offices/{id}',
        tags: ['Administration'],
        summary: 'Edit an office; a new manager receives the escalations that fire from now on',
        request: { params: IdParams, body: jsonBody(OfficeFields.partial().strict()) },
        responses: { 200: jsonResponse(OfficeSchema, 'Changed'), 409: CONFLICT_RESPONSE },
      }),
      async (c) => c.json(await hierarchy.updateOffice(actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/admin/teams',
        tags: ['Administration'],
        summary: 'Form a team in an office',
        request: { body: jsonBody(TeamFields.partial({ manager_id: true })) },
        responses: { 201: jsonResponse(TeamSchema, 'Created'), 409: CONFLICT_RESPONSE },
      }),
      async (c) => c.json(await hierarchy.createTeam(actorOf(c), { manager_id: null, ...c.req.valid('json') }), 201),
    )
    .openapi(
      hubRoute({
        method: 'patch',
        path: '/admin/teams/{id}',
        tags: ['Administration'],
        summary: 'Edit a team: rename it, name its manager, or move it (and its processes) to another office',
        request: { params: IdParams, body: jsonBody(TeamFields.partial().strict()) },
        responses: { 200: jsonResponse(TeamSchema, 'Changed'), 409: CONFLICT_RESPONSE },
      }),
      async (c) => c.json(await hierarchy.updateTeam(actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      hubRoute({
        method: 'put',
        path: '/admin/users/{id}/place',
        tags: ['Administration'],
        summary:
          "Place a member of staff in a team, an office, or the whole firm (both null): their role's scope, at once",
        request: { params: IdParams, body: jsonBody(UserPlace) },
        responses: {
          200: jsonResponse(
            z.object({ user_id: z.string(), team_id: z.string().nullable(), office_id: z.string().nullable() }),
            'Placed',
          ),
        },
      }),
      async (c) => c.json(await hierarchy.placeUser(actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      hubRoute({
        method: 'put',
        path: '/admin/clients/{id}/team',
        tags: ['Administration'],
        summary: "Move a client to a team (null: none); their processes follow, with the office's calendar",
        request: { params: IdParams, body: jsonBody(z.object({ team_id: id.nullable() }).strict()) },
        responses: {
          200: jsonResponse(
            z.object({ client_id: z.string(), team_id: z.string().nullable(), moved_processes: z.array(z.string()) }),
            'Moved',
          ),
        },
      }),
      async (c) =>
        c.json(await hierarchy.placeClient(actorOf(c), c.req.valid('param').id, c.req.valid('json').team_id), 200),
    );
}

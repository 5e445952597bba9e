import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import { createAdminUsers, type EndUserSessions } from '../../hub/admin-users.js';
import type { HubConfig } from '../../runtime/config.js';
import { ROLES } from '../../workflows/process-spec.js';
import { actorOf } from '../../hub/context.js';
import { baseUrlOf } from './admin-sign-in.js';
import {
  CONFLICT_RESPONSE,
  createRouter,
  hubRoute,
  IdParams,
  jsonBody,
  jsonResponse,
  listResponse,
} from './openapi.js';

const StaffSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    active: z.boolean(),
    has_password: z.boolean(),
    second_factor: z.boolean(),
    single_sign_on: z.boolean(),
    created_at: z.string(),
    deactivated_at: z.string().nullable(),
  })
  .openapi('StaffUser');

const AssignmentsSchema = z
  .object({
    processes: z.array(
      z.object({
        process_id: z.string(),
        process_type: z.string(),
        title: z.string(),
        status: z.string(),
        relation: z.string(),
      }),
    ),
    clients: z.array(z.object({ id: z.string(), name: z.string() })),
  })
  .openapi('OpenAssignments', { description: 'What the user leaves open: reassign these' });

const LinkSchema = z.object({ link: z.string(), expires_at: z.string() });
const name = z.string().trim().min(1).max(200);
const email = z.string().trim().toLowerCase().pipe(z.email('expected an e-mail address')).pipe(z.string().max(200));

/** Staff administration: invitations, roles, deactivation. Administrators only. */
export function adminUserRoutes(sql: Sql, config: HubConfig, endUserSessions: EndUserSessions) {
  const users = createAdminUsers({ sql, endUserSessions });
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/admin/users',
        tags: ['Administration'],
        summary: 'Staff and client logins, searchable by name or e-mail',
        request: {
          query: z.object({
            q: z.string().trim().max(200).optional(),
            role: z.enum(ROLES).optional(),
            active: z.enum(['true', 'false']).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(200),
          }),
        },
        responses: {
          200: listResponse('users', StaffSchema, 'Users by name'),
        },
      }),
      async (c) => {
        const { active, ...query } = c.req.valid('query');
        const filter = { ...query, ...(active ? { active: active === 'true' } : {}) };
        return c.json({ users: await users.list(actorOf(c), filter) }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/admin/users',
        tags: ['Administration'],
        summary: 'Invite a user with a role; answers the one-time set-password link (valid 72 hours) to send them',
        request: { body: jsonBody(z.object({ email, name, role: z.enum(ROLES) }).strict()) },
        responses: {
          201: jsonResponse(LinkSchema.extend({ user: StaffSchema }), 'Invited'),
          409: CONFLICT_RESPONSE,
        },
      }),
      async (c) => c.json(await users.invite(actorOf(c), c.req.valid('json'), baseUrlOf(config, c)), 201),
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/admin/users/{id}',
        tags: ['Administration'],
        summary: 'One user, with the open processes and clients assigned to them',
        request: { params: IdParams },
        responses: {
          200: jsonResponse(StaffSchema.extend({ open_assignments: AssignmentsSchema }), 'The user'),
        },
      }),
      async (c) => c.json(await users.get(actorOf(c), c.req.valid('param').id), 200),
    )
    .openapi(
      hubRoute({
        method: 'patch',
        path: '/admin/users/{id}',
        tags: ['Administration'],
        summary: 'Rename a user or change their role (effective on their next request)',
        request: {
          params: IdParams,
          body: jsonBody(
            z
              .object({ name: name.optional(), role: z.enum(ROLES).optional() })
              .strict()
              .refine((b) => b.name !== undefined || b.role !== undefined, {
                message: 'give name or role',
                path: ['role'],
              }),
          ),
        },
        responses: { 200: jsonResponse(StaffSchema, 'Changed'), 409: CONFLICT_RESPONSE },
      }),
      async (c) => c.json(await users.update(actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/admin/users/{id}/deactivate',
        tags: ['Administration'],
        summary: 'Deactivate: every session and live connection of the user ends at once; lists what to reassign',
        request: { params: IdParams },
        responses: {
          200: jsonResponse(z.object({ user: StaffSchema, open_assignments: AssignmentsSchema }), 'Deactivated'),
          409: CONFLICT_RESPONSE,
        },
      }),
      async (c) => c.json(await users.deactivate(actorOf(c), c.req.valid('param').id), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/admin/users/{id}/reactivate',
        tags: ['Administration'],
        summary: 'Reactivate a deactivated user',
        request: { params: IdParams },
        responses: { 200: jsonResponse(StaffSchema, 'Active again') },
      }),
      async (c) => c.json(await users.reactivate(actorOf(c), c.req.valid('param').id), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/admin/users/{id}/password-link',
        tags: ['Administration'],
        summary: 'A new one-time set-password link (72 hours); any earlier link stops working',
        request: { params: IdParams },
        responses: { 200: jsonResponse(LinkSchema, 'The link to send'), 409: CONFLICT_RESPONSE },
      }),
      async (c) => c.json(await users.issueLink(actorOf(c), c.req.valid('param').id, baseUrlOf(config, c)), 200),
    );
}

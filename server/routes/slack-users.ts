import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { GRANTS } from '../../workflows/grants.js';
import { appendAudit } from '../../db/audit.js';
import type { Sql } from '../../db/client.js';
import { deleteLink, listLinks, setAdminLink } from '../../db/slack.js';
import { getUser } from '../../db/users.js';
import { HubError } from '../../workflows/errors.js';
import { roleMayRun } from '../../workflows/policy.js';
import { actorFor, type HubEnv } from '../../hub/context.js';
import { createRouter, hubRoute, jsonBody, jsonResponse, listResponse } from './openapi.js';

const SlackUserLinkSchema = z
  .object({
    slack_user_id: z.string(),
    user_id: z.string(),
    user_name: z.string(),
    user_email: z.string(),
    source: z
      .enum(['admin', 'email'])
      .openapi({ description: 'Linked by an administrator, or found by the same e-mail address in Slack' }),
    updated_by: z.string().nullable(),
    updated_at: z.string(),
  })
  .openapi('SlackUserLink');

const SlackUserParams = z.object({
  slack_user_id: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,30}$/, 'a Slack user id such as U0123ABCD')
    .openapi({ param: { name: 'slack_user_id', in: 'path' }, example: 'U0123ABCD' }),
});

const ACTION = 'manage_slack_users';

/** Admins only; a refusal is audited like any other. */
async function requireAdmin(sql: Sql, c: Context<HubEnv>, details: Record<string, unknown>) {
  const user = c.get('user');
  if (roleMayRun(GRANTS.slack_admin, ACTION, user.role)) return actorFor(user, c.get('channel'));
  const error = new HubError('FORBIDDEN', 'Only administrators link Slack accounts to hub users');
  await appendAudit(sql, {
    process_type: null,
    process_id: null,
    actor: actorFor(user, c.get('channel')),
    action: ACTION,
    outcome: 'refused',
    error_code: error.code,
    details: { message: error.message, ...details },
  });
  error.audited = true;
  throw error;
}

const serialize = (link: Awaited<ReturnType<typeof listLinks>>[number]) => ({
  ...link,
  updated_at: new Date(link.updated_at).toISOString(),
});

/** Which Slack account is which hub user: the bot acts as the linked user, and refuses anyone unlinked. */
export function slackUserRoutes(sql: Sql) {
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/admin/slack-users',
        tags: ['Slack'],
        summary: 'Slack accounts linked to hub users (admins only)',
        responses: {
          200: listResponse('links', SlackUserLinkSchema, 'The links'),
        },
      }),
      async (c) => {
        await requireAdmin(sql, c, { operation: 'list' });
        return c.json({ links: (await listLinks(sql)).map(serialize) }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'put',
        path: '/admin/slack-users/{slack_user_id}',
        tags: ['Slack'],
        summary: 'Link a Slack account to a hub user (admins only); replaces any link of either',
        request: {
          params: SlackUserParams,
          body: jsonBody(z.object({ user_id: z.string().trim().min(1).max(100) }).strict()),
        },
        responses: { 200: jsonResponse(SlackUserLinkSchema, 'The link') },
      }),
      async (c) => {
        const { slack_user_id } = c.req.valid('param');
        const { user_id } = c.req.valid('json');
        const actor = await requireAdmin(sql, c, { operation: 'link', slack_user_id, user_id });
        const user = await getUser(sql, user_id);
        if (!user) throw new HubError('USER_NOT_FOUND', `No active hub user ${user_id}`);
        await sql.begin(async (tx) => {
          const replaced = await setAdminLink(tx, slack_user_id, user_id, actor.user_id);
          await appendAudit(tx, {
            process_type: null,
            process_id: null,
            actor,
            action: ACTION,
            outcome: 'accepted',
            details: {
              operation: 'link',
              slack_user_id,
              user_id,
              replaced: replaced.map((r) => ({ slack_user_id: r.slack_user_id, user_id: r.user_id, source: r.source })),
            },
          });
        });
        const link = (await listLinks(sql)).find((l) => l.slack_user_id === slack_user_id)!;
        return c.json(serialize(link), 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'delete',
        path: '/admin/slack-users/{slack_user_id}',
        tags: ['Slack'],
        summary: 'Unlink a Slack account (admins only); it can be found again by e-mail',
        request: { params: SlackUserParams },
        responses: {
          200: jsonResponse(z.object({ deleted: z.boolean() }), 'Whether a link existed'),
        },
      }),
      async (c) => {
        const { slack_user_id } = c.req.valid('param');
        const actor = await requireAdmin(sql, c, { operation: 'unlink', slack_user_id });
        const deleted = await sql.begin(async (tx) => {
          const link = await deleteLink(tx, slack_user_id);
          if (link) {
            await appendAudit(tx, {
              process_type: null,
              process_id: null,
              actor,
              action: ACTION,
              outcome: 'accepted',
              details: { operation: 'unlink', slack_user_id, user_id: link.user_id, source: link.source },
            });
          }
          return Boolean(link);
        });
        return c.json({ deleted }, 200);
      },
    );
}

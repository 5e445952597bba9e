import { actorOf } from '../../hub/context.js';
import { z } from '@hono/zod-openapi';
import type { SavedViews } from '../../hub/saved-views.js';
import { commandContext } from './command-routes.js';
import { createRouter, hubRoute, IdParams, jsonBody, jsonResponse } from './openapi.js';

const SLA_FILTERS = ['on_track', 'warning', 'breached', 'paused', 'none'] as const;
const id = z.string().trim().min(1).max(100);

/** The board's filters, as its URL holds them. */
const FiltersSchema = z
  .object({
    advisor: id.optional(),
    client: id.optional(),
    office: id.optional(),
    team: id.optional(),
    state: z.array(id).max(50).optional(),
    sla: z.array(z.enum(SLA_FILTERS)).max(SLA_FILTERS.length).optional(),
    q: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .openapi('BoardFilters');

const name = z.string().trim().min(1).max(100);
const team = z.boolean().openapi({ description: "Offer the view to everyone of the owner's role" });

const SavedViewSchema = z
  .object({
    id: z.string(),
    owner_id: z.string(),
    owner_name: z.string(),
    owner_role: z.string(),
    name: z.string(),
    process_type: z.string(),
    filters: FiltersSchema,
    team_role: z.string().nullable().openapi({ description: 'The role this is the team view of, or null' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('SavedView');

type SavedViewBody = z.infer<typeof SavedViewSchema>;

export function savedViewRoutes(views: SavedViews) {
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/saved-views',
        tags: ['Saved views'],
        summary: "The caller's saved views and their role's team views, by name",
        request: { query: z.object({ process_type: z.string().max(100).optional() }) },
        responses: {
          200: jsonResponse(z.object({ saved_views: z.array(SavedViewSchema) }), 'Saved views'),
        },
      }),
      async (c) => {
        const list = await views.list(actorOf(c), c.req.valid('query').process_type);
        return c.json({ saved_views: list as SavedViewBody[] }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/saved-views',
        tags: ['Saved views'],
        summary: 'Save board filters under a name; its id makes the link that opens it',
        middleware: [commandContext('saved_view', 'save_view')],
        request: {
          body: jsonBody(
            z
              .object({ name, process_type: z.string().trim().min(1).max(100), filters: FiltersSchema, team })
              .partial({ team: true })
              .strict(),
          ),
        },
        responses: { 201: jsonResponse(SavedViewSchema, 'The saved view') },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const view = await views.create(actorOf(c), { ...body, team: body.team ?? false });
        return c.json(view as SavedViewBody, 201);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/saved-views/{id}',
        tags: ['Saved views'],
        summary: 'A saved view, by its link: the board it opens shows only what the caller may see',
        request: { params: IdParams },
        responses: { 200: jsonResponse(SavedViewSchema, 'The saved view') },
      }),
      async (c) => c.json((await views.get(actorOf(c), c.req.valid('param').id)) as SavedViewBody, 200),
    )
    .openapi(
      hubRoute({
        method: 'patch',
        path: '/saved-views/{id}',
        tags: ['Saved views'],
        summary: 'Rename, refilter or share a saved view with the team: its owner or an administrator',
        middleware: [commandContext('saved_view', 'change_saved_view')],
        request: {
          params: IdParams,
          body: jsonBody(
            z
              .object({ name, filters: FiltersSchema, team })
              .partial()
              .strict()
              .refine((body) => Object.keys(body).length > 0, 'name, filters or team is required'),
          ),
        },
        responses: { 200: jsonResponse(SavedViewSchema, 'The saved view as changed') },
      }),
      async (c) => {
        const view = await views.update(actorOf(c), c.req.valid('param').id, c.req.valid('json'));
        return c.json(view as SavedViewBody, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'delete',
        path: '/saved-views/{id}',
        tags: ['Saved views'],
        summary: 'Delete a saved view: its owner or an administrator',
        middleware: [commandContext('saved_view', 'delete_saved_view')],
        request: { params: IdParams },
        responses: { 204: { description: 'Deleted' } },
      }),
      async (c) => {
        await views.remove(actorOf(c), c.req.valid('param').id);
        return c.body(null, 204);
      },
    );
}

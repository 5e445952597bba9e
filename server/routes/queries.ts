import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { actorFor, type HubEnv } from '../../hub/context.js';
import type { QueryThreadService } from '../../hub/query-threads.js';
import { MentionRefSchema, QuerySchema, ReaderQueriesSummarySchema } from '../../contracts/query-threads.js';
import { QUERY_AUDIENCES, QUERY_KINDS } from '../../workflows/query-threads.js';
import { commandContext, IdempotencyHeaders } from './command-routes.js';
import { createRouter, errorContent, hubRoute, IdParams, jsonBody, jsonResponse, listResponse } from './openapi.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const MAX_BODY_CHARS = 10_000;

const QUERY_CONFLICT = errorContent(
  'QUERY_RESOLVED: the query is resolved (reopen it first); QUERY_ALREADY_OPEN: it is open already',
);

const NoteBody = z.object({ note: text(MAX_BODY_CHARS).optional() }).strict();

const actor = (c: Context<HubEnv>) => actorFor(c.get('user'), c.get('channel'));

export function queryRoutes(service: QueryThreadService) {
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/processes/{id}/queries',
        tags: ['Queries'],
        summary: "A process's queries with their threads, the caller's unread counts, and whom the process waits on",
        request: { params: IdParams },
        responses: {
          200: jsonResponse(
            z.object({
              process_id: z.string(),
              process_type: z.string(),
              summary: ReaderQueriesSummarySchema,
              queries: z.array(QuerySchema),
            }),
            'Oldest query first',
          ),
        },
      }),
      async (c) => c.json(await service.list(actor(c), c.req.valid('param').id), 200),
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/processes/{id}/people',
        tags: ['Queries'],
        summary: 'The hub users who may see a process: who a query on it can be assigned to and who can be @mentioned',
        request: {
          params: IdParams,
          query: z.object({
            audience: z
              .enum(QUERY_AUDIENCES)
              .optional()
              .openapi({ description: 'For a thread of this audience (default internal; clients only client_facing)' }),
          }),
        },
        responses: {
          200: jsonResponse(
            z.object({
              people: z.array(MentionRefSchema),
            }),
            'By name',
          ),
        },
      }),
      async (c) =>
        c.json({ people: await service.people(actor(c), c.req.valid('param').id, c.req.valid('query').audience) }, 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/processes/{id}/queries',
        tags: ['Queries'],
        summary:
          'Open a query on a process: anyone who may see the process, to someone who may see it; @handle mentions notify',
        middleware: [commandContext(null, 'open_query')],
        request: {
          params: IdParams,
          headers: IdempotencyHeaders,
          body: jsonBody(
            z
              .object({
                title: text(200).openapi({ example: 'Source of funds' }),
                kind: z.enum(QUERY_KINDS),
                audience: z.enum(QUERY_AUDIENCES).optional().openapi({
                  description:
                    'internal (the default) is for staff only; client_facing lets the client read and reply. A client opens client_facing only',
                }),
                assignee_id: text(100).optional().openapi({
                  description: "Who must answer; a question to the advisor goes to the process's advisor (the default)",
                  example: 'usr_alex_advisor',
                }),
                body: text(MAX_BODY_CHARS).openapi({
                  example: '@alex.advisor can you send the sale contract of the house?',
                }),
              })
              .strict(),
          ),
        },
        responses: { 201: jsonResponse(QuerySchema, 'The new query') },
      }),
      async (c) => {
        const view = await service.open(
          actor(c),
          c.req.valid('param').id,
          c.req.valid('json'),
          c.req.valid('header')['idempotency-key'],
        );
        return c.json(view, 201);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/queries/summary',
        tags: ['Queries'],
        summary:
          "For the board's cards: per visible process with queries, open count, the caller's unread count and whom it waits on",
        request: {
          query: z.object({
            process_ids: z
              .string()
              .max(20_000)
              .optional()
              .transform((v) =>
                v
                  ? v
                      .split(',')
                      .map((s) => s.trim())
                      .filter(Boolean)
                  : undefined,
              )
              .openapi({ description: 'Only these processes (comma-separated)' }),
          }),
        },
        responses: {
          200: listResponse('processes', ReaderQueriesSummarySchema, 'Processes that have queries'),
        },
      }),
      async (c) => c.json({ processes: await service.summaries(actor(c), c.req.valid('query').process_ids) }, 200),
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/queries/{id}',
        tags: ['Queries'],
        summary: 'One query with its thread',
        request: { params: IdParams },
        responses: { 200: jsonResponse(QuerySchema, 'The query') },
      }),
      async (c) => c.json(await service.get(actor(c), c.req.valid('param').id), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/queries/{id}/replies',
        tags: ['Queries'],
        summary: 'Reply to an open query',
        middleware: [commandContext(null, 'reply_query', 'query')],
        request: {
          params: IdParams,
          headers: IdempotencyHeaders,
          body: jsonBody(z.object({ body: text(MAX_BODY_CHARS) }).strict()),
        },
        responses: {
          201: jsonResponse(QuerySchema, 'The query with the reply'),
          409: QUERY_CONFLICT,
        },
      }),
      async (c) => {
        const view = await service.reply(
          actor(c),
          c.req.valid('param').id,
          c.req.valid('json').body,
          c.req.valid('header')['idempotency-key'],
        );
        return c.json(view, 201);
      },
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/queries/{id}/resolve',
        tags: ['Queries'],
        summary: 'Resolve a query, with an optional closing note; a question to the advisor releases the SLA clock',
        middleware: [commandContext(null, 'resolve_query', 'query')],
        request: { params: IdParams, body: jsonBody(NoteBody, false) },
        responses: { 200: jsonResponse(QuerySchema, 'The resolved query'), 409: QUERY_CONFLICT },
      }),
      async (c) => c.json(await service.resolve(actor(c), c.req.valid('param').id, c.req.valid('json')?.note), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/queries/{id}/reopen',
        tags: ['Queries'],
        summary: 'Reopen a resolved query, with an optional note',
        middleware: [commandContext(null, 'reopen_query', 'query')],
        request: { params: IdParams, body: jsonBody(NoteBody, false) },
        responses: { 200: jsonResponse(QuerySchema, 'The reopened query'), 409: QUERY_CONFLICT },
      }),
      async (c) => c.json(await service.reopen(actor(c), c.req.valid('param').id, c.req.valid('json')?.note), 200),
    )
    .openapi(
      hubRoute({
        method: 'post',
        path: '/queries/{id}/read',
        tags: ['Queries'],
        summary: "Mark the caller's reading of a thread up to a sequence (default: all of it)",
        request: {
          params: IdParams,
          body: jsonBody(z.object({ sequence: z.number().int().min(0).optional() }).strict(), false),
        },
        responses: {
          200: jsonResponse(
            z.object({ query_id: z.string(), read_sequence: z.number(), unread: z.number() }),
            'Where the read marker stands',
          ),
        },
      }),
      async (c) =>
        c.json(await service.markRead(actor(c), c.req.valid('param').id, c.req.valid('json')?.sequence), 200),
    );
}

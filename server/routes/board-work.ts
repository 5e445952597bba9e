import { actorOf } from '../../hub/context.js';
import { z } from '@hono/zod-openapi';
import type { Sql } from '../../db/client.js';
import type { AccountOpeningService } from '../../hub/account-opening.js';
import { exportBoardCsv, runForEach } from '../../hub/board-work.js';
import { commandContext, IdempotencyHeaders } from './command-routes.js';
import { createRouter, hubRoute, IdParams, jsonBody, jsonResponse } from './openapi.js';
import { ListQuery } from './processes.js';

const text = (max: number) => z.string().trim().min(1).max(max);

const BulkOutcomeSchema = z
  .object({
    process_id: z.string(),
    ok: z.boolean(),
    status: z.string().optional().openapi({ description: 'The state after the command, when done' }),
    code: z.string().optional().openapi({ description: 'The refusal code, when refused' }),
    message: z.string().optional(),
  })
  .openapi('BulkOutcome');

const BulkReassignBody = z
  .object({
    process_ids: z.array(IdParams.shape.id).min(1).max(200),
    advisor_id: text(100).optional(),
    assigned_officer_id: text(100).optional(),
    reason: text(2000),
  })
  .strict()
  .refine((body) => body.advisor_id || body.assigned_officer_id, {
    message: 'advisor_id or assigned_officer_id is required',
    path: ['advisor_id'],
  });

/** Work on many cards at once: each through the same command path as one, and the filtered board as CSV. */
export function boardWorkRoutes(accountOpening: AccountOpeningService, sql: Sql) {
  return createRouter()
    .openapi(
      hubRoute({
        method: 'post',
        path: '/applications/bulk-reassign',
        tags: ['Board'],
        summary: 'Reassign several applications: each is a reassign command of its own, audited by itself',
        middleware: [commandContext('account_opening', 'bulk_reassign')],
        request: { headers: IdempotencyHeaders, body: jsonBody(BulkReassignBody) },
        responses: {
          200: jsonResponse(
            z.object({ results: z.array(BulkOutcomeSchema), done: z.number(), refused: z.number() }),
            'One outcome per application, in the order given',
          ),
        },
      }),
      async (c) => {
        const { process_ids, ...input } = c.req.valid('json');
        const key = c.req.valid('header')['idempotency-key'];
        const actor = actorOf(c);
        const results = await runForEach(process_ids, (id) =>
          accountOpening.runCommand(actor, id, 'reassign_application', input, key && `${key}:${id}`),
        );
        const done = results.filter((r) => r.ok).length;
        return c.json({ results, done, refused: results.length - done }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/board-export',
        tags: ['Board'],
        summary: "A process type's board as the caller sees it, filtered like GET /processes, as CSV",
        middleware: [commandContext('board', 'export_board')],
        request: {
          query: ListQuery.omit({ limit: true, cursor: true }).extend({ process_type: text(100) }),
        },
        responses: {
          200: { description: 'CSV, a header row first', content: { 'text/csv': { schema: z.string() } } },
        },
      }),
      async (c) => {
        const { process_type, ...filters } = c.req.valid('query');
        const csv = await exportBoardCsv(sql, actorOf(c), process_type, filters);
        const day = new Date().toISOString().slice(0, 10);
        return c.body(csv, 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${process_type}-${day}.csv"`,
        });
      },
    );
}

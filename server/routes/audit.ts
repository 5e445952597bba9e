import { z } from '@hono/zod-openapi';
import type { Context, Next } from 'hono';
import { stream } from 'hono/streaming';
import { appendAudit } from '../../db/audit.js';
import { AUDIT_RETENTION_SETTING, DEFAULT_RETENTION_YEARS, listCheckpoints } from '../../db/audit-checkpoints.js';
import type { Sql } from '../../db/client.js';
import { getSetting, putSetting } from '../../db/settings.js';
import { requireAuditReader, requireRetentionChanger } from '../../hub/audit-access.js';
import { exportAuditTrail } from '../../hub/audit-export.js';
import { verifyAuditTrail } from '../../hub/audit-verification.js';
import { DecisionRecordSchema } from '../../contracts/decision-record.js';
import { getDecisionRecord } from '../../hub/decision-record.js';
import { HubError } from '../../workflows/errors.js';
import { type HubEnv, actorOf } from '../../hub/context.js';
import { createRouter, hubRoute, IdParams, jsonBody, jsonResponse, listResponse } from './openapi.js';

const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((v) => new Date(v).toISOString())
  .openapi({ example: '2026-11-01' });

const ExportQuery = z
  .object({
    from: instant.openapi({ description: 'First instant included (a date means its start, UTC)' }),
    to: instant.openapi({ description: 'First instant no longer included (a date means its start, UTC)' }),
    format: z.enum(['ndjson', 'csv']).default('ndjson'),
    process_id: IdParams.shape.id.optional().openapi({ param: { name: 'process_id', in: 'query' } }),
    user_id: IdParams.shape.id.optional().openapi({ param: { name: 'user_id', in: 'query' } }),
  })
  .strict();

const VerificationSchema = z
  .object({
    ok: z.boolean(),
    rows: z.number().openapi({ description: 'Rows verified before the first problem (all of them when ok)' }),
    head: z.string().optional(),
    checkpoints: z.number(),
    message: z.string().openapi({ example: '1520 rows verified, head 9f2c…' }),
    break: z
      .object({ row_id: z.number(), reason: z.string(), message: z.string(), checkpoint_id: z.number().optional() })
      .optional()
      .openapi({ description: 'The first row that does not match' }),
  })
  .openapi('AuditVerification');

const CheckpointSchema = z
  .object({
    id: z.number(),
    kind: z.enum(['daily', 'retention']),
    period: z.string().nullable(),
    at: z.string(),
    head_id: z.number(),
    head_hash: z.string(),
    row_count: z.number(),
    details: z.record(z.string(), z.unknown()),
    signature: z.string(),
  })
  .openapi('AuditCheckpoint');

const RetentionSchema = z
  .object({ years: z.number().int().min(1).max(100) })
  .strict()
  .openapi('AuditRetention');

/** Names the action a request is, so the one onError audits a refusal of it. */
const auditing = (action: string | ((method: string) => string)) => async (c: Context<HubEnv>, next: Next) => {
  const named = typeof action === 'string' ? action : action(c.req.method);
  c.set('command', { process_type: 'audit', process_id: c.req.param('id') ?? null, action: named });
  await next();
};

/** The trail for auditors: verification, checkpoints, exports, retention, and each process's decision record. */
export function auditRoutes(sql: Sql, auditKey: string) {
  const router = createRouter();
  router.use('/audit/verify', auditing('verify_audit'));
  router.use('/audit/export', auditing('export_audit'));
  router.use('/audit/checkpoints', auditing('list_audit_checkpoints'));
  router.use(
    '/audit/retention',
    auditing((method) => (method === 'PUT' ? 'update_audit_retention' : 'read_audit_retention')),
  );
  router.use('/processes/:id/decision-record', auditing('view_decision_record'));
  return router
    .openapi(
      hubRoute({
        method: 'get',
        path: '/audit/verify',
        tags: ['Audit'],
        summary: 'Administrators and compliance officers: walk the hash chain and the signed checkpoints',
        responses: {
          200: jsonResponse(VerificationSchema, '"N rows verified, head <hash>", or the first row that does not match'),
        },
      }),
      async (c) => {
        const actor = actorOf(c);
        requireAuditReader(actor, 'verify the audit trail');
        const report = await verifyAuditTrail(sql, auditKey);
        await appendAudit(sql, {
          process_type: 'audit',
          process_id: null,
          actor,
          action: 'verify_audit',
          outcome: 'accepted',
          details: { ok: report.ok, rows: report.rows, message: report.message },
        });
        return c.json(report, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/audit/checkpoints',
        tags: ['Audit'],
        summary:
          'Administrators and compliance officers: the signed checkpoints of the chain head, and of what retention removed',
        responses: {
          200: listResponse('checkpoints', CheckpointSchema, 'Oldest first'),
        },
      }),
      async (c) => {
        requireAuditReader(actorOf(c), 'read the audit checkpoints');
        return c.json({ checkpoints: await listCheckpoints(sql) }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/audit/export',
        tags: ['Audit'],
        summary: 'Administrators and compliance officers: the trail of a period, streamed, with its chain hashes',
        description:
          'NDJSON: a header line, one row per line, an end line with the count; CSV: one row per line, details as RFC 8785 JSON. ' +
          'Optionally only one process (process_id) or one user (user_id). Check an NDJSON export with `npm run audit:verify -- --file`.',
        request: { query: ExportQuery },
        responses: {
          200: {
            description: 'The rows, oldest first',
            content: { 'application/x-ndjson': { schema: z.string() }, 'text/csv': { schema: z.string() } },
          },
        },
      }),
      async (c) => {
        const query = c.req.valid('query');
        if (query.process_id && query.user_id) {
          throw new HubError('VALIDATION_FAILED', 'user_id: give process_id or user_id, not both', {
            field: 'user_id',
          });
        }
        if (query.from >= query.to) throw new HubError('VALIDATION_FAILED', 'to: must be after from', { field: 'to' });
        const chunks = await exportAuditTrail(sql, actorOf(c), query);
        const stamp = `${query.from.slice(0, 10)}_${query.to.slice(0, 10)}`;
        c.header(
          'content-type',
          query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        );
        c.header('content-disposition', `attachment; filename="audit-${stamp}.${query.format}"`);
        return stream(c, async (out) => {
          for await (const chunk of chunks) await out.write(chunk);
        }) as never;
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/audit/retention',
        tags: ['Audit'],
        summary: 'Administrators and compliance officers: how many years the trail is kept',
        responses: { 200: jsonResponse(RetentionSchema, 'The retention period') },
      }),
      async (c) => {
        requireAuditReader(actorOf(c), 'read the retention period');
        return c.json({ years: await getSetting(sql, AUDIT_RETENTION_SETTING, DEFAULT_RETENTION_YEARS) }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'put',
        path: '/audit/retention',
        tags: ['Audit'],
        summary: 'Administrators: how many years the trail is kept (6 by default); older rows are removed daily',
        request: { body: jsonBody(RetentionSchema) },
        responses: { 200: jsonResponse(RetentionSchema, 'The retention period now') },
      }),
      async (c) => {
        const actor = actorOf(c);
        requireRetentionChanger(actor);
        const { years } = c.req.valid('json');
        await putSetting(sql, AUDIT_RETENTION_SETTING, years, actor);
        return c.json({ years }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/processes/{id}/decision-record',
        tags: ['Audit'],
        summary:
          'Every approval and rejection of a process with what its decider had in front of them (firm staff only)',
        description:
          'Who decided, through which channel, the version of the record they decided on (and the version the Slack message showed), ' +
          'the notes and compliance notes at that moment, the SLA clock then (elapsed, breached or not) and the four-eyes chain.',
        request: { params: IdParams },
        responses: { 200: jsonResponse(DecisionRecordSchema, 'Decisions oldest first') },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        return c.json(await getDecisionRecord(sql, actorOf(c), id), 200);
      },
    );
}

import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { listAudit } from '../../db/audit.js';
import type { Sql } from '../../db/client.js';
import { listEvents } from '../../db/events.js';
import type { Actor } from '../../workflows/process-records.js';
import type { ProcessSpec } from '../../workflows/process-spec.js';
import { commandErrorCodes } from '../../workflows/errors.js';
import { type CommandContext, type HubEnv, actorOf } from '../../hub/context.js';
import { AuditEntrySchema, ProcessEventSchema } from '../../contracts/records.js';
import { hubRoute, IdParams, jsonBody, jsonResponse } from './openapi.js';

export const IdempotencyHeaders = z.object({ 'idempotency-key': z.string().min(1).max(200).optional() });

/** Marks a request as a command, so a refusal before its service sees it (a malformed body) is audited too. */
export const commandContext = (
  processType: string | null,
  action: string,
  idOf: IdOf = 'process',
): MiddlewareHandler<HubEnv> =>
  Object.assign(
    async (c: Context<HubEnv>, next: () => Promise<void>) => {
      c.set('command', commandOf(processType, action, idOf, c.req.param('id')));
      await next();
    },
    { [COMMAND]: { processType, action, idOf } },
  );

/** What the `{id}` of a command's path names: its process, or the query thread it is a step on. */
type IdOf = 'process' | 'query';

function commandOf(processType: string | null, action: string, idOf: IdOf, id: string | undefined): CommandContext {
  if (idOf === 'query') return { process_type: processType, process_id: null, action, ...(id ? { query_id: id } : {}) };
  return { process_type: processType, process_id: id ?? null, action };
}

const COMMAND = Symbol('command');

/** A path segment as text PostgreSQL can store: decoded, unless that yields a NUL or is not valid. */
function storableId(segment: string): string {
  try {
    const decoded = decodeURIComponent(segment);
    return decoded.includes('\u0000') ? segment : decoded;
  } catch {
    return segment;
  }
}
type Marked = { [COMMAND]?: { processType: string | null; action: string; idOf: IdOf } };

/**
 * The command a request is routed to, even when something before its route refused it (a NUL in the
 * body, a bad token), so that refusal is audited like any other.
 */
export function routedCommand(c: Context<HubEnv>): CommandContext | undefined {
  for (const route of matchedRoutes(c)) {
    const marked = (route.handler as Marked)[COMMAND];
    if (!marked) continue;
    const at = route.path.split('/').indexOf(':id');
    const raw = at >= 0 ? new URL(c.req.url).pathname.split('/')[at] : undefined;
    return commandOf(marked.processType, marked.action, marked.idOf, raw ? storableId(raw) : undefined);
  }
  return undefined;
}

/** What a command's route says beyond the spec: its summary, and whether it may come without a body. */
export interface CommandRoute {
  summary: string;
  bodyOptional?: true;
}

/** A process type's commands: each one's input schema, its route's words, and the use case that runs it. */
interface CommandTable<C extends string> {
  commands: { readonly [K in C]: { input: z.ZodType } };
  routes: Record<C, CommandRoute>;
  run: (
    actor: Actor,
    processId: string,
    command: C,
    input: object,
    idempotencyKey: string | undefined,
  ) => Promise<object>;
}

/**
 * One POST per command of a process type, all alike: the path from the spec's command table, the body its
 * definitions' input schema, an optional Idempotency-Key, the refusal audited, and the process as the
 * command left it in the answer.
 */
export function addCommandRoutes<C extends string>(
  router: OpenAPIHono<HubEnv>,
  options: CommandTable<C> & { spec: ProcessSpec; tag: string; response: z.ZodType },
): void {
  const { spec } = options;
  for (const command of Object.keys(options.commands) as C[]) {
    const { summary, bodyOptional } = options.routes[command];
    router.openapi(
      hubRoute(
        {
          method: 'post',
          path: `/${spec.resource}/{id}/${spec.commands[command]!.path}`,
          tags: [options.tag],
          summary,
          request: {
            params: IdParams,
            body: jsonBody(options.commands[command].input, !bodyOptional),
            headers: IdempotencyHeaders,
          },
          middleware: [commandContext(spec.processType, command)],
          responses: {
            200: jsonResponse(options.response, `The ${spec.processType.replace(/_/g, ' ')} after the command`),
          },
        },
        commandErrorCodes(spec, command),
      ),
      async (c) => {
        const input = (c.req.valid('json') ?? {}) as object;
        const view = await options.run(
          actorOf(c),
          c.req.valid('param').id,
          command,
          input,
          c.req.valid('header')['idempotency-key'],
        );
        return c.json(view as never, 200);
      },
    );
  }
}

/**
 * A process's trail, alike for every type: GET /api/<resource>/{id}/audit (every command, accepted or refused)
 * and /events (its events in commit order), each for whoever may see the process, a refusal audited.
 */
export function addTrailRoutes(
  router: OpenAPIHono<HubEnv>,
  options: {
    spec: ProcessSpec;
    tag: string;
    sql: Sql;
    summaries: { audit: string; events: string };
    requireVisible: (actor: Actor, processId: string, action: string) => Promise<unknown>;
  },
): void {
  const base = `/${options.spec.resource}/{id}`;
  const route = (trail: 'audit' | 'events', schema: z.ZodType) =>
    hubRoute({
      method: 'get',
      path: `${base}/${trail}`,
      tags: [options.tag],
      summary: options.summaries[trail],
      request: { params: IdParams },
      responses: { 200: jsonResponse(schema, 'Oldest first') },
    });
  router.openapi(route('audit', z.object({ audit: z.array(AuditEntrySchema) })), async (c) => {
    const { id } = c.req.valid('param');
    await options.requireVisible(actorOf(c), id, 'read_audit_trail');
    return c.json({ audit: (await listAudit(options.sql, id)) as unknown as z.infer<typeof AuditEntrySchema>[] }, 200);
  });
  router.openapi(route('events', z.object({ events: z.array(ProcessEventSchema) })), async (c) => {
    const { id } = c.req.valid('param');
    await options.requireVisible(actorOf(c), id, 'read_events');
    const events = await listEvents(options.sql, { after: 0, limit: 10_000, processId: id, visibility: { all: true } });
    return c.json({ events: events as z.infer<typeof ProcessEventSchema>[] }, 200);
  });
}

/**
 * What a process type's resource serves beyond its list, alike for every type: GET /api/<resource>/{id}
 * (the record as the caller may see it), its trail, and one POST per command.
 */
export function addProcessRoutes<C extends string>(
  router: OpenAPIHono<HubEnv>,
  options: CommandTable<C> & {
    spec: ProcessSpec;
    tags: { detail: string; commands: string };
    record: z.ZodType;
    /** What the record is called in the document: `The application`. */
    noun: string;
    sql: Sql;
    summaries: { detail: string; audit: string; events: string };
    get: (actor: Actor, processId: string) => Promise<object>;
    requireVisible: (actor: Actor, processId: string, action: string) => Promise<unknown>;
  },
): void {
  const { spec, tags, summaries } = options;
  router.openapi(
    hubRoute({
      method: 'get',
      path: `/${spec.resource}/{id}`,
      tags: [tags.detail],
      summary: summaries.detail,
      request: { params: IdParams },
      responses: { 200: jsonResponse(options.record, `The ${options.noun}`) },
    }),
    async (c) => c.json((await options.get(actorOf(c), c.req.valid('param').id)) as never, 200),
  );
  addTrailRoutes(router, {
    spec,
    tag: tags.detail,
    sql: options.sql,
    summaries,
    requireVisible: options.requireVisible,
  });
  addCommandRoutes(router, { ...options, tag: tags.commands, response: options.record });
}

import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { listAudit } from '../../db/audit.js';
import { getCard, listCards, type TypeVisibility } from '../../db/board.js';
import type { Sql } from '../../db/client.js';
import { getProcess } from '../../db/processes.js';
import { userNames } from '../../db/users.js';
import { HubError } from '../../workflows/errors.js';
import { maySee, roleMayRun, visibilityFilter } from '../../workflows/policy.js';
import type { ProcessSpec } from '../../workflows/process-spec.js';
import { PROCESS_SPECS, specFor } from '../../workflows/specs.js';
import { actorFor, type HubEnv } from '../../hub/context.js';
import { AuditEntrySchema, BoardCardSchema } from '../../contracts/records.js';
import { hubRoute, listResponse, pageResponse } from './openapi.js';
import { nextCursor, pageAfter } from './keyset-cursor.js';
import { createRouter, IdParams, jsonResponse } from './openapi.js';
import { endpointsFor } from './process-endpoints.js';

const SLA_STATUSES = ['on_track', 'warning', 'breached', 'paused', 'none'] as const;

const ProcessTypeSchema = z
  .object({
    process_type: z.string(),
    title: z.string(),
    stages: z
      .array(z.object({ name: z.string(), states: z.array(z.string()) }))
      .openapi({ description: 'The board groups its columns by stage' }),
    states: z.array(
      z.object({
        id: z.string(),
        label: z.string(),
        stage: z.string(),
        initial: z.boolean(),
        terminal: z.boolean(),
        sla: z.string().nullable().openapi({ description: 'The SLA on this state, in words' }),
      }),
    ),
    commands: z
      .array(
        z.object({
          command: z.string(),
          label: z.string(),
          from: z.array(z.string()),
          path: z.string(),
          input: z.object({ field: z.string(), label: z.string(), required: z.boolean() }).nullable(),
        }),
      )
      .openapi({
        description:
          "The board's commands the caller's role may run at all; a process's own allowed_actions narrow them",
      }),
    links: z
      .object({ detail: z.string(), audit: z.string() })
      .openapi({ description: '`{id}` stands for the process id' }),
  })
  .openapi('ProcessType');

export type ProcessTypeDescriptor = z.infer<typeof ProcessTypeSchema>;

const commaList = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .max(2000)
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined,
    )
    .pipe(z.array(item).max(50).optional());

export const ListQuery = z.object({
  process_type: z.string().max(100).optional().openapi({ example: 'account_opening' }),
  status: commaList(z.string().max(100)).openapi({
    description: 'One state or several separated by commas',
    example: 'compliance_review',
  }),
  advisor_id: z.string().max(100).optional(),
  client_id: z.string().max(100).optional(),
  office_id: z.string().max(100).optional().openapi({ description: "Only processes of this office's teams" }),
  team_id: z.string().max(100).optional().openapi({ description: "Only processes of this team's clients" }),
  sla_status: commaList(z.enum(SLA_STATUSES)).openapi({
    description: `Any of ${SLA_STATUSES.join(', ')}, separated by commas`,
    example: 'warning,breached',
  }),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: 'Search in the title, the process id and the client id' }),
  limit: z.coerce.number().int().min(1).max(2000).default(200),
  cursor: z.string().max(300).optional().openapi({ description: 'next_cursor of the previous page' }),
});

/** What the board needs to draw a process type: its stages, states, the caller's commands and its endpoints. */
export function describeProcessType(
  spec: ProcessSpec,
  role: Parameters<typeof roleMayRun>[2],
): z.infer<typeof ProcessTypeSchema> {
  const endpoints = endpointsFor(spec.processType);
  const stages: { name: string; states: string[] }[] = [];
  for (const state of spec.states) {
    const stage =
      stages.find((s) => s.name === state.stage) ?? stages[stages.push({ name: state.stage, states: [] }) - 1];
    stage.states.push(state.id);
  }
  return {
    process_type: spec.processType,
    title: spec.title,
    stages,
    states: spec.states.map((s) => ({
      id: s.id,
      label: s.label,
      stage: s.stage,
      initial: Boolean(s.initial),
      terminal: Boolean(s.terminal),
      sla: spec.slas.find((sla) => sla.state === s.id)?.description ?? null,
    })),
    commands: Object.entries(spec.commands)
      .filter(([name, command]) => command.board && endpoints.commands[name] && roleMayRun(spec, name, role))
      .map(([name, command]) => ({
        command: name,
        label: command.label,
        from: [...command.from],
        path: endpoints.commands[name].path,
        input: endpoints.commands[name].input ?? null,
      })),
    links: { detail: endpoints.detail, audit: endpoints.audit },
  };
}

/** Ids of people a record names: fields such as advisor_id, assigned_officer_id, opened_by, decided_by. */
const personIdsOf = (record: Record<string, unknown>) =>
  Object.entries(record)
    .filter(([key, value]) => /(_id|_by)$/.test(key) && typeof value === 'string')
    .map(([, value]) => value as string);

const principal = (c: Context<HubEnv>) => actorFor(c.get('user'), c.get('channel'));

/** The process types this person may see at all, each with the policy's visibility. */
export function visibleTypes(c: Context<HubEnv>): (TypeVisibility & { spec: ProcessSpec })[] {
  return PROCESS_SPECS.map((spec) => ({
    spec,
    process_type: spec.processType,
    visibility: visibilityFilter(spec, principal(c)),
  })).filter((t) => !('none' in t.visibility));
}

/** Resolves a process type named by the caller, refusing one that does not exist or that they may not see. */
export function visibleType(c: Context<HubEnv>, processType: string) {
  if (!specFor(processType))
    throw new HubError('VALIDATION_FAILED', `process_type: no process type ${processType}`, { field: 'process_type' });
  const type = visibleTypes(c).find((t) => t.process_type === processType);
  if (!type) throw new HubError('FORBIDDEN', `You may not see ${specFor(processType)!.title.toLowerCase()} processes`);
  return type;
}

async function requireVisibleProcess(c: Context<HubEnv>, sql: Sql, id: string) {
  const row = await getProcess(sql, id);
  const spec = row && specFor(row.process_type);
  if (!row || !spec) throw new HubError('NOT_FOUND', `No process ${id}`);
  if (!maySee(spec, principal(c), row)) throw new HubError('FORBIDDEN', 'You may not view this process');
  return row;
}

export function processRoutes(sql: Sql) {
  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/process-types',
        tags: ['Processes'],
        summary: 'The process types the caller may see, with the stages and states the board draws as columns',
        responses: {
          200: listResponse('process_types', ProcessTypeSchema, 'In registry order'),
        },
      }),
      (c) =>
        c.json({ process_types: visibleTypes(c).map((t) => describeProcessType(t.spec, c.get('user').role)) }, 200),
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/processes',
        tags: ['Processes'],
        summary: 'Processes of any type as board cards, only those the caller may see, newest change first',
        request: { query: ListQuery },
        responses: { 200: pageResponse('processes', BoardCardSchema, 'A page of cards') },
      }),
      async (c) => {
        const { process_type, limit, cursor, ...filters } = c.req.valid('query');
        const types = process_type ? [visibleType(c, process_type)] : visibleTypes(c);
        const known = new Set(types.flatMap((t) => t.spec.states.map((s) => s.id)));
        const unknown = filters.status?.find((s) => !known.has(s));
        if (unknown)
          throw new HubError(
            'VALIDATION_FAILED',
            `status: ${unknown} is not a state of ${process_type ?? 'any process type you may see'}`,
            { field: 'status' },
          );
        const processes = await listCards(sql, types, { ...filters, limit, before: pageAfter(cursor) });
        return c.json({ processes, next_cursor: nextCursor(processes, limit, (last) => last) }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/processes/{id}',
        tags: ['Processes'],
        summary: 'One process of any type: its card and its full record',
        request: { params: IdParams },
        responses: {
          200: jsonResponse(
            z.object({
              card: BoardCardSchema,
              detail: z.record(z.string(), z.unknown()),
              people: z
                .record(z.string(), z.string())
                .openapi({ description: 'The names of the people the record names by id (advisor, officer…)' }),
            }),
            'The process',
          ),
        },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const { detail } = await requireVisibleProcess(c, sql, id);
        const card = (await getCard(sql, id))!;
        const people = await userNames(sql, personIdsOf(detail));
        return c.json({ card, detail, people }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/processes/{id}/audit',
        tags: ['Processes'],
        summary: 'The audit trail of a process of any type: every command, accepted or refused',
        request: { params: IdParams },
        responses: {
          200: listResponse('audit', AuditEntrySchema, 'Oldest first'),
        },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        await requireVisibleProcess(c, sql, id);
        return c.json({ audit: (await listAudit(sql, id)) as unknown as z.infer<typeof AuditEntrySchema>[] }, 200);
      },
    );
}

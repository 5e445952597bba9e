import { z } from '@hono/zod-openapi';
import { appendAudit } from '../../db/audit.js';
import type { Sql } from '../../db/client.js';
import { visibilityCondition } from '../../db/processes.js';
import {
  FIRM_CALENDAR_ID,
  getCalendar,
  getPolicy,
  listCalendars,
  listPolicies,
  processWithClockOn,
  upsertCalendar,
  upsertPolicy,
} from '../../db/sla.js';
import { officeOnCalendar } from '../../db/hierarchy.js';
import { getUser } from '../../db/users.js';
import { expandHolidays, listSupportedRegions } from '../../db/holidays.js';
import { HubError } from '../../workflows/errors.js';
import { mayManageSettings, visibilityFilter } from '../../workflows/policy.js';
import type { Actor } from '../../workflows/process-records.js';
import { ROLES } from '../../workflows/process-spec.js';
import { validateCalendar, WEEKDAYS } from '../../workflows/sla/business-calendar.js';
import { POSITIONS, validatePolicy } from '../../workflows/sla/sla-schedule.js';
import { PROCESS_SPECS, specFor } from '../../workflows/specs.js';
import { actorOf } from '../../hub/context.js';
import { forgetCalendar } from '../../hub/sla.js';
import {
  CONFLICT_RESPONSE,
  createRouter,
  hubRoute,
  IdParams,
  jsonBody,
  jsonResponse,
  listResponse,
} from './openapi.js';

/** Names a rung may notify besides `role:<role>` and `user:<id>`: people the process itself knows. */
/** People a rung may name: the process's own, and positions in its client's team and office when the rung fires. */
const NAMED_RECIPIENTS = ['assignee', 'assigned_officer', 'advisor', 'client', ...POSITIONS] as const;

const RungSchema = z
  .object({
    kind: z.enum(['warning', 'breach', 'escalation']),
    at_percent: z.number().positive().max(1000),
    notify: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(20)
      .openapi({ example: ['assigned_officer', 'role:manager', 'user:usr_helen_head'] }),
  })
  .strict();

const POLICY_FIELDS = {
  process_type: z.string().min(1).max(100),
  state: z.string().min(1).max(100),
  target: z
    .object({
      unit: z.enum(['business_hours', 'business_days', 'wall_clock_hours']),
      amount: z.number().positive().max(10_000),
    })
    .strict(),
  calendar_id: z
    .string()
    .min(1)
    .max(100)
    .nullable()
    .openapi({
      description:
        "null: a business-time target runs on the calendar of the process's office (the firm's without one), " +
        'a wall-clock target on the wall clock',
    }),
  rungs: z.array(RungSchema).min(1).max(10),
  active: z.boolean().default(true),
};
const PolicyBody = z.object(POLICY_FIELDS).strict().openapi('SlaPolicyInput');

/** What the hub stores about a setting besides what was sent. */
const STORED_FIELDS = { id: z.string(), updated_by: z.string().nullable(), updated_at: z.string() };
// Built afresh, not extended: an extended registered schema is documented as the one it extends.
const PolicySchema = z.object({ ...POLICY_FIELDS, active: z.boolean(), ...STORED_FIELDS }).openapi('SlaPolicy');

const HOURS = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const CALENDAR_FIELDS = {
  name: z.string().trim().min(1).max(200),
  time_zone: z.string().min(1).max(100).openapi({ example: 'America/New_York' }),
  working_hours: z.partialRecord(
    z.enum(WEEKDAYS),
    z.array(z.object({ start: z.string().regex(HOURS), end: z.string().regex(HOURS) }).strict()).max(6),
  ),
  holiday_region: z
    .string()
    .min(2)
    .max(20)
    .nullable()
    .openapi({ example: 'US-NY', description: 'A date-holidays region code' }),
  closures: z
    .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/))
    .max(366)
    .default([])
    .openapi({ description: 'One-off closed dates' }),
};
const CalendarBody = z.object(CALENDAR_FIELDS).strict().openapi('BusinessCalendarInput');

const CalendarSchema = z
  .object({ ...CALENDAR_FIELDS, closures: z.array(z.string()), ...STORED_FIELDS })
  .openapi('BusinessCalendar');

const BreachSchema = z
  .object({
    sequence: z.number(),
    type: z.enum(['sla.breached', 'sla.escalated']),
    process_type: z.string(),
    process_id: z.string(),
    title: z.string().nullable(),
    status: z.string().nullable(),
    state: z.string(),
    deadline: z.string(),
    elapsed_ms: z.number(),
    notified: z.array(z.string()),
    at: z.string(),
  })
  .openapi('SlaBreach');

function requireSettings(actor: Actor, access: 'read' | 'write') {
  if (!mayManageSettings(actor, access)) {
    throw new HubError(
      'FORBIDDEN',
      access === 'write' ? 'Only administrators change SLA settings' : 'Your role may not read SLA settings',
    );
  }
}

function toPolicyView(row: Awaited<ReturnType<typeof listPolicies>>[number]): z.infer<typeof PolicySchema> {
  return {
    id: row.id,
    process_type: row.process_type,
    state: row.state,
    target: { unit: row.target_unit, amount: row.target_amount },
    calendar_id: row.calendar_id,
    rungs: row.rungs.map((r) => ({ kind: r.kind, at_percent: r.atPercent, notify: r.notify })),
    active: row.active,
    updated_by: row.updated_by,
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

function toCalendarView(row: Awaited<ReturnType<typeof listCalendars>>[number]): z.infer<typeof CalendarSchema> {
  return { ...row, updated_at: new Date(row.updated_at).toISOString() };
}

export function slaRoutes(sql: Sql) {
  async function checkPolicy(body: z.infer<typeof PolicyBody>) {
    const spec = specFor(body.process_type);
    if (!spec)
      throw new HubError('VALIDATION_FAILED', `process_type: unknown process type ${body.process_type}`, {
        field: 'process_type',
      });
    const state = spec.states.find((s) => s.id === body.state);
    if (!state || state.terminal) {
      throw new HubError('VALIDATION_FAILED', `state: ${body.process_type} has no non-terminal state ${body.state}`, {
        field: 'state',
      });
    }
    if (body.calendar_id && !(await getCalendar(sql, body.calendar_id))) {
      throw new HubError('VALIDATION_FAILED', `calendar_id: no calendar ${body.calendar_id}`, { field: 'calendar_id' });
    }
    const problems = validatePolicy({
      id: 'candidate',
      processType: body.process_type,
      state: body.state,
      target: body.target,
      calendarId: body.calendar_id,
      rungs: body.rungs.map((r) => ({ kind: r.kind, atPercent: r.at_percent, notify: r.notify })),
    });
    if (problems.length) throw new HubError('VALIDATION_FAILED', `rungs: ${problems.join('; ')}`, { field: 'rungs' });
    for (const descriptor of body.rungs.flatMap((r) => r.notify)) {
      const known =
        (NAMED_RECIPIENTS as readonly string[]).includes(descriptor) ||
        (descriptor.startsWith('role:') && (ROLES as readonly string[]).includes(descriptor.slice(5))) ||
        (descriptor.startsWith('user:') && (await getUser(sql, descriptor.slice(5))) !== undefined);
      if (!known) {
        throw new HubError(
          'VALIDATION_FAILED',
          `rungs.notify: ${descriptor} is not role:<role>, user:<active user id> or one of ${NAMED_RECIPIENTS.join(', ')}`,
          {
            field: 'rungs.notify',
          },
        );
      }
    }
  }

  return createRouter()
    .openapi(
      hubRoute({
        method: 'get',
        path: '/sla/breaches',
        tags: ['SLA'],
        summary: 'SLA breaches and escalations since a time, of processes the caller may see',
        request: {
          query: z.object({
            since: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Default: 24 hours ago' }),
          }),
        },
        responses: {
          200: listResponse('breaches', BreachSchema, 'Newest first'),
        },
      }),
      async (c) => {
        const since = c.req.valid('query').since ?? new Date(Date.now() - 24 * 3600_000).toISOString();
        const actor = actorOf(c);
        // A breach is visible where its process is, under the policy of that process's type.
        const perType = await Promise.all(
          PROCESS_SPECS.map(
            (spec) => sql`
              SELECT e.sequence, e.type, e.process_type, e.process_id, e.payload, e.created_at, p.title, p.status
              FROM events e JOIN processes p ON p.process_id = e.process_id
              WHERE e.type IN ('sla.breached', 'sla.escalated') AND e.created_at >= ${since} AND p.process_type = ${spec.processType}
                ${visibilityCondition(sql, visibilityFilter(spec, actor))}
              ORDER BY e.sequence DESC LIMIT 500`,
          ),
        );
        const visible = perType
          .flat()
          .sort((a, b) => (b.sequence as number) - (a.sequence as number))
          .map((row) => {
            const payload = row.payload as Record<string, unknown>;
            return {
              sequence: row.sequence as number,
              type: row.type as 'sla.breached' | 'sla.escalated',
              process_type: row.process_type as string,
              process_id: row.process_id as string,
              title: row.title as string | null,
              status: row.status as string | null,
              state: String(payload.state),
              deadline: String(payload.deadline),
              elapsed_ms: Number(payload.elapsed_ms),
              notified: (payload.notified as string[]) ?? [],
              at: new Date(row.created_at as string).toISOString(),
            };
          });
        return c.json({ breaches: visible }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/sla/policies',
        tags: ['SLA'],
        summary: 'SLA policies per process type and state',
        responses: {
          200: listResponse('policies', PolicySchema, 'Every policy'),
        },
      }),
      async (c) => {
        requireSettings(actorOf(c), 'read');
        return c.json({ policies: (await listPolicies(sql)).map(toPolicyView) }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'put',
        path: '/sla/policies/{id}',
        tags: ['SLA'],
        summary: 'Administrators: create or replace an SLA policy (applies to states entered from now on)',
        request: { params: IdParams, body: jsonBody(PolicyBody) },
        responses: { 200: jsonResponse(PolicySchema, 'The stored policy'), 409: CONFLICT_RESPONSE },
      }),
      async (c) => {
        const actor = actorOf(c);
        requireSettings(actor, 'write');
        const { id } = c.req.valid('param');
        const body = c.req.valid('json');
        await checkPolicy(body);
        const stored = await sql.begin(async (tx) => {
          const [clash] = await tx`
            SELECT id FROM sla_policies WHERE process_type = ${body.process_type} AND state = ${body.state} AND active AND id <> ${id}`;
          if (clash && body.active) {
            throw new HubError(
              'CONFLICT',
              `policy ${clash.id} already governs ${body.process_type}/${body.state}; deactivate it first`,
            );
          }
          const before = await getPolicy(tx, id);
          const row = await upsertPolicy(tx, {
            id,
            process_type: body.process_type,
            state: body.state,
            target_unit: body.target.unit,
            target_amount: body.target.amount,
            calendar_id: body.calendar_id,
            rungs: body.rungs.map((r) => ({ kind: r.kind, atPercent: r.at_percent, notify: r.notify })),
            active: body.active,
            updated_by: actor.user_id,
          });
          await appendAudit(tx, {
            process_type: 'settings',
            process_id: `sla_policy:${id}`,
            actor,
            action: before ? 'update_sla_policy' : 'create_sla_policy',
            outcome: 'accepted',
            details: { before: before ? toPolicyView(before) : null, after: toPolicyView(row) },
          });
          return row;
        });
        return c.json(toPolicyView(stored), 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'delete',
        path: '/sla/policies/{id}',
        tags: ['SLA'],
        summary: 'Administrators: delete an SLA policy (running clocks keep the policy they started with)',
        request: { params: IdParams },
        responses: { 204: { description: 'Deleted' } },
      }),
      async (c) => {
        const actor = actorOf(c);
        requireSettings(actor, 'write');
        const { id } = c.req.valid('param');
        await sql.begin(async (tx) => {
          const before = await getPolicy(tx, id);
          if (!before) throw new HubError('NOT_FOUND', `No SLA policy ${id}`);
          await tx`DELETE FROM sla_policies WHERE id = ${id}`;
          await appendAudit(tx, {
            process_type: 'settings',
            process_id: `sla_policy:${id}`,
            actor,
            action: 'delete_sla_policy',
            outcome: 'accepted',
            details: { before: toPolicyView(before) },
          });
        });
        return c.body(null, 204);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/sla/calendars',
        tags: ['SLA'],
        summary: 'Business calendars',
        responses: {
          200: listResponse('calendars', CalendarSchema, 'Every calendar'),
        },
      }),
      async (c) => {
        requireSettings(actorOf(c), 'read');
        return c.json({ calendars: (await listCalendars(sql)).map(toCalendarView) }, 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'put',
        path: '/sla/calendars/{id}',
        tags: ['SLA'],
        summary: 'Administrators: create or replace a business calendar',
        request: { params: IdParams, body: jsonBody(CalendarBody) },
        responses: { 200: jsonResponse(CalendarSchema, 'The stored calendar') },
      }),
      async (c) => {
        const actor = actorOf(c);
        requireSettings(actor, 'write');
        const { id } = c.req.valid('param');
        const body = c.req.valid('json');
        const problems = validateCalendar({
          id,
          name: body.name,
          timeZone: body.time_zone,
          workingHours: body.working_hours,
          closedDates: body.closures,
        });
        if (problems.length)
          throw new HubError('VALIDATION_FAILED', `working_hours: ${problems.join('; ')}`, { field: 'working_hours' });
        if (body.holiday_region) {
          try {
            expandHolidays(body.holiday_region, 2026, 2026);
          } catch (error) {
            throw new HubError('VALIDATION_FAILED', `holiday_region: ${(error as Error).message}`, {
              field: 'holiday_region',
            });
          }
        }
        const stored = await sql.begin(async (tx) => {
          const before = await getCalendar(tx, id);
          const row = await upsertCalendar(tx, { id, ...body, updated_by: actor.user_id });
          await appendAudit(tx, {
            process_type: 'settings',
            process_id: `business_calendar:${id}`,
            actor,
            action: before ? 'update_business_calendar' : 'create_business_calendar',
            outcome: 'accepted',
            details: { before: before ? toCalendarView(before) : null, after: toCalendarView(row) },
          });
          return row;
        });
        forgetCalendar(sql, id);
        return c.json(toCalendarView(stored), 200);
      },
    )
    .openapi(
      hubRoute({
        method: 'delete',
        path: '/sla/calendars/{id}',
        tags: ['SLA'],
        summary: 'Administrators: delete a business calendar no policy and no running SLA clock uses',
        request: { params: IdParams },
        responses: { 204: { description: 'Deleted' }, 409: CONFLICT_RESPONSE },
      }),
      async (c) => {
        const actor = actorOf(c);
        requireSettings(actor, 'write');
        const { id } = c.req.valid('param');
        await sql.begin(async (tx) => {
          const before = await getCalendar(tx, id);
          if (!before) throw new HubError('NOT_FOUND', `No business calendar ${id}`);
          const [user] = await tx`SELECT id FROM sla_policies WHERE calendar_id = ${id} LIMIT 1`;
          if (user) throw new HubError('CONFLICT', `SLA policy ${user.id} uses this calendar; change it first`);
          const office = await officeOnCalendar(tx, id);
          if (office) throw new HubError('CONFLICT', `The office ${office} runs on this calendar; change it first`);
          if (id === FIRM_CALENDAR_ID)
            throw new HubError('CONFLICT', "This is the firm's calendar, for processes of no office; it stays");
          // A running clock reads its calendar for as long as it runs: wait until those clocks have stopped.
          const running = await processWithClockOn(tx, id);
          if (running)
            throw new HubError(
              'CONFLICT',
              `The running SLA clock of ${running} uses this calendar; delete it once that clock has stopped`,
            );
          await tx`DELETE FROM business_calendars WHERE id = ${id}`;
          await appendAudit(tx, {
            process_type: 'settings',
            process_id: `business_calendar:${id}`,
            actor,
            action: 'delete_business_calendar',
            outcome: 'accepted',
            details: { before: toCalendarView(before) },
          });
        });
        return c.body(null, 204);
      },
    )
    .openapi(
      hubRoute({
        method: 'get',
        path: '/sla/holiday-regions',
        tags: ['SLA'],
        summary: 'Holiday regions a calendar can use: countries, or the states of one country',
        request: { query: z.object({ country: z.string().min(2).max(3).optional() }) },
        responses: {
          200: jsonResponse(
            z.object({ regions: z.array(z.object({ code: z.string(), name: z.string() })) }),
            'Regions',
          ),
        },
      }),
      async (c) => {
        requireSettings(actorOf(c), 'read');
        const { country } = c.req.valid('query');
        try {
          return c.json({ regions: listSupportedRegions(country) }, 200);
        } catch (error) {
          throw new HubError('VALIDATION_FAILED', `country: ${(error as Error).message}`, { field: 'country' });
        }
      },
    );
}

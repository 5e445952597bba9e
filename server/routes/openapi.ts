import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { HubEnv } from '../../hub/context.js';
import { validationError } from '../../hub/errors.js';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'INVALID_STATUS_TRANSITION' }),
      message: z.string().openapi({ example: 'This action is not allowed in the current application status' }),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

export const errorContent = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

/** The error answers every authenticated route can give, so the document shows them once and alike. */
export const ERROR_RESPONSES = {
  400: errorContent('The request is not valid, or the blueprint refuses it (its error code says why)'),
  401: errorContent('Missing or unknown bearer token'),
  403: errorContent('Your role or relation to this process does not allow it'),
  404: errorContent('No such resource'),
  503: errorContent('A service the hub depends on is unavailable'),
} as const;

export const CONFLICT_RESPONSE = errorContent('The resource is in use, or changed meanwhile');

/** The error answers a process type's commands can give: the common ones, and each status its spec's codes add. */
export function specErrorResponses(errors: Record<string, { status: number }>) {
  const extra = Object.entries(errors).filter(([, e]) => !(e.status in ERROR_RESPONSES));
  const statuses = [...new Set(extra.map(([, e]) => e.status))];
  return {
    ...ERROR_RESPONSES,
    ...Object.fromEntries(
      statuses.map((status) => [
        status,
        errorContent(
          extra
            .filter(([, e]) => e.status === status)
            .map(([code]) => code)
            .join(', '),
        ),
      ]),
    ),
  };
}

export const SECURITY = [{ Bearer: [] }];

/** Every route module builds on this: one validation hook, so a bad field always reads the same. */
export function createRouter() {
  return new OpenAPIHono<HubEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
    },
  });
}

/**
 * A named (registered) schema or null. `.nullable()` on a registered schema documents a bare `$ref`, which
 * says null is not allowed; a union says it is.
 */
export function orNull<T extends z.ZodType>(schema: T) {
  return z.union([schema, z.null()]);
}

export function jsonBody<T extends z.ZodType>(schema: T, required = true) {
  return { content: { 'application/json': { schema } }, required };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\w.:@-]+$/, 'an id has only letters, digits and _ . : @ -')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'app_3f9c2a7d1e5b4c8a' }),
});

export const AuditEntrySchema = z
  .object({
    id: z.number(),
    at: z.string(),
    action: z.string(),
    outcome: z.enum(['accepted', 'refused']),
    actor_id: z.string(),
    actor_role: z.string(),
    actor_name: z.string().nullable(),
    channel: z.string(),
    slack_user_id: z.string().nullable(),
    status_before: z.string().nullable(),
    status_after: z.string().nullable(),
    error_code: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');

export const ProcessEventSchema = z.object({
  sequence: z.number(),
  type: z.string(),
  payload: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});

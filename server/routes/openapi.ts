import { createRoute, OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { HubEnv } from '../../hub/context.js';
import { validationError } from '../../hub/errors.js';
import { ERRORS, type ErrorCode } from '../../workflows/errors.js';

export { orNull } from '../../contracts/records.js';

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

/**
 * A route behind sign-in: bearer security and the error answers every such route can give, so a route
 * states only what is its own (its success answer, and a 409 where it has one).
 */
export function hubRoute<R extends Omit<RouteConfig, 'security'>>(route: R, errors?: readonly ErrorCode[]) {
  const failures = errors ? errorResponsesOf(errors) : ERROR_RESPONSES;
  return createRoute({ ...route, security: SECURITY, responses: { ...route.responses, ...failures } });
}

/** One answer per status the codes map to, each saying which codes it carries and why. */
export function errorResponsesOf(codes: readonly ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERRORS[code].status, [...(byStatus.get(ERRORS[code].status) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, these]) => [
      status,
      {
        description: these.map((code) => `${code}: ${ERRORS[code].message}`).join('. '),
        content: {
          'application/json': {
            schema: z.object({
              error: z.object({
                code: z.enum(these as [ErrorCode, ...ErrorCode[]]),
                message: z.string(),
                details: z.record(z.string(), z.unknown()).optional(),
              }),
            }),
          },
        },
      },
    ]),
    // Typed as the shared answers: no handler returns an error itself, the one onError does.
  ) as unknown as typeof ERROR_RESPONSES;
}

/** An answer that is one named list: `{ "<key>": [ ... ] }`. */
export function listResponse<K extends string, T extends z.ZodType>(key: K, item: T, description: string) {
  return jsonResponse(z.object({ [key]: z.array(item) } as Record<K, z.ZodArray<T>>), description);
}

/** An answer that is one page of a named list, newest change first: `{ "<key>": [ ... ], "next_cursor": … }`. */
export function pageResponse<K extends string, T extends z.ZodType>(key: K, item: T, description: string) {
  const page = { [key]: z.array(item), next_cursor: z.string().nullable() } as Record<K, z.ZodArray<T>> & {
    next_cursor: z.ZodNullable<z.ZodString>;
  };
  return jsonResponse(z.object(page), description);
}

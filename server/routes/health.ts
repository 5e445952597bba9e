import { createRoute, z } from '@hono/zod-openapi';
import type { HubDeps } from '../../hub/context.js';
import { createRouter, ErrorSchema, jsonResponse } from './openapi.js';

const CHECK_TIMEOUT_MS = 2_000;

async function check(probe: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return `unreachable: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

const ChecksSchema = z.object({ postgres: z.string(), temporal: z.string() });

export function healthRoutes(deps: Pick<HubDeps, 'sql' | 'temporal' | 'config'>) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/healthz',
        tags: ['Health'],
        summary: 'The process is alive',
        responses: { 200: jsonResponse(z.object({ status: z.literal('ok') }), 'Alive') },
      }),
      (c) => c.json({ status: 'ok' as const }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/readyz',
        tags: ['Health'],
        summary: 'PostgreSQL and Temporal are reachable',
        responses: {
          200: jsonResponse(z.object({ status: z.literal('ready'), checks: ChecksSchema }), 'Ready to serve'),
          503: jsonResponse(z.object({ ...ErrorSchema.shape, checks: ChecksSchema }), 'Names what is not reachable'),
        },
      }),
      async (c) => {
        const [postgres, temporal] = await Promise.all([
          check(() => deps.sql`SELECT 1`),
          check(() =>
            deps.temporal.connection.workflowService.describeNamespace({ namespace: deps.config.TEMPORAL_NAMESPACE }),
          ),
        ]);
        const checks = { postgres, temporal };
        const down = Object.entries(checks).filter(([, state]) => state !== 'ok');
        if (down.length === 0) return c.json({ status: 'ready' as const, checks }, 200);
        const message = `not ready: ${down.map(([name, state]) => `${name} ${state}`).join('; ')}`;
        return c.json({ error: { code: 'SERVICE_UNAVAILABLE', message }, checks }, 503);
      },
    );
}

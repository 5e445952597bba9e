import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { SlackBot } from '../bots/slack/app.js';
import { auditRefusal } from '../db/audit.js';
import { getQuery } from '../db/query-threads.js';
import { mayScrape, registry } from '../runtime/metrics.js';
import { HubError } from '../workflows/errors.js';
import { channelOf, requireUser, signedInUser } from './auth.js';
import { actorFor, type HubDeps, type HubEnv } from '../hub/context.js';
import { errorBody, toHubError } from '../hub/errors.js';
import { refuseNul } from './nul-guard.js';
import { applicationRoutes } from './routes/applications.js';
import { auditRoutes } from './routes/audit.js';
import { loginRoutes, sessionRoutes } from './routes/auth.js';
import { clientRoutes } from './routes/clients.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { complianceNotesRoutes } from './routes/compliance-notes.js';
import { notificationRoutes } from './routes/notifications.js';
import { queryRoutes } from './routes/queries.js';
import { slaRoutes } from './routes/sla.js';
import { slackUserRoutes } from './routes/slack-users.js';
import { opsRoutes } from './routes/ops.js';
import { processRoutes } from './routes/processes.js';
import { routedCommand } from './routes/command-routes.js';
import { portfolioRoutes } from './routes/portfolios.js';
import { corsPolicy, securityHeaders } from './response-headers.js';
import { adminClientRoutes } from './routes/admin-clients.js';
import { adminHierarchyRoutes } from './routes/admin-hierarchy.js';
import { adminProductRoutes } from './routes/admin-products.js';
import { adminSettingsRoutes } from './routes/admin-settings.js';
import { ownAccountRoutes, signInRoutes } from './routes/admin-sign-in.js';
import { adminUserRoutes } from './routes/admin-users.js';
import type { EndUserSessions } from '../hub/admin-users.js';
import type { SingleSignOn } from '../hub/admin-sso.js';
import { mustEnrolSecondFactor } from '../hub/admin-sign-in.js';
import { sessionMethod } from '../db/users.js';
import { bearerToken } from './auth.js';
import type { AccountOpeningService } from '../hub/account-opening.js';
import type { QueryThreadService } from '../hub/query-threads.js';
import type { RebalancingService } from '../hub/rebalancing.js';
import type { OnboardingService } from '../hub/client-onboarding.js';
import { onboardingRoutes } from './routes/onboardings.js';
import type { DocumentService } from '../hub/documents.js';
import { documentRoutes } from './routes/documents.js';
import { boardWorkRoutes } from './routes/board-work.js';
import { savedViewRoutes } from './routes/saved-views.js';
import { createSavedViews } from '../hub/saved-views.js';

export const WEB_DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');
const MAX_BODY_BYTES = 256 * 1024;
const DOCUMENT_UPLOAD_PATH = /^\/api\/(processes|clients)\/[^/]+\/documents$/;

export interface HubServices {
  accountOpening: AccountOpeningService;
  queryThreads: QueryThreadService;
  /** Present when the Slack bot runs; in HTTP mode it brings the endpoints Slack calls. */
  slack?: SlackBot;
  rebalancing: RebalancingService;
  onboarding: OnboardingService;
  singleSignOn: SingleSignOn;
  /** Ends every session and live connection of a user, on every node. */
  endUserSessions: EndUserSessions;
  documents: DocumentService;
}

/** Until a password session of a role that must use a second factor has one, it may only set one up (or leave). */
const ENROLMENT_PATHS = new Set([
  '/api/me',
  '/api/auth/logout',
  '/api/auth/second-factor',
  '/api/auth/second-factor/enrol',
  '/api/auth/second-factor/confirm',
]);

/** The HTTP surface: public health and sign-in, the authenticated API, the OpenAPI document and the board. */
export function createApp(deps: HubDeps, services: HubServices) {
  const app = new OpenAPIHono<HubEnv>();
  const { sql, log } = deps;

  /** A command refused before it reached its service (a malformed body, a NUL, before sign-in was checked). */
  async function auditEdgeRefusal(c: Context<HubEnv>, hubError: HubError): Promise<void> {
    const command = c.get('command') ?? routedCommand(c);
    const user = c.get('user') ?? (command ? await signedInUser(sql, c.req.header('authorization')) : undefined);
    if (!command || !user || hubError.audited || hubError.status >= 500) return;
    const { query_id, ...target } = command;
    // A step on a query thread is filed under the query's process.
    const query = query_id ? await getQuery(sql, query_id) : undefined;
    await auditRefusal(sql, {
      ...target,
      ...(query ? { process_type: query.process_type, process_id: query.process_id } : {}),
      actor: actorFor(user, c.get('channel') ?? channelOf(c.req.header('x-hub-channel'))),
      code: hubError.code,
      message: hubError.message,
      details: { ...hubError.details, ...(query_id ? { query_id } : {}) },
    });
  }

  app.onError(async (error, c) => {
    const hubError = toHubError(error);
    // 503: a dependency is away (the database restarting, say); worth a warning, not an alarm per request.
    if (hubError.status === 503)
      log.warn({ err: error, method: c.req.method, path: c.req.path }, 'request refused: unavailable');
    else if (hubError.status >= 500)
      log.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    await auditEdgeRefusal(c, hubError).catch((auditError) =>
      log.error({ err: auditError }, 'could not audit a refusal'),
    );
    // The unread rest of a too-large body would otherwise be dropped with the socket after a keep-alive answer.
    if (hubError.code === 'PAYLOAD_TOO_LARGE') c.header('Connection', 'close');
    return c.json(errorBody(hubError), hubError.status as 400);
  });
  app.notFound((c) => c.json(errorBody(new HubError('NOT_FOUND', `No route ${c.req.method} ${c.req.path}`)), 404));

  app.use('*', securityHeaders(deps.config));
  app.use('/api/*', corsPolicy(deps.config));
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new HubError('PAYLOAD_TOO_LARGE');
    },
  });
  // Document uploads stream past this limit under their own (the document_max_bytes setting).
  app.use('/api/*', (c, next) =>
    c.req.method === 'POST' && DOCUMENT_UPLOAD_PATH.test(c.req.path) ? next() : limitBody(c, next),
  );
  app.use('/api/*', refuseNul);
  app.route('/', healthRoutes(deps));
  // Prometheus scrapes with the METRICS_TOKEN bearer token; without one configured there is nothing here.
  app.get('/metrics', async (c) => {
    const verdict = mayScrape(deps.config.METRICS_TOKEN, c.req.header('authorization'));
    if (verdict === 'off') throw new HubError('NOT_FOUND', 'No route GET /metrics');
    if (verdict === 'unauthorized') throw new HubError('UNAUTHENTICATED', 'The metrics token is missing or wrong');
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
  if (services.slack?.routes) app.route('/', services.slack.routes);
  app.route('/api', loginRoutes(sql));
  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer' });
  app.get('/api/openapi.json', (c) =>
    c.json(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'Operations hub API',
          version: '1.0.0',
          description:
            'Account opening, compliance SLAs and rebalancing for wealth-management firms. Errors are {"error":{"code","message"}}.',
        },
      }),
    ),
  );

  app.route('/api', signInRoutes(sql, deps.config, services.singleSignOn));

  app.use('/api/*', requireUser(sql));
  app.use('/api/*', async (c, next) => {
    if (!ENROLMENT_PATHS.has(c.req.path) && (await mustEnrolSecondFactor(sql, c.get('user')))) {
      const method = await sessionMethod(sql, bearerToken(c.req.header('authorization'))!);
      if (method === 'password') throw new HubError('SECOND_FACTOR_ENROLLMENT_REQUIRED');
    }
    await next();
  });
  app.route('/api', sessionRoutes(sql));
  app.route('/api', ownAccountRoutes(sql, services.endUserSessions));
  app.route('/api', adminUserRoutes(sql, deps.config, services.endUserSessions));
  app.route(
    '/api',
    adminClientRoutes(sql, deps.config, (actor, id, advisorId, reason) =>
      services.accountOpening.runCommand(actor, id, 'reassign_application', { advisor_id: advisorId, reason }),
    ),
  );
  app.route('/api', adminProductRoutes(sql));
  app.route('/api', adminSettingsRoutes(sql));
  app.route('/api', adminHierarchyRoutes(sql));
  app.route('/api', boardWorkRoutes(services.accountOpening, sql));
  app.route('/api', savedViewRoutes(createSavedViews(sql)));
  app.route('/api', applicationRoutes(services.accountOpening, sql));
  app.route('/api', clientRoutes(services.accountOpening, sql));
  app.route('/api', eventRoutes(sql));
  app.route('/api', notificationRoutes(sql));
  app.route('/api', slaRoutes(sql));
  app.route('/api', queryRoutes(services.queryThreads));
  app.route('/api', complianceNotesRoutes(sql));
  app.route('/api', slackUserRoutes(sql));
  app.route('/api', processRoutes(sql));
  app.route('/api', opsRoutes(sql));
  app.route('/api', portfolioRoutes(services.rebalancing, sql));
  app.route('/api', onboardingRoutes(services.onboarding, sql, deps.config));
  app.route('/api', documentRoutes(services.documents));
  app.route('/api', auditRoutes(sql, deps.config.auditCheckpointKey));

  // Browsers and tools that do not read the page's <link rel="icon"> still ask for /favicon.ico.
  app.get('/favicon.ico', (c) => c.redirect('/favicon.svg', 301));
  if (existsSync(WEB_DIST)) {
    app.use('/*', serveStatic({ root: path.relative(process.cwd(), WEB_DIST) }));
  } else {
    app.get('/', (c) =>
      c.text('The board is not built yet: run `npm run build:web` (npm start does it for you).', 503),
    );
  }
  return app;
}

export type HubApp = ReturnType<typeof createApp>;

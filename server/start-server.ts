import { startSlackBot } from '../bots/slack/app.js';
import { createSql } from '../db/client.js';
import { startBoss } from '../db/jobs.js';
import type { HubConfig } from '../runtime/config.js';
import type { Logger } from '../runtime/logger.js';
import { connectTemporalClient } from '../runtime/temporal-connection.js';
import { endSessions } from '../hub/sessions.js';
import { createSingleSignOn } from '../hub/admin-sso.js';
import { createApp } from './app.js';
import type { HubDeps } from '../hub/context.js';
import { listen } from './http-server.js';
import { startRealtimeGateway, type RealtimeGateway } from './realtime/gateway.js';
import { createAccountOpeningService } from '../hub/account-opening.js';
import { complianceNotesText } from '../hub/compliance-notes.js';
import { startViewEvents, type ViewEvents } from '../hub/view-events.js';
import { createQueryThreadService } from '../hub/query-threads.js';
import { createRebalancingService } from '../hub/rebalancing.js';
import { createOnboardingService } from '../hub/client-onboarding.js';
import { createDocumentService } from '../hub/documents.js';
import { createDocumentStore } from '../workers/storage/document-store.js';

export interface HubServer {
  url: string;
  deps: HubDeps;
  views: ViewEvents;
  realtime: RealtimeGateway;
  /** Drains within the configured grace period (SHUTDOWN_GRACE_MS) and closes every connection. */
  stop(): Promise<void>;
}

/** One API and gateway node. Stateless: run as many as you like against the same PostgreSQL and Temporal. */
export async function startHubServer(options: {
  config: HubConfig;
  databaseUrl: string;
  temporalAddress: string;
  log: Logger;
  taskQueue?: string;
  port?: number;
}): Promise<HubServer> {
  const { config, log } = options;
  const sql = createSql(options.databaseUrl, { applicationName: 'ops-hub-server' });
  const temporal = await connectTemporalClient(options.temporalAddress, config);
  const boss = await startBoss(options.databaseUrl, log, { supervise: false });
  const deps: HubDeps = {
    config,
    sql,
    temporal,
    boss,
    log,
    taskQueue: options.taskQueue ?? config.TEMPORAL_TASK_QUEUE,
  };
  const views = startViewEvents(sql, log);
  const accountOpening = createAccountOpeningService(deps, {
    complianceNotesText: (applicationId) => complianceNotesText(sql, applicationId),
    views,
  });
  const rebalancing = createRebalancingService(deps);
  const onboarding = createOnboardingService(deps);
  const slack = await startSlackBot(deps, { accountOpening, rebalancing, onboarding });
  // Every token of the user fails at once and every server node drops the user's live sockets.
  const endUserSessions = async (userId: string) => {
    await endSessions(sql, { user_id: userId });
  };
  const app = createApp(deps, {
    accountOpening,
    queryThreads: createQueryThreadService(deps),
    rebalancing,
    onboarding,
    documents: createDocumentService({ sql, boss, store: createDocumentStore(config), log }),
    slack: slack ?? undefined,
    singleSignOn: createSingleSignOn({ sql, config, log }),
    endUserSessions,
  });

  const stopClients = () =>
    Promise.allSettled([views.stop(), boss.stop({ graceful: false }), temporal.connection.close(), sql.end()]);
  const realtime = await startRealtimeGateway({ sql, log, config, databaseUrl: options.databaseUrl }).catch(
    async (error) => {
      await stopClients();
      throw error;
    },
  );
  const http = await listen(app, {
    host: config.HOST,
    port: options.port ?? config.PORT,
    log,
    publicUrl: options.port === 0 ? undefined : config.publicUrl,
    beforeListen: (server) => realtime.attach(server),
    onClose: async (deadline) => {
      await slack?.stop();
      await realtime.close(deadline);
    },
  }).catch(async (error) => {
    await Promise.allSettled([slack?.stop(), realtime.close()]);
    await stopClients();
    throw error;
  });
  log.info({ url: http.url }, 'server listening');

  return {
    url: http.url,
    deps,
    views,
    realtime,
    async stop() {
      const deadline = Date.now() + config.SHUTDOWN_GRACE_MS;
      await http.close(deadline);
      await views.stop();
      await boss.stop({ graceful: true, wait: true, timeout: Math.max(1, deadline - Date.now()) });
      await temporal.connection.close();
      await sql.end({ timeout: 5 });
    },
  };
}

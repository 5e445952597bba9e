import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../db/migrate.js';
import { loadConfig } from '../../runtime/config.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../runtime/embedded-postgres.js';
import { createLogger } from '../../runtime/logger.js';
import { findFreePort } from '../../runtime/ports.js';
import { ensureTemporalCli } from '../../runtime/temporal-cli.js';
import { startTemporalDevServer } from '../../runtime/temporal-dev-server.js';
import { WORKFLOWS_PATH } from '../../workers/worker.js';
import postgres from 'postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    templateDatabase: string;
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export const RESULTS_DIR = path.resolve('test-results');
const TEMPLATE = 'hub_template';

/**
 * One real PostgreSQL and one real Temporal dev server for the whole run. Each test file gets its own
 * database (a copy of a migrated template) and its own task queue; see test/support/hub.ts.
 */
export default async function setup(project: TestProject) {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn' });
  const log = createLogger(config, 'test-setup');
  mkdirSync(RESULTS_DIR, { recursive: true });

  const pgPort = await findFreePort();
  const dataDir = path.join(RESULTS_DIR, 'postgres');
  rmSync(dataDir, { recursive: true, force: true });
  const pg = await startEmbeddedPostgres({ dataDir, port: pgPort, database: 'postgres', log });
  const adminUrl = pg.url;

  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${TEMPLATE}`);
  await admin.end();
  await ensureDatabase(adminUrl, TEMPLATE);
  await migrate(adminUrl.replace(/\/postgres$/, `/${TEMPLATE}`), log);

  const temporal = await startTemporalDevServer({
    cliPath: await ensureTemporalCli(config),
    port: await findFreePort(),
    namespace: 'default',
    log,
  });

  // Bundled once here instead of once per worker: webpack is the slowest part of a worker's start.
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
  const workflowBundlePath = path.join(RESULTS_DIR, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('postgresAdminUrl', adminUrl);
  project.provide('templateDatabase', TEMPLATE);
  project.provide('temporalAddress', temporal.address);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await temporal.stop();
    await pg.stop();
  };
}

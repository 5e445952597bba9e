import path from 'node:path';
import { createSql, type Sql } from '../db/client.js';
import { startBoss } from '../db/jobs.js';
import { migrate } from '../db/migrate.js';
import { startHubServer, type HubServer } from '../server/start-server.js';
import { startHubWorker, type HubWorker } from '../workers/worker.js';
import { ConfigError, loadConfigOrExit, type HubConfig } from './config.js';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.js';
import { createLogger, type Logger } from './logger.js';
import { PortInUseError } from './ports.js';
import { seedDemoData } from './seed-demo.js';
import { seedDemoPortfolios } from './seed-demo-portfolios.js';
import { runDemoSeeding } from './seed-demo-processes.js';
import { ensureTemporalCli, TemporalCliMissingError } from './temporal-cli.js';
import { startTemporalDevServer, type RunningTemporal } from './temporal-dev-server.js';
import type PgBoss from 'pg-boss';

/**
 * `npm start`: the whole hub in one process tree. PostgreSQL (unless DATABASE_URL), the Temporal dev
 * server (unless TEMPORAL_ADDRESS), migrations, demo data, the worker and the server. Ctrl-C stops them
 * in reverse order, database last.
 */

const config: HubConfig = loadConfigOrExit();
const log: Logger = createLogger(config, 'hub');

let postgres: RunningPostgres | undefined;
let temporal: RunningTemporal | undefined;
let sql: Sql | undefined;
let boss: PgBoss | undefined;
let worker: HubWorker | undefined;
let server: HubServer | undefined;

let stoppingApps: Promise<void> | undefined;
function stopApps(): Promise<void> {
  stoppingApps ??= (async () => {
    if (postgres || temporal || worker || server) log.info('stopping');
    const steps: [string, (() => Promise<unknown>) | undefined][] = [
      ['server', server?.stop],
      ['worker', worker?.stop],
      ['jobs', boss && (() => boss!.stop({ graceful: true, wait: true }))],
      ['database pool', sql && (() => sql!.end({ timeout: 5 }))],
      ['temporal', temporal?.stop],
    ];
    for (const [name, stop] of steps) {
      if (!stop) continue;
      await stop().catch((error: unknown) => log.warn({ err: error }, `${name} did not stop cleanly`));
    }
  })();
  return stoppingApps;
}

let exiting = false;
async function shutdown(code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    await stopApps();
    const started = Boolean(postgres || temporal || worker || server);
    await postgres?.stop();
    if (started) log.info('stopped');
  }
  process.exit(code);
}
process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));

try {
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    postgres = await startEmbeddedPostgres({
      dataDir: path.join(config.HUB_DATA_DIR, 'postgres'),
      port: config.EMBEDDED_POSTGRES_PORT,
      database: 'hub',
      log,
    });
    postgres.setBeforeStop(stopApps);
    databaseUrl = postgres.url;
    log.info({ port: config.EMBEDDED_POSTGRES_PORT }, 'embedded PostgreSQL running');
  }

  let temporalAddress = config.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const cliPath = await ensureTemporalCli(config, (line) => console.log(line));
    temporal = await startTemporalDevServer({
      cliPath,
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: path.join(config.HUB_DATA_DIR, 'temporal.db'),
      namespace: config.TEMPORAL_NAMESPACE,
      log,
    });
    temporalAddress = temporal.address;
    log.info({ address: temporalAddress, ui: temporal.uiUrl }, 'Temporal dev server running');
  }

  await migrate(databaseUrl, log);
  sql = createSql(databaseUrl, { applicationName: 'ops-hub-worker' });
  const freshFirm = config.SEED_DEMO_DATA && (await seedDemoData(sql, log));
  if (config.SEED_DEMO_DATA) await seedDemoPortfolios(sql, log);
  boss = await startBoss(databaseUrl, log, { supervise: true });
  worker = await startHubWorker({ config, temporalAddress, sql, boss, log });
  worker.done.catch((error) => {
    log.fatal({ err: error }, 'the worker stopped');
    void shutdown(1);
  });
  server = await startHubServer({ config, databaseUrl, temporalAddress, log });
  // Through the running worker and the hub's own services, as people would; the board shows it as it happens.
  if (config.SEED_DEMO_DATA) await runDemoSeeding({ config, sql, boss, log, temporalAddress, freshFirm });
  process.stdout.write(
    `\n  Ops hub ready: ${server.url}\n${temporal?.uiUrl ? `  Temporal UI:   ${temporal.uiUrl}\n` : ''}\n`,
  );
} catch (error) {
  const known =
    error instanceof PortInUseError || error instanceof TemporalCliMissingError || error instanceof ConfigError;
  if (known) console.error((error as Error).message);
  else log.fatal({ err: error }, 'the hub could not start');
  await shutdown(1);
}

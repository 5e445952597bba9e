import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSql, type Sql } from '../../db/client.js';
import { startBoss, type Boss } from '../../db/jobs.js';
import { migrate } from '../../db/migrate.js';
import { loadConfig } from '../../runtime/config.js';
import { startEmbeddedPostgres } from '../../runtime/embedded-postgres.js';
import type { Logger } from '../../runtime/logger.js';
import { findFreePort } from '../../runtime/ports.js';
import { DEMO_PASSWORD, seedDemoData } from '../../runtime/seed-demo.js';
import { ensureTemporalCli } from '../../runtime/temporal-cli.js';
import { startTemporalDevServer } from '../../runtime/temporal-dev-server.js';
import { startHubServer } from '../../server/start-server.js';
import { startHubWorker } from '../../workers/worker.js';

export interface BenchHub {
  url: string;
  /** The run's Temporal dev server, for baselines that use the engine without the hub. */
  temporalAddress: string;
  sql: Sql;
  boss: Boss;
  login(email: string): Promise<string>;
  /** A JSON request to the API; throws on an error status. */
  api<T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** The whole hub on a fresh embedded PostgreSQL and Temporal dev server, in a temporary directory. */
export async function startBenchHub(log: Logger): Promise<BenchHub> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hub-bench-'));
  // Run as root, PostgreSQL runs as the postgres user, which must be able to enter the directory.
  chmodSync(dataDir, 0o755);
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: '',
    // Document files go with the rest of the run's data, and are removed with it.
    HUB_DATA_DIR: dataDir,
  });
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse())
      await step().catch((error: unknown) => log.warn({ err: error }, 'bench hub did not stop cleanly'));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'postgres'),
      port: await findFreePort(),
      database: 'hub',
      log,
    });
    stops.push(() => pg.stop());
    await migrate(pg.url, log);
    const temporal = await startTemporalDevServer({
      cliPath: await ensureTemporalCli(config),
      port: await findFreePort(),
      namespace: config.TEMPORAL_NAMESPACE,
      log,
    });
    stops.push(() => temporal.stop());
    const sql = createSql(pg.url, { applicationName: 'bench' });
    stops.push(() => sql.end({ timeout: 5 }));
    await seedDemoData(sql, log);
    const boss = await startBoss(pg.url, log, { supervise: true });
    stops.push(() => boss.stop({ graceful: false, wait: true }));
    const worker = await startHubWorker({ config, temporalAddress: temporal.address, sql, boss, log });
    stops.push(() => worker.stop());
    const server = await startHubServer({
      config,
      databaseUrl: pg.url,
      temporalAddress: temporal.address,
      log,
      port: 0,
    });
    stops.push(() => server.stop());

    const api: BenchHub['api'] = async (token, method, route, body) => {
      const response = await fetch(`${server.url}/api${route}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const payload = await response.json();
      if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(payload)}`);
      return payload;
    };
    return {
      url: server.url,
      temporalAddress: temporal.address,
      sql,
      boss,
      api,
      async login(email) {
        const response = await fetch(`${server.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: DEMO_PASSWORD }),
        });
        return ((await response.json()) as { token: string }).token;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

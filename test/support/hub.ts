import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterEach, inject } from 'vitest';
import { createSql, type Sql } from '../../db/client.js';
import { startBoss, type Boss } from '../../db/jobs.js';
import { loadConfig, type HubConfig } from '../../runtime/config.js';
import { createLogger } from '../../runtime/logger.js';
import { DEMO_PASSWORD, seedDemoData } from '../../runtime/seed-demo.js';
import { startHubServer, type HubServer } from '../../server/start-server.js';
import type { CrmAdapter } from '../../workers/crm/crm.js';
import type { Custodian } from '../../workers/custodian/custodian.js';
import { seedDemoPortfolios } from '../../runtime/seed-demo-portfolios.js';
import { runDemoSeeding, type DemoSeedSummary } from '../../runtime/seed-demo-processes.js';
import { startHubWorker, type HubWorker } from '../../workers/worker.js';
import { createResponseChecker } from './openapi-responses.js';

let failed = false;
afterEach((context) => {
  if (context.task.result?.state === 'fail') failed = true;
});

/** A fresh database for one test file: a copy of the migrated template, dropped afterwards unless a test failed. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  await admin.end();
  return {
    name,
    url: adminUrl.replace(/\/[^/]+$/, `/${name}`),
    async drop() {
      if (failed) {
        console.warn(`kept database ${name} of a failed test file (cluster data under test-results/postgres)`);
        return;
      }
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export interface TestHub {
  url: string;
  sql: Sql;
  boss: Boss;
  config: HubConfig;
  taskQueue: string;
  server: HubServer;
  login(email: string, password?: string): Promise<string>;
  /** A JSON request to the API with a bearer token; never throws on an error status, only on an answer the OpenAPI document does not describe. */
  api<T = Record<string, any>>(
    token: string | null,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
  /** The demo firm's processes (runtime/seed-demo-processes.ts), through this hub's worker; null: nothing to do. */
  seedDemoProcesses(): Promise<DemoSeedSummary | null>;
  startWorker(crm?: CrmAdapter): Promise<HubWorker>;
  stopWorker(): Promise<void>;
  /** Stops the server and starts a new one against the same database (on a new port: read `url` again). */
  restartServer(): Promise<HubServer>;
  /** One more server node on the same PostgreSQL and task queue, as a second replica would run; the caller stops it. */
  startNode(name: string): Promise<HubServer>;
  stop(): Promise<void>;
}

/**
 * The hub as a user meets it, on the real PostgreSQL and Temporal of the run: a server on an ephemeral
 * port and a worker on this file's own task queue.
 */
export async function startTestHub(
  options: {
    env?: Record<string, string>;
    crm?: CrmAdapter;
    custodian?: Custodian;
    seed?: boolean;
    /** Also the demo firm's processes, as `npm start` seeds them on a fresh database (needs the worker). */
    demoProcesses?: boolean;
    worker?: boolean;
    /** A migrated database of the test's own (on a PostgreSQL it stops and starts itself), instead of a copy of the template. */
    database?: { url: string; drop(): Promise<void> };
  } = {},
): Promise<TestHub> {
  const database = options.database ?? (await createTestDatabase());
  const taskQueue = `test-${randomBytes(4).toString('hex')}`;
  // Document files of this hub, removed with it.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hub-test-data-'));
  const config = loadConfig({
    HUB_DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    CRM_RETRY_INITIAL_MS: '50',
    CRM_MAX_ATTEMPTS: '3',
    // Tests trigger the drift check themselves; a 06:00 run in the middle of a test would start rebalances it did not ask for.
    REBALANCE_SCHEDULE_PAUSED: 'true',
    KYC_REVIEW_SCHEDULE_PAUSED: 'true',
    ...options.env,
  });
  const log = createLogger(config, 'test');
  const sql = createSql(database.url, { applicationName: 'test' });
  const freshFirm = options.seed !== false && (await seedDemoData(sql, log));
  if (options.seed !== false) await seedDemoPortfolios(sql, log);
  const boss = await startBoss(database.url, log, { supervise: true });
  const startServer = (nodeLog = log) =>
    startHubServer({
      config,
      databaseUrl: database.url,
      temporalAddress: inject('temporalAddress'),
      log: nodeLog,
      port: 0,
    });
  let server = await startServer();

  let worker: HubWorker | undefined;
  const startWorker = async (crm = options.crm) => {
    worker = await startHubWorker({
      config,
      temporalAddress: inject('temporalAddress'),
      sql,
      boss,
      log,
      crm,
      custodian: options.custodian,
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    return worker;
  };
  if (options.worker !== false) await startWorker();
  const seedProcesses = (fresh: boolean) =>
    runDemoSeeding({ config, sql, boss, log, temporalAddress: inject('temporalAddress'), taskQueue, freshFirm: fresh });
  if (options.demoProcesses) await seedProcesses(freshFirm);

  let checkResponse: Promise<ReturnType<typeof createResponseChecker>> | undefined;
  const api: TestHub['api'] = async (token, method, path, body, headers = {}) => {
    const response = await fetch(`${server.url}/api${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const answer = { status: response.status, body: text ? JSON.parse(text) : {} };
    if (path !== '/openapi.json') {
      checkResponse ??= fetch(`${server.url}/api/openapi.json`).then(async (r) =>
        createResponseChecker(await r.json()),
      );
      const problem = (await checkResponse)(method, response.url, answer.status, answer.body);
      if (problem) throw new Error(`The answer disagrees with /api/openapi.json: ${problem}`);
    }
    return answer;
  };

  return {
    get url() {
      return server.url;
    },
    sql,
    boss,
    config,
    taskQueue,
    get server() {
      return server;
    },
    api,
    async login(email, password = DEMO_PASSWORD) {
      const response = await api(null, 'POST', '/auth/login', { email, password });
      if (response.status !== 200) throw new Error(`login of ${email} failed: ${JSON.stringify(response.body)}`);
      return response.body.token as string;
    },
    seedDemoProcesses: () => seedProcesses(false),
    startWorker,
    async stopWorker() {
      await worker?.stop();
      worker = undefined;
    },
    async restartServer() {
      await server.stop();
      server = await startServer();
      return server;
    },
    startNode: (name) => startServer(createLogger(config, name)),
    async stop() {
      await worker?.stop();
      await server.stop();
      await boss.stop({ graceful: false, wait: true });
      await sql.end({ timeout: 5 });
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits for a condition that async work will make true, without sleeping a fixed time. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${options.what ?? 'a condition'}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits on a PostgreSQL NOTIFY channel until `check` (run once now and again after each notice) returns
 * something: the way the hub itself learns about committed changes.
 */
export async function waitForNotice<T>(
  sql: Sql,
  channel: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  let wake: () => void = () => {};
  const subscription = await sql.listen(channel, () => wake());
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const value = await check();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting on ${channel}`);
      await Promise.race([woken, new Promise((resolve) => setTimeout(resolve, Math.min(left, 1_000)))]);
    }
  } finally {
    await subscription.unlisten();
  }
}

/** Resolves with the application's read-model row once it reaches the status. */
export function waitForStatus(sql: Sql, processId: string, status: string, timeoutMs?: number) {
  return waitForNotice(
    sql,
    'process_changed',
    async () => {
      const [row] = await sql`SELECT status, detail FROM processes WHERE process_id = ${processId}`;
      return row?.status === status ? (row.detail as Record<string, any>) : undefined;
    },
    timeoutMs,
  );
}

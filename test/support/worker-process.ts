import { createSql } from '../../db/client.js';
import { startBoss } from '../../db/jobs.js';
import { loadConfig } from '../../runtime/config.js';
import { createLogger } from '../../runtime/logger.js';
import { startHubWorker } from '../../workers/worker.js';

/**
 * The hub's worker (Temporal worker and job handlers) in a process of its own, so a test can kill it
 * with SIGKILL. Configured by the environment like `npm run worker`; argv[2] is the bundled workflow code.
 * Jobs of a killed worker are looked for every second instead of pg-boss's two minutes.
 */
const config = loadConfig(process.env);
const log = createLogger(config, 'worker-process');
const sql = createSql(config.DATABASE_URL!, { applicationName: 'test-worker-process' });
const boss = await startBoss(config.DATABASE_URL!, log, { supervise: true, maintenanceIntervalSeconds: 1 });
await startHubWorker({
  config,
  temporalAddress: config.TEMPORAL_ADDRESS!,
  sql,
  boss,
  log,
  workflowBundle: { codePath: process.argv[2] },
});
process.stdout.write('worker process ready\n');

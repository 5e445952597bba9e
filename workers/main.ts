import { createSql } from '../db/client.js';
import { startBoss } from '../db/jobs.js';
import { migrate } from '../db/migrate.js';
import { databaseUrlOf, temporalAddressOf } from '../runtime/addresses.js';
import { runEntryPoint } from '../runtime/entry-point.js';
import { startMetricsListener } from '../runtime/metrics.js';
import { startHubWorker } from './worker.js';

/** `npm run worker`: a Temporal worker and pg-boss job handlers against the configured PostgreSQL and Temporal. */
await runEntryPoint('worker', async (config, log) => {
  const databaseUrl = databaseUrlOf(config);
  await migrate(databaseUrl, log);
  const sql = createSql(databaseUrl, { applicationName: 'ops-hub-worker' });
  const boss = await startBoss(databaseUrl, log, { supervise: true });
  const worker = await startHubWorker({ config, temporalAddress: temporalAddressOf(config), sql, boss, log });
  // The worker has no HTTP server: /metrics gets a listener of its own, only when a token is set.
  const metricsListener = config.METRICS_TOKEN
    ? await startMetricsListener({ host: config.HOST, port: config.METRICS_PORT, token: config.METRICS_TOKEN })
    : null;
  if (metricsListener) log.info({ port: config.METRICS_PORT }, 'worker metrics listening');
  return {
    done: worker.done,
    async stop() {
      const deadline = Date.now() + config.SHUTDOWN_GRACE_MS;
      await new Promise((resolve) => (metricsListener ? metricsListener.close(resolve) : resolve(undefined)));
      await worker.stop();
      // Jobs still running after the grace period are failed, so pg-boss retries them on another worker.
      await boss.stop({ graceful: true, wait: true, timeout: Math.max(1, deadline - Date.now()) });
      await sql.end({ timeout: 5 });
    },
  };
});

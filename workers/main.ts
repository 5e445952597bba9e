import { runEntryPoint } from '../runtime/entry-point.js';

/** `npm run worker`: a Temporal worker and pg-boss job handlers against the configured PostgreSQL and Temporal. */
await runEntryPoint('worker', async (config, log) => {
  // Imported once tracing has started (see runEntryPoint).
  const [{ createSql }, { startBoss }, { migrate }, { databaseUrlOf, temporalAddressOf }, metrics, { startHubWorker }] =
    await Promise.all([
      import('../db/client.js'),
      import('../db/jobs.js'),
      import('../db/migrate.js'),
      import('../runtime/addresses.js'),
      import('../runtime/metrics.js'),
      import('./worker.js'),
    ]);
  const databaseUrl = databaseUrlOf(config);
  await migrate(databaseUrl, log);
  const sql = createSql(databaseUrl, { applicationName: 'ops-hub-worker' });
  const boss = await startBoss(databaseUrl, log, { supervise: true });
  const worker = await startHubWorker({ config, temporalAddress: temporalAddressOf(config), sql, boss, log });
  // The worker has no HTTP server: /metrics gets a listener of its own, only when a token is set.
  const metricsListener = config.METRICS_TOKEN
    ? await metrics.startMetricsListener({ host: config.HOST, port: config.METRICS_PORT, token: config.METRICS_TOKEN })
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

import { runEntryPoint } from '../runtime/entry-point.js';

/** `npm run server`: one API and gateway node against the configured PostgreSQL and Temporal. */
await runEntryPoint('server', async (config, log) => {
  // Imported once tracing has started (see runEntryPoint).
  const [{ migrate }, { databaseUrlOf, temporalAddressOf }, { startHubServer }] = await Promise.all([
    import('../db/migrate.js'),
    import('../runtime/addresses.js'),
    import('./start-server.js'),
  ]);
  await migrate(databaseUrlOf(config), log);
  return startHubServer({
    config,
    databaseUrl: databaseUrlOf(config),
    temporalAddress: temporalAddressOf(config),
    log,
  });
});

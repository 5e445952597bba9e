import { migrate } from '../db/migrate.js';
import { databaseUrlOf, temporalAddressOf } from '../runtime/addresses.js';
import { runEntryPoint } from '../runtime/entry-point.js';
import { startHubServer } from './start-server.js';

/** `npm run server`: one API and gateway node against the configured PostgreSQL and Temporal. */
await runEntryPoint('server', async (config, log) => {
  await migrate(databaseUrlOf(config), log);
  return startHubServer({
    config,
    databaseUrl: databaseUrlOf(config),
    temporalAddress: temporalAddressOf(config),
    log,
  });
});

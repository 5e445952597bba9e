import { ConfigError, loadConfig } from './config.js';
import { ensureTemporalCli, TemporalCliMissingError } from './temporal-cli.js';

/** `npm run setup:temporal`: makes sure the pinned Temporal CLI is available, building it when missing. */
try {
  const config = loadConfig();
  if (config.TEMPORAL_ADDRESS) {
    console.log(`TEMPORAL_ADDRESS=${config.TEMPORAL_ADDRESS} is set; the hub uses that server and needs no local CLI.`);
  } else {
    const cli = await ensureTemporalCli(config);
    console.log(`Temporal CLI: ${cli}`);
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof TemporalCliMissingError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
